"""Moving a run between states: a conditional UPDATE, so the worker and Stop never overwrite each other."""
from __future__ import annotations

from sqlalchemy import update

from littlepbx.applier import states
from littlepbx.models import ApplyRun, utcnow


def transition(session, run: ApplyRun, event: str, **fields) -> bool:
    """Apply ``event`` to ``run`` if it is still in the state we last saw.

    Raises InvalidTransition if the table forbids it; returns False (and
    refreshes the run) if someone else moved the run first.
    """
    target = states.next_state(run.state, event)
    values = dict(fields, state=target, updated_at=utcnow())
    if target in states.FINAL_STATES:
        values.update(active_org_id=None, finished_at=utcnow())
    result = session.execute(update(ApplyRun)
                             .where(ApplyRun.id == run.id, ApplyRun.state == run.state)
                             .values(**values).execution_options(synchronize_session=False))
    session.refresh(run)
    return result.rowcount == 1


def describe(run: ApplyRun) -> str:
    """One sentence a person can read: what the run is doing or how it ended."""
    if run.state == states.QUEUED:
        return "queued: waiting for the worker to pick it up"
    if run.state == states.WAITING:
        calls = "1 call" if run.waiting_calls == 1 else f"{run.waiting_calls} calls"
        return f"waiting for {calls} to end"
    if run.state == states.APPLYING:
        return "applying: writing the new configuration"
    if run.state == states.APPLIED:
        return run.message or "applied"
    if run.state == states.STOPPED:
        return run.message or "stopped before anything was changed"
    return f"failed: {run.message}" if run.message else "failed"


def as_dict(run: ApplyRun) -> dict:
    """The public shape of a run."""
    def iso(moment):
        return moment.isoformat(timespec="milliseconds") + "Z" if moment else None
    return {"id": run.id, "state": run.state, "active": run.state in states.ACTIVE_STATES,
            "waiting_calls": run.waiting_calls, "description": describe(run),
            "message": run.message, "requested_by": run.requested_by,
            "requested_at": iso(run.requested_at), "started_at": iso(run.started_at),
            "finished_at": iso(run.finished_at), "wait_deadline": iso(run.wait_deadline),
            "notify": run.notify, "attempts": run.attempts, "notice": run.notice or None}
