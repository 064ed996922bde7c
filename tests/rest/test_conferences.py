"""Conference rooms through the REST API: drafted, checked, reachable as a destination and by
number, handed to the PBX on Apply; another organization's rooms are not its own."""
from tests.support.apply_helpers import apply_now
from tests.support.recording_backend import pbx_rows


def test_a_room_is_drafted_then_given_to_the_pbx_and_is_a_destination(system_api, orgs, app, session, engine):
    created = system_api.post("/orgs/acme/conferences", json={"number": "850", "name": "Weekly", "pin": "1234",
                                                              "moderator_pin": "9999", "wait_for_moderator": True,
                                                              "max_members": 5})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["pin"] == "1234"
    assert system_api.post("/orgs/acme/dids", json={"number": "+14155550188",
                                                     "destination": "conference:850"}).status_code == 201
    assert apply_now(app, session, "acme") == "applied"
    assert pbx_rows(engine, "acme")[("conference", "850")] == "pin|moderator|wait|5|"


def test_bad_rooms_are_refused_next_to_the_field_and_nothing_is_kept(system_api, orgs):
    bad = system_api.post("/orgs/acme/conferences", json={"number": "8", "pin": "12", "max_members": 1})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"number", "pin", "max_members"}
    waiting = system_api.post("/orgs/acme/conferences", json={"number": "851", "wait_for_moderator": True})
    assert waiting.status_code == 422 and "moderator_pin" in waiting.get_json()["error"]["fields"]
    same = system_api.post("/orgs/acme/conferences", json={"number": "852", "pin": "4321", "moderator_pin": "4321"})
    assert same.status_code == 422 and "moderator_pin" in same.get_json()["error"]["fields"]
    assert system_api.get("/orgs/acme/conferences").get_json()["total"] == 0


def test_a_room_takes_a_number_no_other_of_the_orgs_numbers_has_and_is_the_orgs_own(system_api, orgs):
    assert system_api.post("/orgs/acme/conferences", json={"number": "850"}).status_code == 201
    taken = system_api.post("/orgs/acme/ringgroups", json={"number": "850"})
    assert taken.status_code in (409, 422), taken.get_json()
    assert system_api.post("/orgs/globex/conferences", json={"number": "850"}).status_code == 201
    stranger = system_api.post("/orgs/globex/dids", json={"number": "+14155550189", "destination": "conference:851"})
    assert stranger.status_code == 422 and "destination" in stranger.get_json()["error"]["fields"]
