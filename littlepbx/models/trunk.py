"""Upstream SIP trunks: one inbound and one outbound per organization."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from littlepbx.models.base import Base, DraftedMixin, Ident

TRUNK_DIRECTIONS = ("inbound", "outbound")


class TrunkColumns(DraftedMixin):
    """Columns shared by the draft and live trunk tables."""

    key_columns = ("direction",)

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    direction: Mapped[str] = mapped_column(Ident(8), primary_key=True)
    host: Mapped[str] = mapped_column(String(253))
    port: Mapped[int] = mapped_column(default=5060)
    transport: Mapped[str] = mapped_column(String(8), default="udp")
    username: Mapped[str | None] = mapped_column(String(64), default=None)
    password: Mapped[str | None] = mapped_column(String(128), default=None)
    register: Mapped[bool] = mapped_column(default=False)
    from_user: Mapped[str | None] = mapped_column(String(64), default=None)
    from_domain: Mapped[str | None] = mapped_column(String(253), default=None)
    # Space-separated IP addresses or networks a call must come from (inbound).
    source_addresses: Mapped[str] = mapped_column(String(1000), default="")


class Trunk(TrunkColumns, Base):
    """The draft, set by integrators over REST."""

    __tablename__ = "trunks"


class LiveTrunk(TrunkColumns, Base):
    """The live copy."""

    __tablename__ = "live_trunks"
