"""The audit log: who changed what, when."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from littlepbx.models.base import Base, utcnow


class AuditEntry(Base):
    """One change. ``org_id`` is None for system-wide actions."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, default=None)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(254), default="")
    detail: Mapped[dict | None] = mapped_column(JSON, default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
