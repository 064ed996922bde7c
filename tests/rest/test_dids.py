def test_when_did_assigned_then_it_is_listed_in_e164(system_api, orgs):
    answer = system_api.post("/orgs/acme/dids", json={"number": "1 415 555 0101", "extension": "101"})
    assert answer.status_code == 201
    assert answer.get_json() == {"number": "+14155550101", "destination": "101", "description": "", "record_calls": False}
    numbers = [d["number"] for d in system_api.get("/orgs/acme/dids").get_json()["items"]]
    assert numbers == ["+14155550100", "+14155550101"]


def test_when_did_number_invalid_then_422(system_api, orgs):
    answer = system_api.post("/orgs/acme/dids", json={"number": "12"})
    assert answer.status_code == 422 and "number" in answer.get_json()["error"]["fields"]


def test_when_did_held_by_another_org_then_409(system_api, orgs):
    answer = system_api.post("/orgs/acme/dids", json={"number": "+14155550200"})
    assert answer.status_code == 409
    assert system_api.get("/orgs/globex/dids/+14155550200").get_json()["destination"] == "101"


def test_when_did_routes_to_missing_extension_then_422(system_api, orgs):
    answer = system_api.post("/orgs/acme/dids", json={"number": "+14155550109", "extension": "999"})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {"extension": "no such extension"}
    assert system_api.get("/orgs/acme/dids/+14155550109").status_code == 404


def test_when_did_read_without_plus_then_it_is_found(system_api, orgs):
    assert system_api.get("/orgs/acme/dids/14155550100").get_json()["number"] == "+14155550100"


def test_when_did_patched_then_it_rings_the_new_extension(system_api, orgs):
    system_api.post("/orgs/acme/extensions", json={"number": "102"})
    answer = system_api.patch("/orgs/acme/dids/+14155550100", json={"extension": "102", "description": "Main"})
    assert answer.get_json() == {"number": "+14155550100", "destination": "102", "description": "Main",
                                 "record_calls": False}


def test_when_did_number_patched_then_422(system_api, orgs):
    assert system_api.patch("/orgs/acme/dids/+14155550100", json={"number": "+14155550999"}).status_code == 422


def test_when_did_released_then_it_is_gone_and_no_extension_calls_out_as_it(system_api, orgs):
    system_api.patch("/orgs/acme/extensions/101", json={"outbound_caller_id": "+14155550100"})
    answer = system_api.delete("/orgs/acme/dids/+14155550100")
    assert answer.status_code == 200 and answer.get_json() == {"unrouted_extensions": ["101"]}
    assert system_api.get("/orgs/acme/extensions/101").get_json()["outbound_caller_id"] is None
    assert system_api.get("/orgs/acme/dids/+14155550100").status_code == 404
    assert system_api.get("/orgs/acme/dids").get_json()["total"] == 0


def test_when_org_admin_reroutes_did_then_only_the_extension_may_change(acme_admin, system_api):
    csrf = acme_admin.get("/session").get_json()["csrf_token"]
    headers = {"X-CSRFToken": csrf}
    system_api.post("/orgs/acme/extensions", json={"number": "102"})
    assert acme_admin.patch("/orgs/acme/dids/+14155550100", json={"extension": "102"},
                            headers=headers).status_code == 200
    refused = acme_admin.patch("/orgs/acme/dids/+14155550100", json={"description": "x"}, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"] == {"description": "unknown field"}
    assert acme_admin.post("/orgs/acme/dids", json={"number": "+14155550177"}, headers=headers).status_code == 403
    assert acme_admin.delete("/orgs/acme/dids/+14155550100", headers=headers).status_code == 403


def test_when_an_org_token_assigns_or_releases_a_number_then_403(acme_api):
    assert acme_api.post("/orgs/acme/dids", json={"number": "+14155550177"}).status_code == 403
    assert acme_api.delete("/orgs/acme/dids/+14155550100").status_code == 403
    assert acme_api.get("/orgs/acme/dids/+14155550100").status_code == 200
