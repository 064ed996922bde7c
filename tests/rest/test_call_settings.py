"""The organization's call settings through the REST API: its parking slots and the announcement
outside callers hear before a recorded call, drafted like every setting and given to the PBX on
Apply; bad values are refused naming the field, and another organization's are out of reach."""
from tests.support.apply_helpers import apply_now
from tests.support.recording_backend import pbx_rows

DEFAULTS = {"parking_first": 701, "parking_slots": 20, "recording_notice": None}


def test_call_settings_start_at_the_defaults_and_change_on_apply(system_api, orgs, app, session, engine):
    assert system_api.get("/orgs/acme/callsettings").get_json() == DEFAULTS
    assert system_api.post("/orgs/acme/announcements", json={"name": "recorded"}).status_code == 201
    answer = system_api.patch("/orgs/acme/callsettings",
                              json={"parking_first": 801, "parking_slots": 5, "recording_notice": "recorded"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"parking_first": 801, "parking_slots": 5, "recording_notice": "recorded"}
    changes = system_api.get("/orgs/acme/changes").get_json()
    assert changes["pending"] is True
    assert apply_now(app, session, "acme") == "applied"
    rows = pbx_rows(engine, "acme")
    assert rows[("callsettings", "parking")] == "801-805" and rows[("callsettings", "recording_notice")] == "recorded"
    assert apply_now(app, session, "globex") == "applied"
    assert ("callsettings", "parking") not in pbx_rows(engine, "globex"), "globex keeps the defaults"
    assert system_api.get("/orgs/globex/callsettings").get_json() == DEFAULTS


def test_bad_call_settings_are_refused_naming_the_field_and_nothing_changes(system_api, acme_api, orgs):
    for data, field in (({"parking_first": 5}, "parking_first"), ({"parking_slots": 0}, "parking_slots"),
                        ({"parking_first": 999990, "parking_slots": 20}, "parking_slots"),
                        ({"recording_notice": "nobody"}, "recording_notice"),
                        ({"recording_notice": "Bad Name"}, "recording_notice"), ({"parking": 1}, "parking")):
        answer = system_api.patch("/orgs/acme/callsettings", json=data)
        assert answer.status_code == 422 and field in answer.get_json()["error"]["fields"], (data, answer.get_json())
    assert system_api.get("/orgs/acme/callsettings").get_json() == DEFAULTS
    assert acme_api.patch("/orgs/globex/callsettings", json={"parking_first": 801}).status_code in (403, 404)
    assert system_api.get("/orgs/globex/callsettings").get_json() == DEFAULTS


def test_deleting_the_notices_announcement_leaves_no_notice(system_api, orgs):
    system_api.post("/orgs/acme/announcements", json={"name": "recorded"})
    system_api.patch("/orgs/acme/callsettings", json={"recording_notice": "recorded"})
    deleted = system_api.delete("/orgs/acme/announcements/recorded")
    assert deleted.status_code == 200 and deleted.get_json()["unrouted_callsettings"] == ["call settings"], deleted.get_json()
    assert system_api.get("/orgs/acme/callsettings").get_json()["recording_notice"] is None
