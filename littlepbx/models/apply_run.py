"""Apply runs: one request to make an organization's draft live, and how it went."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.dialects.mysql import DATETIME
from sqlalchemy.orm import Mapped, mapped_column

from littlepbx.models.base import Base, utcnow


class ApplyRun(Base):
    """A run; its ``state`` moves only along littlepbx.applier.states.TRANSITIONS."""

    __tablename__ = "apply_runs"
    __table_args__ = (Index("ix_apply_runs_org_id_state", "org_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20))
    # Non-null exactly while the run is active: a unique index makes "one active run per org" a DB rule.
    active_org_id: Mapped[int | None] = mapped_column(unique=True, default=None)
    requested_by: Mapped[str] = mapped_column(String(254), default="")
    # To the millisecond: an Apply takes a fraction of a second (the /metrics histogram, waits).
    requested_at: Mapped[datetime] = mapped_column(DATETIME(fsp=3), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DATETIME(fsp=3), default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DATETIME(fsp=3), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(DATETIME(fsp=3), default=None)
    wait_deadline: Mapped[datetime | None] = mapped_column(default=None)
    waiting_calls: Mapped[int] = mapped_column(default=0)
    waited: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    notify: Mapped[bool] = mapped_column(default=False)
    notify_email: Mapped[str | None] = mapped_column(String(254), default=None)
    notified_at: Mapped[datetime | None] = mapped_column(default=None)
    # The e-mail notice: how it went ("sent to …", "not sent to …: why"), tries so far, next try.
    notice: Mapped[str] = mapped_column(Text, default="")
    notice_attempts: Mapped[int] = mapped_column(default=0)
    notice_retry_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    message: Mapped[str] = mapped_column(Text, default="")
