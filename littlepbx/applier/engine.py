"""The steps of an Apply run, as the worker executes them.

Each step opens its own short transaction. The only long-lived thing is the
wait, and it holds no lock: it is just the run's state, polled again.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import select, text, update

from littlepbx import logs
from littlepbx.applier import states
from littlepbx.applier.runs import transition
from littlepbx.kinds.audio import old_uploads, prune_call_recordings, prune_files, prune_phone_recordings
from littlepbx.kinds.pbx import drafts_compared, live_config
from littlepbx.kinds.references import LiveRowCache, live_problems
from littlepbx.models import ApplyRun, AuditEntry, Organization, utcnow
from littlepbx.tenancy import SYSTEM, OrgScope

log = logging.getLogger(__name__)

UPKEEP_SECONDS = 3600  # how often the worker prunes LittlePBX's own data
# How long after each failed try an Apply's e-mail notice is tried again (then it is given up).
NOTICE_RETRIES = (60, 300, 900, 3600)


class ApplyRefused(Exception):
    """The draft cannot go live as it is; the message says why (nothing was changed)."""


class Applier:
    """Executes runs against one database and one PBX backend."""

    def __init__(self, db, backend, data_dir: str, notifier=None, moh_prune_after: float = 3600,
                 phone_recording_days: float = 7):
        self._next_upkeep = 0.0
        self.db = db
        self.backend = backend
        self.live_rows = LiveRowCache()
        self.data_dir = data_dir
        self.notifier = notifier
        self.moh_prune_after = moh_prune_after
        self.phone_recording_days = phone_recording_days

    def step(self, run_id: int) -> str:
        """Advance one run as far as it can go now; returns its state afterwards."""
        with logs.bound(run=run_id):
            return self._step(run_id)

    def _step(self, run_id: int) -> str:
        with self.db.session() as session:
            run = session.get(ApplyRun, run_id)
            if run is None:  # its organization was deleted meanwhile
                return "deleted"
            finished_before = run.state in states.FINAL_STATES
            org = session.get(Organization, run.org_id)
            org_id = org.id
            logs.bind_org(org.code)
            if finished_before:  # e.g. stopped by the admin: only the e-mail may be owed
                go = False
            elif run.state == states.APPLYING:
                go = self._resume(session, run)
            else:
                go = self._decide(session, run, org)
        applied = self._apply(run_id, org_id) if go else None
        if applied is not None:  # what the run is now is known: no need to read it again
            state, owed = states.APPLIED, applied
        else:
            with self.db.session() as session:
                run = session.get(ApplyRun, run_id)
                state = run.state
                owed = run.notified_at is None and (run.notify or run.waited)
        if state in states.FINAL_STATES and owed:
            self.notify(run_id)
        return state

    def _decide(self, session, run: ApplyRun, org: Organization) -> bool:
        """Count the organization's calls: wait while there are some, apply when none or at the deadline."""
        now = utcnow()
        if run.started_at is None:
            run.started_at = now
            run.wait_deadline = now + timedelta(seconds=org.apply_wait_seconds)
            session.flush()
        calls, problem = self._count_calls(org.code)
        if calls == 0:
            return transition(session, run, "apply", attempts=run.attempts + 1, waiting_calls=0,
                              message="")
        if now >= run.wait_deadline:
            note = (f"applied at the deadline with {calls} call(s) still up; they continue unchanged"
                    if calls else "applied at the deadline: the calls could not be counted")
            return transition(session, run, "apply", attempts=run.attempts + 1,
                              waiting_calls=calls or 0, message=note)
        transition(session, run, "wait", waiting_calls=calls or 0, waited=True,
                   message=problem or "")
        return False

    def _count_calls(self, code: str) -> tuple[int | None, str | None]:
        """The organization's active calls, or (None, why) when the PBX cannot tell."""
        try:
            return int(self.backend.active_calls(code)), None
        except Exception as exc:  # the PBX being down must not lose the run
            log.warning("cannot count calls of %s: %s", code, exc)
            return None, f"cannot count calls yet: {exc}"

    def _resume(self, session, run: ApplyRun) -> bool:
        """A run found APPLYING was interrupted before its commit: try again, or give up."""
        if run.attempts >= states.MAX_ATTEMPTS:
            transition(session, run, "fail", message=(
                f"interrupted {run.attempts} times; the live configuration is unchanged"))
            return False
        return transition(session, run, "resume", attempts=run.attempts + 1)

    def _apply(self, run_id: int, org_id: int) -> bool | None:
        """In ONE transaction: draft -> live, the PBX's realtime rows, the run marked applied.
        Returns whether the applied run owes its e-mail; None when it did not apply (failed,
        refused, or no longer APPLYING)."""
        try:
            with self.db.session() as session:
                org = session.scalars(select(Organization).where(Organization.id == org_id)
                                      .with_for_update()).one()
                run = session.scalars(select(ApplyRun).where(ApplyRun.id == run_id)
                                      .with_for_update()).one()
                if run.state != states.APPLYING:
                    return None
                scope = OrgScope(session, org, SYSTEM)
                changed, prints = drafts_compared(scope)
                for kind in changed:
                    scope.copy_rows(kind.draft, kind.live)
                session.flush()
                live = self.live_rows.rows(scope, prints)
                problems = live_problems(scope, live)
                if problems:
                    raise ApplyRefused("the configuration refers to objects it does not have: "
                                       + "; ".join(problems))
                pbx_config = live_config(scope, self.data_dir, live)
                notes = self.backend.write_org(session.connection(), pbx_config)
                message = "; ".join([run.message or self._summary(pbx_config, run), *notes])
                transition(session, run, "done", message=message)
                org.last_applied_at = run.finished_at
                org.last_applied_run_id = run.id
                session.add(AuditEntry(org_id=org.id, actor=run.requested_by, action="apply.done",
                                       target=str(run.id)))
                owed = bool(run.notify or run.waited)
        except ApplyRefused as refused:
            log.warning("apply run %s refused: %s", run_id, refused)
            self._fail(run_id, str(refused))
            return None
        except Exception as exc:
            log.exception("apply run %s failed", run_id)
            self._fail(run_id, f"{type(exc).__name__}: {exc}")
            return None
        self._after_commit(pbx_config)
        return owed

    def _after_commit(self, pbx_config) -> None:
        """Let the PBX pick up the committed rows and delete uploads no configuration uses any more;
        the rows are already live, so a failure here is only logged."""
        try:
            self.backend.after_commit(pbx_config)
        except Exception:
            log.exception("after-commit step for %s failed", pbx_config.code)
        try:
            if not any(old_uploads(self.data_dir, pbx_config.code, self.moh_prune_after).values()):
                return  # nothing could go (most Applies): no need to read the configuration
            with self.db.session() as session:
                org = session.scalars(select(Organization).where(Organization.code == pbx_config.code)).first()
                if org is not None:
                    prune_files(OrgScope(session, org, SYSTEM), self.data_dir, self.moh_prune_after)
        except Exception:
            log.exception("pruning unused audio uploads of %s failed", pbx_config.code)

    @staticmethod
    def _summary(pbx_config, run: ApplyRun) -> str:
        waited = " after waiting for calls to end" if run.waited else ""
        return (f"applied {len(pbx_config.extensions)} extension(s) and "
                f"{len(pbx_config.dids)} DID(s){waited}")

    def _fail(self, run_id: int, message: str) -> None:
        with self.db.session() as session:
            run = session.get(ApplyRun, run_id)
            if run.state in states.sources("fail"):
                transition(session, run, "fail", message=message[:2000])

    def notify(self, run_id: int) -> None:
        """E-mail the admin about a finished run that waited or asked for it, at most once; a
        failure is written on the run ("not sent: why") and tried again later (NOTICE_RETRIES)."""
        if self.notifier is None:
            return
        with self.db.session() as session:
            run = session.get(ApplyRun, run_id)
            if run is None or run.notified_at is not None or not (run.notify or run.waited):
                return
            attempt = run.notice_attempts + 1
            # Claim the e-mail before sending it: a worker killed after sending must not send
            # it twice, and an SMTP server that is down must not be retried every tick.
            claimed = session.execute(update(ApplyRun).where(ApplyRun.id == run_id,
                                                             ApplyRun.notified_at.is_(None))
                                      .values(notified_at=utcnow(), notice_retry_at=None,
                                              notice_attempts=attempt)).rowcount
            org = session.get(Organization, run.org_id)
            recipient = run.notify_email or org.admin_email
        if not claimed:
            return
        try:
            self.notifier(recipient, org, run)
        except Exception as error:
            log.warning("could not e-mail the result of run %s to %s: %s", run_id, recipient, error)
            self._notice_failed(run_id, recipient, attempt, str(error))
        else:
            self._set_notice(run_id, notice=f"notice sent to {recipient} at {utcnow():%Y-%m-%d %H:%M} UTC")

    def _notice_failed(self, run_id: int, recipient: str, attempt: int, why: str) -> None:
        """Say why on the run; release the claim for a later try while tries remain."""
        if attempt < len(NOTICE_RETRIES) + 1:
            delay = NOTICE_RETRIES[attempt - 1]
            self._set_notice(run_id, notice=f"notice not sent to {recipient}: {why} (try {attempt} of "
                                            f"{len(NOTICE_RETRIES) + 1}; again in {delay // 60} min)",
                             notified_at=None, notice_retry_at=utcnow() + timedelta(seconds=delay))
        else:
            self._set_notice(run_id, notice=f"notice not sent to {recipient}: {why} (gave up after {attempt} tries)")

    def _set_notice(self, run_id: int, **values) -> None:
        with self.db.session() as session:
            session.execute(update(ApplyRun).where(ApplyRun.id == run_id).values(**values))

    def retry_notices(self) -> None:
        """Try again the notices whose time has come (see notify)."""
        with self.db.session() as session:
            due = list(session.scalars(select(ApplyRun.id).where(ApplyRun.notice_retry_at <= utcnow(),
                                                                 ApplyRun.notified_at.is_(None))))
        for run_id in due:
            self.notify(run_id)

    def housekeeping(self) -> None:
        """The worker's upkeep: notices due for another try (each tick); and of LittlePBX's own
        data (hourly): audit entries past each
        organization's retention are deleted, recorded calls past each organization's
        recording_retention_days, and recordings made from phones that nobody used within
        PHONE_RECORDING_DAYS. One organization's failure is logged and the others go on."""
        self.retry_notices()
        now = time.monotonic()
        if now < self._next_upkeep:
            return
        self._next_upkeep = now + UPKEEP_SECONDS
        self.prune_audit()
        self.prune_call_recordings()
        try:
            prune_phone_recordings(self.data_dir, self.phone_recording_days)
        except OSError:
            log.exception("pruning old phone recordings failed; tried again at the next upkeep")

    def prune_call_recordings(self) -> None:
        """Delete each organization's recorded calls older than its recording_retention_days."""
        with self.db.session() as session:
            kept = dict(session.execute(select(Organization.code, Organization.recording_retention_days)).all())
        for code, days in kept.items():
            try:
                prune_call_recordings(self.data_dir, code, float(days))
            except Exception:
                log.exception("pruning the recorded calls of %s failed; tried again at the next upkeep", code)

    def prune_audit(self, lock_wait_seconds: int = 10) -> list[str]:
        """Delete each organization's audit entries older than its audit_retention_days; returns
        the codes whose pruning failed (logged; tried again at the next upkeep)."""
        with self.db.session() as session:
            org_ids = list(session.scalars(select(Organization.id)))
        failed = []
        for org_id in org_ids:
            try:
                with self.db.session() as session:
                    session.execute(text(f"SET SESSION innodb_lock_wait_timeout = {int(lock_wait_seconds)}"))
                    org = session.get(Organization, org_id)
                    if org is not None:
                        self._prune_org_audit(OrgScope(session, org, SYSTEM))
            except Exception:
                log.exception("pruning the audit log of organization %s failed; the others go on", org_id)
                failed.append(org_id)
        return failed

    @staticmethod
    def _prune_org_audit(scope: OrgScope) -> None:
        """Delete the org's entries past its retention by id: the read takes no lock, and the
        delete locks only those rows (never another organization's)."""
        cutoff = utcnow() - timedelta(days=scope.org.audit_retention_days)
        old = [row.id for row in scope.all(AuditEntry, AuditEntry.at < cutoff)]
        for start in range(0, len(old), 1000):
            scope.delete_where(AuditEntry, AuditEntry.id.in_(old[start:start + 1000]))

    def active_run_ids(self, partition: tuple[int, int] | None = None) -> list[int]:
        """Every run that is not final, oldest first (of a worker shard's ``partition`` only)."""
        with self.db.session() as session:
            return list(session.scalars(select(ApplyRun.id)
                                        .where(ApplyRun.state.in_(states.ACTIVE_STATES), *_of(partition))
                                        .order_by(ApplyRun.id)))

    def unnotified_run_ids(self, partition: tuple[int, int] | None = None) -> list[int]:
        """Runs ended in the last day whose e-mail is still owed (stopped by the admin, or the
        worker died right after the commit)."""
        since = utcnow() - timedelta(days=1)
        with self.db.session() as session:
            return list(session.scalars(
                select(ApplyRun.id).where(ApplyRun.state.in_(states.FINAL_STATES),
                                          ApplyRun.finished_at > since,
                                          ApplyRun.notified_at.is_(None),
                                          (ApplyRun.notify | ApplyRun.waited), *_of(partition))))


def _of(partition: tuple[int, int] | None) -> list:
    """The criterion of a worker shard's runs: those of organizations whose id modulo count is
    index (applier/shards.py); none for a worker that is one process."""
    if partition is None:
        return []
    index, count = partition
    return [ApplyRun.org_id % count == index]
