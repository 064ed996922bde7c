"""Helpers to run an Apply in-process the way the worker does."""
from littlepbx import build_applier
from littlepbx.services import apply as apply_service
from tests.conftest import scope_of


def request(session, code: str, **kwargs):
    """Queue an Apply of ``code`` and commit; returns the run's id."""
    run = apply_service.request_apply(scope_of(session, code), **kwargs)
    session.commit()
    return run.id


def apply_now(app, session, code: str) -> str:
    """Request an Apply and step it until it ends (the org must have no calls); returns the state."""
    run_id = request(session, code)
    applier = build_applier(app)
    state = applier.step(run_id)
    session.expire_all()
    return state
