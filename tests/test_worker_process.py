"""The worker as a real process: killed with SIGKILL mid-run, the live configuration is old or new, never mixed."""
import os
import random
import signal
import subprocess
from pathlib import Path

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


def shard_processes(worker) -> set[int]:
    """The worker's shard processes (applier/shards.py), by pid."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if parent == worker.pid and b"spawn_main" in command:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def applied_all(session, run_ids) -> bool:
    return all(run_state(session, run_id) == states.APPLIED for run_id in run_ids)


def test_the_worker_applies_in_its_processes_restarts_one_that_dies_and_takes_them_all_along_when_killed(
        session, engine, tmp_path, start_worker):
    """WORKER_PROCESSES=3: organizations of every share are applied; a shard killed on its own is
    started again; the worker killed takes its shards along, one inside its transaction included
    (which rolls back); stopped, it ends them all cleanly."""
    codes = [f"org{n}" for n in range(6)]
    for code in codes:
        make_org(session, code)
        objects.create(scope_of(session, code), Extensions, {"number": "101", "display_name": code})
        session.commit()
    worker = start_worker(WORKER_PROCESSES=3)
    shards = wait_until(lambda: len(shard_processes(worker)) == 3 and shard_processes(worker),
                        timeout=30, what="three worker processes")
    run_ids = [request(session, code) for code in codes]
    wait_until(lambda: applied_all(session, run_ids), timeout=30, what="every organization's Apply")
    assert all(pbx_rows(engine, code)[("extension", "101")].startswith(f"{code}|") for code in codes)

    victim = min(shards)
    os.kill(victim, signal.SIGKILL)
    replaced = wait_until(lambda: len(shard_processes(worker) - {victim}) == 3 and shard_processes(worker),
                          timeout=30, what="the killed worker process to be replaced")
    run_ids = [request(session, code) for code in codes]
    wait_until(lambda: applied_all(session, run_ids), timeout=30, what="every Apply after the restart")

    marker = tmp_path / "inside"
    set_controls(engine, "org0", write_delay=60, marker=str(marker))
    objects.update(scope_of(session, "org0"), Extensions, "101", {"display_name": "Never"})
    session.commit()
    stuck = request(session, "org0")
    wait_until(marker.exists, timeout=30, what="a worker process inside its transaction")
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    wait_until(lambda: not any(alive(pid) for pid in replaced), timeout=10,
               what="the worker's processes to die with it")
    assert run_state(session, stuck) == states.APPLYING
    assert pbx_rows(engine, "org0")[("extension", "101")].startswith("org0|"), "rolled back"

    set_controls(engine, "org0")
    second = start_worker(WORKER_PROCESSES=3)
    wait_until(lambda: run_state(session, stuck) == states.APPLIED, timeout=30,
               what="the next worker to resume the run")
    processes = wait_until(lambda: shard_processes(second), timeout=30, what="its processes")
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=60) == 0
    assert not any(alive(pid) for pid in processes)


def test_a_worker_stopped_while_its_processes_start_still_exits(session, start_worker):
    """systemd may stop the worker at any moment, before its first tick too: the signal is never lost."""
    worker = start_worker(WORKER_PROCESSES=2)
    wait_until(lambda: shard_processes(worker), timeout=30, what="the worker to start its processes")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0
