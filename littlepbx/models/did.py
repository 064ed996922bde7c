"""DIDs: E.164 numbers owned by one organization and routed to one of its extensions."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from littlepbx.models.base import Base, DraftedMixin, Ident


class DidColumns(DraftedMixin):
    """Columns shared by the draft and live DID tables. A number is unique server-wide."""

    key_columns = ("number",)

    number: Mapped[str] = mapped_column(Ident(16), primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    extension: Mapped[str | None] = mapped_column(Ident(6), default=None)
    description: Mapped[str] = mapped_column(String(100), default="")


class Did(DidColumns, Base):
    """The draft: integrators assign numbers, the admin picks where each rings."""

    __tablename__ = "dids"


class LiveDid(DidColumns, Base):
    """The live copy."""

    __tablename__ = "live_dids"
