"""Ring groups through the REST API: members of the organization only, one number per thing a
phone dials, and references kept whole (a member a group rings cannot vanish)."""
from tests.support.apply_helpers import apply_now
from tests.support.recording_backend import pbx_rows

SALES = {"number": "600", "name": "Sales", "members": ["101", "+14155550123"], "strategy": "hunt",
         "ring_seconds": 15, "no_answer": "voicemail:101"}


def test_when_a_ring_group_is_created_then_it_is_answered_with_its_members_in_order(system_api, orgs):
    system_api.patch("/orgs/acme/extensions/101", json={"voicemail_enabled": True, "voicemail_pin": "4321"})
    answer = system_api.post("/orgs/acme/ringgroups", json=SALES)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json() == {**SALES, "cid_prefix": "", "music_class": None}
    listed = system_api.get("/orgs/acme/ringgroups").get_json()["items"]
    assert [group["members"] for group in listed] == [["101", "+14155550123"]]
    assert system_api.get("/orgs/globex/ringgroups").get_json()["items"] == []


def test_when_members_are_typed_as_one_line_then_they_become_the_list(system_api, orgs):
    system_api.post("/orgs/acme/extensions", json={"number": "102"})
    answer = system_api.post("/orgs/acme/ringgroups", json={"number": "600", "members": "102, 101, +1 415 555 0123"})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["members"] == ["102", "101", "+14155550123"]


def test_when_a_member_is_not_an_extension_of_the_organization_then_422_naming_it(system_api, orgs):
    system_api.post("/orgs/globex/extensions", json={"number": "102"})
    answer = system_api.post("/orgs/acme/ringgroups", json={"number": "600", "members": ["101", "102"]})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {"members": "no extension 102"}
    assert system_api.get("/orgs/acme/ringgroups/600").status_code == 404


def test_when_a_member_is_not_a_number_or_named_twice_then_422_naming_it(system_api, orgs):
    for members, named in ((["101", "t2-101"], "t2-101"), (["101&PJSIP/globex-101"], "101&PJSIP/globex-101"),
                           (["voicemail:101"], "voicemail:101"), (["101", "101"], "101 is named twice")):
        answer = system_api.post("/orgs/acme/ringgroups", json={"number": "600", "members": members})
        assert answer.status_code == 422, members
        assert answer.get_json()["error"]["fields"]["members"].startswith(named)


def test_when_a_number_is_already_an_extension_or_a_group_then_409(system_api, orgs):
    clash = system_api.post("/orgs/acme/ringgroups", json={"number": "101"})
    assert clash.status_code == 409 and "extension 101" in clash.get_json()["error"]["message"]
    assert system_api.post("/orgs/acme/ringgroups", json={"number": "600"}).status_code == 201
    clash = system_api.post("/orgs/acme/extensions", json={"number": "600"})
    assert clash.status_code == 409 and "ring group 600" in clash.get_json()["error"]["message"]
    # Another organization's numbers are its own business.
    assert system_api.post("/orgs/globex/ringgroups", json={"number": "600"}).status_code == 201


def test_when_a_group_is_referred_to_then_its_members_stay_and_deleting_it_unroutes_its_numbers(system_api, orgs):
    system_api.post("/orgs/acme/ringgroups", json={"number": "600", "members": ["101"]})
    routed = system_api.patch("/orgs/acme/dids/+14155550100", json={"destination": "ringgroup:600"})
    assert routed.status_code == 200 and routed.get_json()["destination"] == "ringgroup:600"
    member_refused = system_api.delete("/orgs/acme/extensions/101")
    assert member_refused.status_code == 409 and "ring group 600" in member_refused.get_json()["error"]["message"]
    # Deleting the group leaves the number ringing nobody (as deleting an extension does), and says so.
    deleted = system_api.delete("/orgs/acme/ringgroups/600")
    assert deleted.status_code == 200 and deleted.get_json() == {"unrouted_dids": ["+14155550100"]}
    assert system_api.get("/orgs/acme/dids/+14155550100").get_json()["destination"] is None


def test_when_a_destination_names_another_orgs_group_then_422(system_api, orgs):
    system_api.post("/orgs/globex/ringgroups", json={"number": "600"})
    answer = system_api.patch("/orgs/acme/dids/+14155550100", json={"destination": "ringgroup:600"})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {"destination": "no such ring group"}


def test_when_a_ring_group_is_applied_then_the_pbx_is_given_it(app, session, engine, system_api, orgs):
    system_api.post("/orgs/acme/extensions", json={"number": "102"})
    system_api.post("/orgs/acme/ringgroups", json={"number": "600", "members": ["102", "101"], "strategy": "memoryhunt",
                                                   "no_answer": "hangup", "cid_prefix": "Sales:"})
    system_api.patch("/orgs/acme/dids/+14155550100", json={"destination": "ringgroup:600"})
    assert pbx_rows(engine, "acme").get(("ringgroup", "600")) is None
    assert apply_now(app, session, "acme") == "applied"
    rows = pbx_rows(engine, "acme")
    assert rows[("ringgroup", "600")] == "memoryhunt|102 101|hangup|Sales:"
    assert rows[("did", "+14155550100")] == "ringgroup:600"


def test_when_a_group_sends_unanswered_calls_to_itself_then_422(system_api, orgs):
    system_api.post("/orgs/acme/ringgroups", json={"number": "600"})
    answer = system_api.patch("/orgs/acme/ringgroups/600", json={"no_answer": "ringgroup:600"})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {"no_answer": "not the group itself"}
    assert system_api.get("/orgs/acme/ringgroups/600").get_json()["no_answer"] == "hangup"
