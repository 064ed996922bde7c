"""API tokens: shown once, stored as a SHA-256 digest, scoped to the system or to one organization."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from littlepbx.models.base import Base, Ident, utcnow


class ApiToken(Base):
    """A bearer token. ``org_id`` None means a system token (every organization)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(Ident(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, default=None)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
