"""Requesting, stopping and watching Apply runs. The runs themselves execute in the worker."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from littlepbx import fields as f
from littlepbx.applier import states
from littlepbx.applier.runs import as_dict, transition
from littlepbx.errors import Conflict
from littlepbx.fields import fail
from littlepbx.models import ApplyRun, User
from littlepbx.services import quotas
from littlepbx.tenancy import OrgScope

APPLY_FIELDS = f.FieldSet({
    "notify": f.Boolean(label="E-mail when applied", default=False),
    "email": f.email("Notify this address", nullable=True, help="default: the organization's admin e-mail"),
})


def admin_addresses(scope: OrgScope) -> set[str]:
    """Where an Apply notice may go: the organization's admin e-mail and its admins' logins."""
    logins = {user.email.lower() for user in scope.all(User)}
    return logins | {scope.org.admin_email.lower()}


def current_run(scope: OrgScope) -> ApplyRun | None:
    """The organization's active run, or else its latest one, or None."""
    return scope.session.scalars(scope.select(ApplyRun).order_by(
        (ApplyRun.active_org_id.is_(None)), ApplyRun.id.desc())).first()


def active_run(scope: OrgScope) -> ApplyRun | None:
    """The organization's active run, or None."""
    return scope.find(ApplyRun, active_org_id=scope.org.id)


def request_apply(scope: OrgScope, notify: bool = False, email: str | None = None) -> ApplyRun:
    """Queue an Apply of the organization's draft; refused (409) while one is active."""
    scope.require("pbx.edit")
    values = APPLY_FIELDS.clean({"notify": notify, "email": email})
    if values.get("email") and values["email"].lower() not in admin_addresses(scope):
        raise fail("email", "not an admin of this organization",
                   "the notice goes to the organization's own admins only")
    running = active_run(scope)
    if running is not None:
        raise _already_running(running)
    quotas.require_apply_room(scope)
    run = ApplyRun(state=states.QUEUED, active_org_id=scope.org.id, requested_by=scope.actor.name,
                   notify=bool(values.get("notify")), notify_email=values.get("email"))
    scope.add(run)
    try:
        # The unique active_org_id settles two simultaneous requests: one of them fails here.
        with scope.session.begin_nested():
            scope.session.flush()
    except IntegrityError:
        raise _already_running(active_run(scope)) from None
    scope.audit("apply.request", str(run.id))
    return run


def stop(scope: OrgScope) -> ApplyRun:
    """Stop the active run if it has not begun writing; one already applying completes."""
    scope.require("pbx.edit")
    run = active_run(scope)
    if run is None:
        raise Conflict("no Apply is running")
    if run.state not in states.STOPPABLE_STATES or not transition(
            scope.session, run, "stop", message=f"stopped by {scope.actor.name}"):
        raise Conflict("the Apply is already inside its transaction and will complete",
                       detail={"run": as_dict(run)})
    scope.audit("apply.stop", str(run.id))
    return run


def _already_running(run: ApplyRun | None) -> Conflict:
    return Conflict("an Apply of this organization is already in progress",
                    detail={"run": as_dict(run) if run else None})
