"""An organization's country decides its emergency numbers: no extension or group may take one,
and a country whose numbers are taken already is refused, saying which."""


def test_an_emergency_number_of_the_orgs_country_cannot_be_an_extension(system_api, orgs):
    assert system_api.patch("/orgs/acme", json={"country": "DE", "emergency_caller_id": "+4930123456"}
                            ).status_code == 200
    answer = system_api.post("/orgs/acme/extensions", json={"number": "110"})
    assert answer.status_code == 409 and answer.get_json()["error"]["fields"] == {
        "number": "an emergency number in DE"}
    assert system_api.post("/orgs/acme/ringgroups", json={"number": "112"}).status_code == 409
    assert system_api.post("/orgs/globex/extensions", json={"number": "110"}).status_code == 201, \
        "another country (US) has other numbers"


def test_a_country_whose_emergency_numbers_are_taken_is_refused_and_nothing_changes(system_api, orgs):
    assert system_api.post("/orgs/acme/extensions", json={"number": "999"}).status_code == 201
    answer = system_api.patch("/orgs/acme", json={"country": "GB"})
    assert answer.status_code == 409 and "999" in answer.get_json()["error"]["message"]
    assert system_api.get("/orgs/acme").get_json()["country"] == "US"
    bad = system_api.patch("/orgs/acme", json={"country": "XX", "emergency_caller_id": "call me"})
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"country", "emergency_caller_id"}
