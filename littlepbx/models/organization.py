"""Organizations: the tenants sharing the PBX."""
from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from littlepbx.models.base import Base, Ident, utcnow


class Organization(Base):
    """A tenant. ``code`` prefixes everything the organization owns on the PBX."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Ident(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    admin_email: Mapped[str] = mapped_column(String(254))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    max_extensions: Mapped[int] = mapped_column(Integer, default=50)
    max_concurrent_calls: Mapped[int] = mapped_column(Integer, default=10)
    apply_wait_seconds: Mapped[int] = mapped_column(Integer, default=300)
    # Quotas (services/quotas.py): what one organization may use of the shared server.
    max_dids: Mapped[int] = mapped_column(Integer, default=100)
    max_storage_mb: Mapped[int] = mapped_column(Integer, default=200)
    max_applies_per_minute: Mapped[int] = mapped_column(Integer, default=10)
    audit_retention_days: Mapped[int] = mapped_column(Integer, default=365)
    recording_retention_days: Mapped[int] = mapped_column(Integer, default=90)
    # Decides the emergency numbers its phones may always dial (kinds/emergency.py).
    country: Mapped[str] = mapped_column(String(2), default="US")
    # The call-back number emergency services see; None: the organization's first DID.
    emergency_caller_id: Mapped[str | None] = mapped_column(String(16), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_applied_at: Mapped[datetime | None] = mapped_column(default=None)
    last_applied_run_id: Mapped[int | None] = mapped_column(default=None)

    def __repr__(self) -> str:
        return f"<Organization {self.code}>"
