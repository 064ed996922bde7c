"""Paging groups through the REST API: extensions of the organization only, one number per thing
a phone dials, and the group handed to the PBX on Apply."""
from tests.support.apply_helpers import apply_now
from tests.support.recording_backend import pbx_rows


def test_when_a_paging_group_is_created_then_its_members_are_the_orgs_extensions(system_api, orgs):
    system_api.post("/orgs/acme/extensions", json={"number": "102"})
    answer = system_api.post("/orgs/acme/paginggroups", json={"number": "700", "name": "Warehouse",
                                                               "members": "101, 102"})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json() == {"number": "700", "name": "Warehouse", "members": ["101", "102"], "seconds": 60}
    assert system_api.get("/orgs/globex/paginggroups").get_json()["items"] == []


def test_when_a_member_is_not_an_extension_of_the_org_then_422(system_api, orgs):
    system_api.post("/orgs/globex/extensions", json={"number": "102"})
    for members, message in ((["101", "102"], "no extension 102"), (["+14155550123"], "+14155550123"),
                             (["ringgroup:600"], "ringgroup:600")):
        answer = system_api.post("/orgs/acme/paginggroups", json={"number": "700", "members": members})
        assert answer.status_code == 422, members
        assert message in answer.get_json()["error"]["fields"]["members"], answer.get_json()
    assert system_api.get("/orgs/acme/paginggroups").get_json()["items"] == []


def test_when_a_paging_number_is_taken_then_409(system_api, orgs):
    system_api.post("/orgs/acme/ringgroups", json={"number": "600"})
    for number, owner in (("101", "extension 101"), ("600", "ring group 600")):
        clash = system_api.post("/orgs/acme/paginggroups", json={"number": number})
        assert clash.status_code == 409 and owner in clash.get_json()["error"]["message"]


def test_when_a_paging_group_is_applied_then_the_pbx_is_given_it(app, session, engine, system_api, orgs):
    system_api.post("/orgs/acme/paginggroups", json={"number": "700", "members": ["101"], "seconds": 30})
    assert apply_now(app, session, "acme") == "applied"
    assert pbx_rows(engine, "acme")[("paging", "700")] == "101|30"
