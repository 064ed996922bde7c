"""The worker as a real process: killed with SIGKILL mid-run, the live configuration is old or new, never mixed."""
import random
import signal
import subprocess

import pytest
from sqlalchemy import create_engine, select, text

from littlepbx.applier import states
from littlepbx.kinds import Extensions
from littlepbx.models import ApplyRun
from littlepbx.services import objects
from tests.conftest import make_org, scope_of, wait_until
from tests.support.apply_helpers import apply_now, request
from tests.support.recording_backend import pbx_rows, set_controls

pytestmark = pytest.mark.slow

OLD = {"101": "Old"}
NEW = {"101": "New", **{str(n): f"Ext {n}" for n in range(102, 112)}}


@pytest.fixture
def acme_old_live_new_draft(app, session):
    """acme runs OLD; its draft is NEW (one changed, ten added extensions)."""
    make_org(session, "acme")
    scope = scope_of(session, "acme")
    objects.create(scope, Extensions, {"number": "101", "display_name": "Old"})
    session.commit()
    assert apply_now(app, session, "acme") == states.APPLIED
    scope = scope_of(session, "acme")
    objects.update(scope, Extensions, "101", {"display_name": "New"})
    for number, name in NEW.items():
        if number != "101":
            objects.create(scope, Extensions, {"number": number, "display_name": name})
    session.commit()


def live_config(session):
    session.expire_all()
    org_id = scope_of(session, "acme").org.id
    return {e.number: e.display_name for e in session.scalars(
        select(Extensions.live).where(Extensions.live.org_id == org_id))}


def pbx_config(engine):
    return {name: value.split("|")[0] for (kind, name), value in pbx_rows(engine, "acme").items()
            if kind == "extension"}


def run_state(session, run_id):
    session.expire_all()
    return session.get(ApplyRun, run_id).state


def test_when_worker_is_killed_inside_the_transaction_then_old_config_stays_and_restart_applies(
        engine, session, tmp_path, acme_old_live_new_draft, start_worker):
    marker = tmp_path / "inside"
    set_controls(engine, "acme", write_delay=60, marker=str(marker))
    run_id = request(session, "acme")
    worker = start_worker()
    wait_until(marker.exists, timeout=30, what="the worker to be inside its transaction")
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert live_config(session) == OLD
    assert pbx_config(engine) == OLD
    assert run_state(session, run_id) == states.APPLYING

    set_controls(engine, "acme")
    start_worker()
    wait_until(lambda: run_state(session, run_id) == states.APPLIED, timeout=30,
               what="the restarted worker to resume the run")
    assert live_config(session) == NEW
    assert pbx_config(engine) == NEW


def test_when_worker_is_killed_at_random_moments_then_config_is_never_a_mix(
        engine, session, acme_old_live_new_draft, start_worker):
    set_controls(engine, "acme", write_delay=0.3)
    run_id = request(session, "acme")
    rng = random.Random(20261122)
    for _ in range(4):
        worker = start_worker()
        try:
            worker.wait(timeout=rng.uniform(0.3, 1.5))
        except subprocess.TimeoutExpired:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        assert live_config(session) in (OLD, NEW)
        assert pbx_config(engine) == live_config(session)
    set_controls(engine, "acme")
    start_worker()
    wait_until(lambda: run_state(session, run_id) in states.FINAL_STATES, timeout=30,
               what="the run to end")
    final = run_state(session, run_id)
    assert (final, live_config(session)) in ((states.APPLIED, NEW), (states.FAILED, OLD))
    assert pbx_config(engine) == live_config(session)


def worker_lock_holder(engine, database_url):
    """The MariaDB connection id holding the worker lock of the test database, or None."""
    from sqlalchemy import make_url, text
    name = "littlepbx.worker." + make_url(database_url).database
    with engine.connect() as connection:
        return connection.scalar(text("SELECT IS_USED_LOCK(:name)"), {"name": name})


def test_when_a_second_worker_starts_then_it_refuses(session, app, engine, database_url,
                                                     start_worker):
    first = start_worker()
    wait_until(lambda: worker_lock_holder(engine, database_url), timeout=30,
               what="the first worker to take its lock")
    second = start_worker()
    output, _ = second.communicate(timeout=30)
    assert second.returncode != 0
    assert "another LittlePBX worker is running" in output
    assert first.poll() is None


def test_when_worker_loses_its_database_connection_then_it_keeps_the_lock_and_goes_on_applying(
        session, app, engine, database_url, acme_old_live_new_draft, start_worker):
    first = start_worker()
    holder = wait_until(lambda: worker_lock_holder(engine, database_url), timeout=30,
                        what="the worker to take its lock")
    own = create_engine(database_url)  # an account may end its own connections (the worker's)
    with own.connect() as connection:
        connection.execute(text(f"KILL CONNECTION {int(holder)}"))  # as a server restart or wait_timeout would
    own.dispose()
    retaken = wait_until(lambda: (worker_lock_holder(engine, database_url) or holder) != holder, timeout=30,
                         what="the worker to take its lock again")
    assert retaken and first.poll() is None
    second = start_worker()
    output, _ = second.communicate(timeout=30)
    assert "another LittlePBX worker is running" in output
    run_id = request(session, "acme")
    wait_until(lambda: run_state(session, run_id) == states.APPLIED, timeout=30, what="the run to apply")
    assert live_config(session) == NEW
