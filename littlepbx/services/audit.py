"""Reading the audit log: an organization's own history, and the system-wide entries."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from littlepbx.models import AuditEntry
from littlepbx.tenancy import Actor, OrgScope


def org_page(scope: OrgScope, offset: int, limit: int) -> tuple[list[dict], int]:
    """One page of the organization's changes, newest first."""
    total = scope.session.scalar(scope.select(AuditEntry).with_only_columns(func.count()))
    rows = scope.session.scalars(scope.select(AuditEntry)
                                 .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                 .offset(offset).limit(limit))
    return [as_dict(row) for row in rows], total


def system_page(session: Session, actor: Actor, offset: int, limit: int) -> tuple[list[dict], int]:
    """One page of the entries that belong to no organization (say, a deleted one), newest first."""
    actor.require("orgs.manage")
    criteria = AuditEntry.org_id.is_(None)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(criteria))
    rows = session.scalars(select(AuditEntry).where(criteria)
                           .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .offset(offset).limit(limit))
    return [as_dict(row) for row in rows], total


def as_dict(entry: AuditEntry) -> dict:
    """The public shape of an audit entry."""
    return {"at": entry.at.isoformat() + "Z", "actor": entry.actor, "action": entry.action,
            "target": entry.target, "detail": entry.detail}
