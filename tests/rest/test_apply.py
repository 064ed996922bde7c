import time
from pathlib import Path

from littlepbx import build_applier
from littlepbx.services.apply import request_apply
from tests.conftest import scope_of, wait_until
from tests.support.recording_backend import pbx_rows, set_calls


def test_when_draft_edited_then_changes_show_it(system_api, orgs):
    changes = system_api.get("/orgs/acme/changes").get_json()
    assert changes["pending"] is True
    assert [e["number"] for e in changes["extensions"]["added"]] == ["101"]
    assert changes["extensions"]["added"][0]["sip_password"] == "(set)"


def test_when_apply_requested_then_202_and_the_worker_makes_it_live(system_api, orgs, app, engine):
    answer = system_api.post("/orgs/acme/apply")
    assert answer.status_code == 202
    run = answer.get_json()
    assert run["state"] == "queued" and run["active"] is True
    assert build_applier(app).step(run["id"]) == "applied"
    shown = system_api.get("/orgs/acme/apply").get_json()
    assert shown["id"] == run["id"] and shown["state"] == "applied"
    assert ("extension", "101") in pbx_rows(engine, "acme")
    assert system_api.get("/orgs/acme/changes").get_json()["pending"] is False


def test_when_apply_already_running_then_409_with_the_running_run(system_api, orgs):
    first = system_api.post("/orgs/acme/apply").get_json()
    answer = system_api.post("/orgs/acme/apply")
    assert answer.status_code == 409
    assert answer.get_json()["error"]["detail"]["run"]["id"] == first["id"]


def test_when_org_has_calls_then_apply_shows_it_waits_for_them(system_api, orgs, app, engine):
    set_calls(engine, "acme", 2)
    run = system_api.post("/orgs/acme/apply").get_json()
    build_applier(app).step(run["id"])
    shown = system_api.get("/orgs/acme/apply").get_json()
    assert shown["state"] == "waiting_for_calls" and shown["waiting_calls"] == 2
    assert shown["description"] == "waiting for 2 calls to end"
    set_calls(engine, "acme", 0)
    applier = build_applier(app)
    wait_until(lambda: applier.step(run["id"]) == "applied", what="the run to apply")


def test_when_apply_stopped_then_it_ends_stopped(system_api, orgs):
    system_api.post("/orgs/acme/apply")
    answer = system_api.post("/orgs/acme/apply/stop")
    assert answer.status_code == 200 and answer.get_json()["state"] == "stopped"
    assert system_api.get("/orgs/acme/apply").get_json()["state"] == "stopped"


def test_when_nothing_runs_then_stop_is_409(system_api, orgs):
    assert system_api.post("/orgs/acme/apply/stop").status_code == 409


def test_when_no_apply_ever_then_get_apply_is_404(system_api, orgs):
    answer = system_api.get("/orgs/acme/apply")
    assert answer.status_code == 404 and "no Apply" in answer.get_json()["error"]["message"]


def test_when_apply_notify_email_invalid_then_422(system_api, orgs):
    answer = system_api.post("/orgs/acme/apply", json={"notify": True, "email": "nope"})
    assert answer.status_code == 422
    assert system_api.get("/orgs/acme/apply").status_code == 404


def test_when_apply_body_is_not_an_object_then_422(system_api, orgs):
    assert system_api.post("/orgs/acme/apply", json=[1]).status_code == 422


def test_when_discarded_then_draft_equals_live(system_api, orgs, app):
    build_applier(app).step(system_api.post("/orgs/acme/apply").get_json()["id"])
    system_api.post("/orgs/acme/extensions", json={"number": "150"})
    answer = system_api.post("/orgs/acme/discard")
    assert answer.status_code == 200 and answer.get_json()["pending"] is False
    assert system_api.get("/orgs/acme/extensions/150").status_code == 404


def test_when_reset_then_draft_has_only_reception_and_dids_ring_it(system_api, orgs):
    answer = system_api.post("/orgs/acme/reset")
    assert answer.status_code == 200 and answer.get_json()["pending"] is True
    assert [e["number"] for e in system_api.get("/orgs/acme/extensions").get_json()["items"]] == ["100"]
    assert system_api.get("/orgs/acme/dids/+14155550100").get_json()["destination"] == "100"


def test_when_a_notice_is_asked_for_an_outsider_then_it_is_refused_and_nothing_queued(system_api, orgs):
    answer = system_api.post("/orgs/acme/apply", json={"notify": True, "email": "someone@elsewhere.example"})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {"email": "not an admin of this organization"}
    assert system_api.get("/orgs/acme/apply").status_code == 404
    own = system_api.post("/orgs/acme/apply", json={"notify": True, "email": "Admin@acme.example"})
    assert own.status_code == 202, own.get_json()


def test_when_apply_requested_then_a_worker_between_ticks_starts_it_at_once(system_api, orgs, app, session, engine,
                                                                             start_worker):
    # A worker that looks for work once a minute: globex's run, queued without a request to the
    # API, waits for that; acme's, requested over the API, wakes the worker at once.
    worker = start_worker(WORKER_POLL_SECONDS=60, DATA_DIR=app.config["DATA_DIR"])
    wait_until((Path(app.config["DATA_DIR"]) / "worker.wake").exists, timeout=30,
               what="the worker to listen for wake-ups")
    time.sleep(1)  # its first tick is over
    unannounced = request_apply(scope_of(session, "globex"))
    session.commit()
    time.sleep(2)
    assert system_api.get("/orgs/globex/apply").get_json()["state"] == "queued"

    run = system_api.post("/orgs/acme/apply").get_json()
    wait_until(lambda: system_api.get("/orgs/acme/apply").get_json()["state"] == "applied", timeout=10,
               what="acme's Apply to be done without waiting for the next tick")
    assert ("extension", "101") in pbx_rows(engine, "acme")
    assert system_api.get("/orgs/acme/apply").get_json()["id"] == run["id"]
    assert unannounced.id != run["id"] and worker.poll() is None
