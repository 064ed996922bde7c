"""Organizations: created, changed and deleted by integrators (system role)."""
from __future__ import annotations

import logging

from sqlalchemy import func, or_, select

from littlepbx import fields as f
from littlepbx.errors import Conflict, ValidationError
from littlepbx.kinds import SINGLETON, all_kinds
from littlepbx.kinds.audio import remove_org_files
from littlepbx.kinds.emergency import COUNTRIES, emergency_numbers
from littlepbx.models import AuditEntry, Organization
from littlepbx.pbx_backends.base import BackendError
from littlepbx.tenancy import Actor, OrgScope

log = logging.getLogger(__name__)

FIELDS = f.FieldSet({
    "code": f.org_code(required=True),
    "name": f.text("Name", 100, min_length=1, required=True, example="Acme Inc"),
    "admin_email": f.email("Admin e-mail", required=True,
                           help="where Apply notices go unless the admin asks for another address"),
    "timezone": f.time_zone(default="UTC"),
    "max_extensions": f.Integer(label="Extensions at most", minimum=1, maximum=10000, default=50),
    "max_concurrent_calls": f.Integer(label="Concurrent calls at most", minimum=0, maximum=10000, default=10,
                                      help="0: no limit"),
    "apply_wait_seconds": f.Integer(label="Apply waits for calls at most (seconds)", minimum=0,
                                    maximum=86400, default=300),
    "max_dids": f.Integer(label="Phone numbers at most", minimum=0, maximum=100000, default=100),
    "max_storage_mb": f.Integer(label="Audio storage at most (MB)", minimum=0, maximum=1_000_000, default=200,
                                help="music on hold, prompts and recordings together"),
    "max_applies_per_minute": f.Integer(label="Applies per minute at most", minimum=1, maximum=1000, default=10),
    "audit_retention_days": f.Integer(label="Audit log kept (days)", minimum=1, maximum=3650, default=365),
    "recording_retention_days": f.Integer(label="Recorded calls kept (days)", minimum=1, maximum=3650, default=90),
    "country": f.Choice(label="Country", options=tuple((c, c) for c in COUNTRIES), default="US", column_length=2,
                        help="decides the emergency numbers its phones may always dial (911 in the US, 112 and "
                             "110 in DE, …); live at the next Apply"),
    "emergency_caller_id": f.Text(label="Emergency caller ID", max_length=16, nullable=True,
                                  pattern=r"^\+?[0-9]{7,15}$", message="a phone number of the organization",
                                  help="the call-back number emergency services see; empty: its first DID"),
})
EDITABLE = FIELDS.where(lambda name, rule: name != "code").as_optional()


def list_orgs(session, actor: Actor, offset: int = 0, limit: int = 50,
              search: str | None = None) -> tuple[list[Organization], int]:
    """The organizations the actor may see, one page of them in code order, and how many there
    are; ``search`` keeps those whose code or name contains it (any case)."""
    query = select(Organization)
    if not actor.is_system:
        query = query.where(Organization.id == actor.org_id)
    if search and search.strip():
        words = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{words}%"  # MariaDB's LIKE escapes with a backslash
        query = query.where(or_(Organization.code.like(pattern), func.lower(Organization.name).like(pattern)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page = session.scalars(query.order_by(Organization.code).offset(offset).limit(limit))
    return list(page), total


def create_org(session, actor: Actor, data: dict) -> Organization:
    """A new organization with an empty draft; its code must be unused."""
    actor.require("orgs.manage")
    values = FIELDS.clean(data)
    if session.scalar(select(Organization.id).where(Organization.code == values["code"])):
        raise Conflict(f"organization {values['code']} already exists", {"code": "already used"})
    org = Organization(**{name: rule.initial() for name, rule in FIELDS.items()})
    for name, value in values.items():
        setattr(org, name, value)
    session.add(org)
    session.flush()
    scope = OrgScope(session, org, actor)
    # Draft and live start equal: a new organization has nothing pending.
    for kind in all_kinds():
        if kind.key_scope == SINGLETON:
            scope.add(kind.draft(**{name: rule.initial() for name, rule in kind.fields.items()}))
            scope.add(kind.live(**{name: rule.initial() for name, rule in kind.fields.items()}))
    scope.audit("org.create", org.code)
    return org


def update_org(scope: OrgScope, data: dict) -> Organization:
    """Change an organization's name, admin e-mail, time zone or limits."""
    scope.require("orgs.manage")
    if isinstance(data, dict) and "code" in data and data["code"] != scope.org.code:
        raise ValidationError("an organization's code cannot change", {"code": "cannot be changed"})
    data = {k: val for k, val in data.items() if k != "code"} if isinstance(data, dict) else data
    values = EDITABLE.clean(data, partial=True)
    if values.get("country"):
        taken = [number for number in emergency_numbers(values["country"]) if number_in_use(scope, number)]
        if taken:
            numbers = ", ".join(taken)
            raise Conflict(f"emergency numbers in {values['country']} already used here: {numbers}; "
                           "give those another number first", {"country": f"{numbers} already used"})
    for name, value in values.items():
        setattr(scope.org, name, value)
    scope.audit("org.update", scope.org.code, {"fields": sorted(values)})
    return scope.org


def number_in_use(scope: OrgScope, number: str) -> bool:
    """Whether an object of the organization's draft or live configuration is dialled as ``number``."""
    return any(kind.dialable and (scope.find(kind.draft, **{kind.key: number}) is not None
                                  or scope.find(kind.live, **{kind.key: number}) is not None)
               for kind in all_kinds())


def delete_org(scope: OrgScope, backend) -> None:
    """Delete the organization, its draft, its live configuration and its PBX rows, in one transaction."""
    scope.require("orgs.manage")
    backend.remove_org(scope.session.connection(), scope.org.code)
    # The org's own history goes with it; this entry, belonging to no org, stays.
    scope.session.add(AuditEntry(org_id=None, actor=scope.actor.name, action="org.delete",
                                 target=scope.org.code, detail={"name": scope.org.name}))
    scope.session.delete(scope.org)


def after_delete(code: str, backend, data_dir: str) -> None:
    """After the deletion's commit: the side effects outside the database (music files, the
    PBX's running registrations). A PBX that does not answer drops the registration when it restarts."""
    remove_org_files(data_dir, code)
    try:
        backend.after_remove(code)
    except BackendError as error:
        log.warning("organization %s deleted, but the PBX was not told: %s", code, error)


def as_dict(org: Organization) -> dict:
    """The public shape of an organization."""
    return {**{name: getattr(org, name) for name in FIELDS},
            "created_at": _iso(org.created_at), "last_applied_at": _iso(org.last_applied_at)}


def _iso(moment) -> str | None:
    return moment.isoformat() + "Z" if moment else None
