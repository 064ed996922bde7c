"""The staged workflow: /changes, /apply, /apply/stop, /discard, /reset."""
from flask import current_app

from littlepbx.applier.runs import as_dict as run_as_dict
from littlepbx.applier.wake import wake
from littlepbx.errors import NotFound
from littlepbx.rest.common import api, committed, optional_body, scope
from littlepbx.services import apply, drafts


@api.get("/orgs/<code>/changes")
def changes(code):
    """The pending diff of the draft against the live configuration."""
    return committed(drafts.diff(scope(code)))


@api.post("/orgs/<code>/apply")
def request_apply(code):
    """Queue an Apply: 202 with the run; 409 with the running one."""
    data = optional_body()
    run = apply.request_apply(scope(code), data.get("notify", False), data.get("email"))
    answer = committed(run_as_dict(run), 202)
    wake(current_app.config["DATA_DIR"])
    return answer


@api.get("/orgs/<code>/apply")
def current_run(code):
    """The active run, or else the latest one."""
    org_scope = scope(code)
    run = apply.current_run(org_scope)
    if run is None:
        raise NotFound(f"no Apply has been requested in organization {org_scope.org.code}")
    return committed(run_as_dict(run))


@api.post("/orgs/<code>/apply/stop")
def stop(code):
    """Stop the active run if it has not begun writing."""
    return committed(run_as_dict(apply.stop(scope(code))))


@api.post("/orgs/<code>/discard")
def discard(code):
    """Replace the draft with the live configuration; answers the (now empty) diff."""
    org_scope = scope(code)
    drafts.discard(org_scope)
    return committed(drafts.diff(org_scope))


@api.post("/orgs/<code>/reset")
def reset(code):
    """Replace the admin's part of the draft with the defaults; answers the diff."""
    org_scope = scope(code)
    drafts.reset(org_scope)
    return committed(drafts.diff(org_scope))
