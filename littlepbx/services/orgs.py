"""Organizations: created, changed and deleted by integrators (system role)."""
from __future__ import annotations

import logging
import zoneinfo

from sqlalchemy import func, select

from littlepbx.errors import Conflict
from littlepbx.models import AuditEntry, LiveMusicOnHold, MusicOnHold, Organization
from littlepbx.pbx_backends.base import BackendError
from littlepbx.services import validation as v
from littlepbx.services.scope import Actor, OrgScope

log = logging.getLogger(__name__)

FIELDS = {
    "code": (v.org_code,),
    "name": (v.text, 100, 1),
    "admin_email": (v.email,),
    "timezone": (lambda value: _timezone(value),),
    "max_extensions": (v.integer, 1, 10000),
    "max_concurrent_calls": (v.integer, 0, 10000),
    "apply_wait_seconds": (v.integer, 0, 86400),
}
EDITABLE = {name: rule for name, rule in FIELDS.items() if name != "code"}


def _timezone(value) -> str:
    value = v.text(value, 64, 1)
    if value not in zoneinfo.available_timezones():
        raise v.FieldError("not a time zone name, e.g. Europe/Paris")
    return value


def list_orgs(session, actor: Actor, offset: int = 0, limit: int = 50) -> tuple[list[Organization], int]:
    """The organizations the actor may see, one page of them, and how many there are."""
    query = select(Organization)
    if not actor.is_system:
        query = query.where(Organization.id == actor.org_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page = session.scalars(query.order_by(Organization.code).offset(offset).limit(limit))
    return list(page), total


def create_org(session, actor: Actor, data: dict) -> Organization:
    """A new organization with an empty draft; its code must be unused."""
    actor.require("orgs.manage")
    values = v.check_fields(data, FIELDS, required=("code", "name", "admin_email"))
    if session.scalar(select(Organization.id).where(Organization.code == values["code"])):
        raise Conflict(f"organization {values['code']} already exists",
                       {"code": "already used"})
    org = Organization(**{k: val for k, val in values.items() if val is not None})
    session.add(org)
    session.flush()
    scope = OrgScope(session, org, actor)
    # Draft and live start equal: a new organization has nothing pending.
    scope.add(MusicOnHold(enabled=False))
    scope.add(LiveMusicOnHold(enabled=False))
    scope.audit("org.create", org.code)
    return org


def update_org(scope: OrgScope, data: dict) -> Organization:
    """Change an organization's name, admin e-mail, time zone or limits."""
    scope.require("orgs.manage")
    if isinstance(data, dict) and "code" in data and data["code"] != scope.org.code:
        raise v.ValidationError("an organization's code cannot change", {"code": "cannot be changed"})
    data = {k: val for k, val in data.items() if k != "code"} if isinstance(data, dict) else data
    values = v.check_fields(data, EDITABLE, partial=True)
    for name, value in values.items():
        if value is None:
            raise v.ValidationError("some fields are not valid", {name: "required"})
        setattr(scope.org, name, value)
    scope.audit("org.update", scope.org.code, {"fields": sorted(values)})
    return scope.org


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
    from littlepbx.services.moh import remove_org_files
    remove_org_files(data_dir, code)
    try:
        backend.after_remove(code)
    except BackendError as error:
        log.warning("organization %s deleted, but the PBX was not told: %s", code, error)


def as_dict(org: Organization) -> dict:
    """The public shape of an organization."""
    return {"code": org.code, "name": org.name, "admin_email": org.admin_email,
            "timezone": org.timezone, "max_extensions": org.max_extensions,
            "max_concurrent_calls": org.max_concurrent_calls,
            "apply_wait_seconds": org.apply_wait_seconds,
            "created_at": _iso(org.created_at), "last_applied_at": _iso(org.last_applied_at)}


def _iso(moment) -> str | None:
    return moment.isoformat() + "Z" if moment else None
