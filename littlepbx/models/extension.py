"""Extensions (phones) with their call flow and voicemail, as draft and live rows."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from littlepbx.models.base import Base, DraftedMixin, Ident


class ExtensionColumns(DraftedMixin):
    """Columns shared by the draft and the live extension tables."""

    key_columns = ("number",)

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[str] = mapped_column(Ident(6), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(60), default="")
    sip_password: Mapped[str] = mapped_column(Ident(64))
    ring_seconds: Mapped[int] = mapped_column(default=20)
    no_answer: Mapped[str] = mapped_column(String(16), default="voicemail")
    forward_to: Mapped[str | None] = mapped_column(String(20), default=None)
    voicemail_enabled: Mapped[bool] = mapped_column(default=True)
    voicemail_pin: Mapped[str | None] = mapped_column(String(12), default=None)
    voicemail_email: Mapped[str | None] = mapped_column(String(254), default=None)


class Extension(ExtensionColumns, Base):
    """The draft: what the admin is editing."""

    __tablename__ = "extensions"


class LiveExtension(ExtensionColumns, Base):
    """The live copy: what the last successful Apply wrote."""

    __tablename__ = "live_extensions"
