"""The Apply engine: one transaction, one active run per org, waiting, Stop, failures, resume."""
import threading

import pytest
from sqlalchemy import select, update

from littlepbx import build_applier
from littlepbx.applier import states
from littlepbx.errors import Conflict
from littlepbx.kinds import Extensions
from littlepbx.models import ApplyRun
from littlepbx.services import apply as apply_service
from littlepbx.services import objects
from tests.conftest import make_org, scope_of
from tests.support.apply_helpers import apply_now, request
from tests.support.recording_backend import pbx_rows, set_calls, set_controls


@pytest.fixture
def two_orgs(session):
    for code in ("acme", "beta"):
        make_org(session, code)
        objects.create(scope_of(session, code), Extensions, {"number": "101",
                                                              "display_name": code.title()})
    session.commit()


def live_numbers(session, code):
    org_id = scope_of(session, code).org.id
    session.expire_all()
    return sorted(session.scalars(select(Extensions.live.number)
                                  .where(Extensions.live.org_id == org_id)))


def run_of(session, run_id):
    session.expire_all()
    return session.get(ApplyRun, run_id)


def test_when_applied_then_live_rows_and_pbx_rows_hold_the_draft(app, engine, session, two_orgs):
    assert apply_now(app, session, "acme") == "applied"
    assert live_numbers(session, "acme") == ["101"]
    assert ("extension", "101") in pbx_rows(engine, "acme")
    assert live_numbers(session, "beta") == [] and pbx_rows(engine, "beta") == {}


def test_when_backend_fails_inside_the_transaction_then_nothing_changes_and_run_says_why(
        app, engine, session, two_orgs):
    apply_now(app, session, "acme")
    objects.create(scope_of(session, "acme"), Extensions, {"number": "102"})
    session.commit()
    set_controls(engine, "acme", fail_message="disk on fire")
    run_id = request(session, "acme")
    assert build_applier(app).step(run_id) == states.FAILED
    assert "disk on fire" in run_of(session, run_id).message
    assert live_numbers(session, "acme") == ["101"]
    assert set(pbx_rows(engine, "acme")) == {("extension", "101")}


def test_when_apply_requested_twice_then_second_is_refused_with_the_running_one(session, two_orgs):
    first = request(session, "acme")
    with pytest.raises(Conflict) as error:
        apply_service.request_apply(scope_of(session, "acme"))
    assert error.value.detail["run"]["id"] == first
    session.rollback()
    assert request(session, "beta") != first, "another org applies independently"


def test_when_two_requests_race_then_exactly_one_run_is_active(app, session, two_orgs):
    from littlepbx.extensions import db
    database = db.of(app)  # the threads have no app context of their own
    outcomes = []

    def ask():
        with database.session() as own:
            try:
                apply_service.request_apply(scope_of(own, "acme"))
                outcomes.append("queued")
            except Conflict:
                outcomes.append("refused")
    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["queued", "refused", "refused", "refused"]


def test_when_org_has_calls_then_run_waits_showing_how_many_and_applies_after_they_end(
        app, engine, session, two_orgs):
    set_calls(engine, "acme", 2)
    run_id = request(session, "acme")
    applier = build_applier(app)
    assert applier.step(run_id) == states.WAITING
    run = run_of(session, run_id)
    assert run.waiting_calls == 2
    from littlepbx.applier.runs import describe
    assert describe(run) == "waiting for 2 calls to end"
    assert live_numbers(session, "acme") == []
    set_calls(engine, "acme", 0)
    assert applier.step(run_id) == states.APPLIED
    assert live_numbers(session, "acme") == ["101"]
    assert "after waiting" in run_of(session, run_id).message


def test_when_two_orgs_wait_then_each_applies_when_its_own_calls_end(app, engine, session,
                                                                      two_orgs):
    set_calls(engine, "acme", 1)
    set_calls(engine, "beta", 1)
    acme_run, beta_run = request(session, "acme"), request(session, "beta")
    applier = build_applier(app)
    assert applier.step(acme_run) == applier.step(beta_run) == states.WAITING
    set_calls(engine, "beta", 0)
    assert applier.step(beta_run) == states.APPLIED
    assert applier.step(acme_run) == states.WAITING
    assert live_numbers(session, "beta") == ["101"] and live_numbers(session, "acme") == []


