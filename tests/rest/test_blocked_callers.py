"""Blocked callers through the REST API: a number or a prefix, refused or sent to one of the
organization's own destinations, handed to the PBX on Apply; and the callers its phones blocked
(*32), listed and unblocked at once."""
from tests.support.apply_helpers import apply_now
from tests.support.recording_backend import add_phone_block, pbx_rows


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


def test_callers_a_phone_blocked_are_listed_and_unblocked_at_once_within_the_org_only(
        system_api, acme_api, orgs, engine, app, session):
    assert apply_now(app, session, "acme") == "applied"
    add_phone_block(engine, "acme", "+14155550199", "101", minutes_ago=5)
    add_phone_block(engine, "acme", "+33140000000", "102")
    add_phone_block(engine, "globex", "+14155550188", "101")
    listed = system_api.get("/orgs/acme/phone-blocks").get_json()["items"]
    assert [(b["number"], b["extension"]) for b in listed] == [("+33140000000", "102"), ("+14155550199", "101")]
    assert listed[0]["created"].endswith("Z")
    acme = acme_api
    assert acme.get("/orgs/globex/phone-blocks").status_code in (403, 404), "another org's list is not shown"
    assert acme.delete("/orgs/acme/phone-blocks/+14155550188").status_code == 404, "globex's block is not acme's"
    assert acme.delete("/orgs/acme/phone-blocks/+14155550199").status_code == 204
    assert [b["number"] for b in acme.get("/orgs/acme/phone-blocks").get_json()["items"]] == ["+33140000000"]
    assert acme.delete("/orgs/acme/phone-blocks/+14155550199").status_code == 404
    assert acme.delete("/orgs/acme/phone-blocks/12&x").status_code == 404
    assert [b["number"] for b in system_api.get("/orgs/globex/phone-blocks").get_json()["items"]] == ["+14155550188"]
    assert system_api.get("/orgs/acme/changes").get_json()["pending"] is False, "no Apply is needed"
    actions = [entry["action"] for entry in system_api.get("/orgs/acme/audit").get_json()["items"]]
    assert "phone_block.delete" in actions
