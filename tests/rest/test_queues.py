"""Queues through the REST API: members are the organization's extensions, destinations are its
own, the queue is handed to the PBX on Apply, and its figures are the organization's only."""
from tests.support.apply_helpers import apply_now
from tests.support.recording_backend import pbx_rows, set_queue_figures

SUPPORT = {"number": "500", "name": "Support", "members": ["101"], "login_required": True, "strategy": "rrmemory",
           "ring_seconds": 20, "wrapup_seconds": 10, "max_wait_seconds": 120, "timeout_destination": "voicemail:101",
           "max_callers": 5, "full_destination": "hangup", "announce_seconds": 30, "music_class": None,
           "record_calls": True}


def test_when_a_queue_is_created_then_it_is_answered_as_written(system_api, orgs):
    answer = system_api.post("/orgs/acme/queues", json=SUPPORT)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json() == SUPPORT
    assert system_api.get("/orgs/globex/queues").get_json()["items"] == []


def test_when_a_member_or_destination_is_not_the_orgs_then_422_and_nothing_kept(system_api, orgs):
    system_api.post("/orgs/globex/extensions", json={"number": "102"})
    system_api.post("/orgs/globex/queues", json={"number": "501"})
    for changes, field, message in (({"members": ["101", "102"]}, "members", "no extension 102"),
                                    ({"members": ["+14155550123"]}, "members", "+14155550123"),
                                    ({"timeout_destination": "queue:501"}, "timeout_destination", "no such queue"),
                                    ({"strategy": "linear"}, "strategy", ""),
                                    ({"max_wait_seconds": 5}, "max_wait_seconds", "")):
        answer = system_api.post("/orgs/acme/queues", json={"number": "500", **changes})
        assert answer.status_code == 422, changes
        assert message in answer.get_json()["error"]["fields"][field], answer.get_json()
    assert system_api.get("/orgs/acme/queues").get_json()["items"] == []


def test_when_a_queue_sends_callers_to_itself_then_422(system_api, orgs):
    system_api.post("/orgs/acme/queues", json={"number": "500"})
    answer = system_api.patch("/orgs/acme/queues/500", json={"full_destination": "queue:500"})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {"full_destination": "not the queue itself"}


def test_when_a_queue_is_applied_then_the_pbx_is_given_it_and_its_figures_are_shown(app, session, engine,
                                                                                     system_api, acme_api, orgs):
    system_api.post("/orgs/acme/queues", json=SUPPORT)
    system_api.patch("/orgs/acme/dids/+14155550100", json={"destination": "queue:500"})
    assert apply_now(app, session, "acme") == "applied"
    assert pbx_rows(engine, "acme")[("queue", "500")] == "101|login|rrmemory|20|10|120|voicemail:101|5|hangup|30|"
    set_queue_figures(engine, "acme", "500", waiting=2, answered=7, abandoned=1, timed_out=1, average_wait=12.5)
    set_queue_figures(engine, "globex", "500", answered=99)
    figures = acme_api.get("/orgs/acme/queues/stats").get_json()
    assert figures["queues"] == [{"number": "500", "name": "Support", "waiting": 2, "answered": 7, "abandoned": 1,
                                  "timed_out": 1, "average_wait_seconds": 12.5}]
    assert acme_api.get("/orgs/globex/queues/stats").status_code == 404