def test_when_deadline_passes_with_calls_up_then_it_applies_and_says_so(app, engine, session):
    make_org(session, "quick", apply_wait_seconds=0)
    objects.create(scope_of(session, "quick"), Extensions, {"number": "101"})
    session.commit()
    set_calls(engine, "quick", 3)
    run_id = request(session, "quick")
    assert build_applier(app).step(run_id) == states.APPLIED
    assert "3 call(s) still up" in run_of(session, run_id).message


def test_when_pbx_cannot_count_calls_then_run_keeps_waiting_and_says_why(app, engine, session,
                                                                          two_orgs):
    set_calls(engine, "acme", -1)
    run_id = request(session, "acme")
    assert build_applier(app).step(run_id) == states.WAITING
    assert "cannot count calls" in run_of(session, run_id).message


def test_when_stopped_while_waiting_then_nothing_is_applied(app, engine, session, two_orgs):
    set_calls(engine, "acme", 1)
    run_id = request(session, "acme")
    applier = build_applier(app)
    applier.step(run_id)
    stopped = apply_service.stop(scope_of(session, "acme"))
    session.commit()
    assert stopped.state == states.STOPPED
    set_calls(engine, "acme", 0)
    assert applier.step(run_id) == states.STOPPED
    assert live_numbers(session, "acme") == []
    assert request(session, "acme"), "a new Apply may start after a Stop"


def test_when_stop_requested_while_applying_then_it_is_refused_and_run_completes(
        app, session, two_orgs):
    run_id = request(session, "acme")
    session.execute(update(ApplyRun).where(ApplyRun.id == run_id)
                    .values(state=states.APPLYING, attempts=1))
    session.commit()
    with pytest.raises(Conflict, match="already inside its transaction"):
        apply_service.stop(scope_of(session, "acme"))
    session.rollback()
    assert build_applier(app).step(run_id) == states.APPLIED


def test_when_no_run_is_active_then_stop_says_so(session, two_orgs):
    with pytest.raises(Conflict, match="no Apply is running"):
        apply_service.stop(scope_of(session, "acme"))


def test_when_run_found_applying_too_often_then_it_fails_leaving_live_unchanged(
        app, session, two_orgs):
    run_id = request(session, "acme")
    session.execute(update(ApplyRun).where(ApplyRun.id == run_id)
                    .values(state=states.APPLYING, attempts=states.MAX_ATTEMPTS))
    session.commit()
    assert build_applier(app).step(run_id) == states.FAILED
    assert "interrupted" in run_of(session, run_id).message
    assert live_numbers(session, "acme") == []


def test_when_run_ends_then_the_org_slot_is_free_and_last_applied_is_recorded(
        app, session, two_orgs):
    apply_now(app, session, "acme")
    org = scope_of(session, "acme").org
    session.refresh(org)
    assert org.last_applied_at is not None
    assert apply_service.active_run(scope_of(session, "acme")) is None
    assert apply_service.current_run(scope_of(session, "acme")).state == states.APPLIED


def test_when_one_org_is_inside_its_apply_transaction_then_another_org_applies_and_edits_freely(
        app, engine, session, two_orgs, tmp_path):
    marker = tmp_path / "acme-inside"
    set_controls(engine, "acme", write_delay=4, marker=str(marker))
    acme_run, beta_run = request(session, "acme"), request(session, "beta")
    acme_thread = threading.Thread(target=build_applier(app).step, args=(acme_run,))
    acme_thread.start()
    try:
        from tests.conftest import wait_until
        wait_until(marker.exists, what="acme to be inside its transaction")
        objects.create(scope_of(session, "beta"), Extensions, {"number": "102"})
        session.commit()
        assert build_applier(app).step(beta_run) == states.APPLIED
        assert acme_thread.is_alive(), "beta finished while acme's transaction was still open"
        assert live_numbers(session, "beta") == ["101", "102"]
    finally:
        acme_thread.join()
    assert run_of(session, acme_run).state == states.APPLIED


