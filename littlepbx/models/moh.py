"""Music on hold: on/off and the uploaded file, per organization."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from littlepbx.models.base import Base, DraftedMixin


class MohColumns(DraftedMixin):
    """Columns shared by draft and live. Files are content-addressed, so both can point at one."""

    key_columns = ("org_id",)

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    original_name: Mapped[str | None] = mapped_column(String(255), default=None)
    sha256: Mapped[str | None] = mapped_column(String(64), default=None)


class MusicOnHold(MohColumns, Base):
    """The draft."""

    __tablename__ = "music_on_hold"


class LiveMusicOnHold(MohColumns, Base):
    """The live copy."""

    __tablename__ = "live_music_on_hold"
