"""Blocked callers through the REST API: a number or a prefix, refused or sent to one of the
organization's own destinations, handed to the PBX on Apply."""
from tests.support.apply_helpers import apply_now
from tests.support.recording_backend import pbx_rows


def test_blocked_callers_are_drafted_then_given_to_the_pbx(system_api, orgs, app, session, engine):
    assert system_api.post("/orgs/acme/blocked_callers", json={"number": "+1 415 555 0123", "note": "spam"}
                           ).status_code == 201
    assert system_api.post("/orgs/acme/blocked_callers", json={"number": "1900", "match": "prefix",
                                                                "then_destination": "voicemail:101"}).status_code == 201
    listed = system_api.get("/orgs/acme/blocked_callers").get_json()["items"]
    assert [(b["number"], b["match"], b["then_destination"]) for b in listed] == [
        ("+14155550123", "exact", None), ("1900", "prefix", "voicemail:101")]
    assert apply_now(app, session, "acme") == "applied"
    rows = pbx_rows(engine, "acme")
    assert rows[("blocked", "+14155550123")] == "exact|refuse" and rows[("blocked", "1900")] == "prefix|voicemail:101"


def test_a_bad_number_or_another_orgs_destination_is_refused(system_api, orgs):
    bad = system_api.post("/orgs/acme/blocked_callers", json={"number": "12", "match": "anything"})
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"number", "match"}
    stranger = system_api.post("/orgs/acme/blocked_callers", json={"number": "+14155550123",
                                                                    "then_destination": "ringgroup:999"})
    assert stranger.status_code == 422 and "then_destination" in stranger.get_json()["error"]["fields"]
    assert system_api.get("/orgs/acme/blocked_callers").get_json()["total"] == 0