def test_when_org_is_deleted_while_its_run_waits_then_the_worker_step_ends_quietly(
        app, engine, session, two_orgs):
    from littlepbx import get_backend
    from littlepbx.services import orgs
    set_calls(engine, "acme", 1)
    run_id = request(session, "acme")
    applier = build_applier(app)
    applier.step(run_id)
    orgs.delete_org(scope_of(session, "acme"), get_backend(app))
    session.commit()
    assert applier.step(run_id) == "deleted"
    assert applier.active_run_ids() == []


def test_when_the_worker_ticks_then_the_pbx_gets_its_housekeeping(app):
    from littlepbx import get_backend
    from littlepbx.applier.worker import Worker
    worker = Worker(build_applier(app), poll_seconds=0.1, threads=2)
    worker.tick()
    worker.pool.shutdown(wait=True)
    assert get_backend(app).housekeeping_calls == 1


def test_when_only_a_flag_or_an_emptied_value_differs_then_apply_still_makes_it_live(app, session, two_orgs):
    """An Apply copies only the kinds whose draft differs from live (compared by a digest of their
    rows): a boolean switched or a value emptied must count as a difference, in any kind."""
    scope = scope_of(session, "acme")
    objects.update(scope, Extensions, "101", {"voicemail_email": "ops@acme.example", "record_calls": True})
    session.commit()
    assert apply_now(app, session, "acme") == states.APPLIED
    for change in ({"record_calls": False}, {"voicemail_email": None}, {"ring_seconds": 21}):
        objects.update(scope_of(session, "acme"), Extensions, "101", change)
        session.commit()
        assert apply_now(app, session, "acme") == states.APPLIED
        live = objects.find(scope_of(session, "acme"), Extensions, "101", live=True)
        name, value = next(iter(change.items()))
        assert getattr(live, name) == value, change
    beta = objects.find(scope_of(session, "beta"), Extensions, "101", live=True)
    assert beta is None, "beta's draft was never applied: its live configuration stays empty"


def test_the_worker_gives_the_pbx_the_live_rows_as_they_are_though_it_keeps_what_it_read(
        app, engine, session, two_orgs):
    """One applier, many Applies (as the worker): it reads a kind's live rows again only when their
    fingerprint changed, whoever changed them; a failed Apply leaves nothing wrong behind."""
    applier = build_applier(app)

    def applied(code: str, **changes) -> dict:
        if changes:
            objects.update(scope_of(session, code), Extensions, "101", changes)
            session.commit()
        assert applier.step(request(session, code)) == states.APPLIED
        return pbx_rows(engine, code)

    assert applied("acme")[("extension", "101")].startswith("Acme|")
    objects.create(scope_of(session, "acme"), Extensions, {"number": "102", "display_name": "Two"})
    session.commit()
    assert applied("acme")[("extension", "101")].startswith("Acme|"), "an unchanged row, as it was"
    assert applied("beta", display_name="Beta 2")[("extension", "101")].startswith("Beta 2|")
    # Someone else changed acme's draft and live rows alike (as a restore does): no kind differs
    # from its draft, yet the next Apply gives the PBX the rows as they are now.
    acme = scope_of(session, "acme").org.id
    with engine.begin() as connection:
        for model in (Extensions.draft, Extensions.live):
            connection.execute(update(model).where(model.number == "102", model.org_id == acme)
                               .values(display_name="Restored"))
    assert applied("acme")[("extension", "102")].startswith("Restored|")
    # A failed Apply, then the same draft applied: the PBX gets what is live.
    set_controls(engine, "acme", fail_message="disk on fire")
    objects.update(scope_of(session, "acme"), Extensions, "101", {"display_name": "Never"})
    session.commit()
    assert applier.step(request(session, "acme")) == states.FAILED
    set_controls(engine, "acme")
    objects.update(scope_of(session, "acme"), Extensions, "101", {"display_name": "Acme"})
    session.commit()
    assert applied("acme")[("extension", "101")].startswith("Acme|")
    assert applied("acme", ring_seconds=33)[("extension", "101")].endswith("|33")
