def test_when_extension_created_then_it_is_listed_without_sip_password(system_api, orgs):
    answer = system_api.post("/orgs/acme/extensions", json={"number": "102", "display_name": "Sales"})
    assert answer.status_code == 201
    created = answer.get_json()
    assert created["number"] == "102" and created["no_answer"] == "voicemail"
    assert "sip_password" not in created
    numbers = [e["number"] for e in system_api.get("/orgs/acme/extensions").get_json()["items"]]
    assert numbers == ["101", "102"]


def test_when_extension_number_invalid_then_422(system_api, orgs):
    answer = system_api.post("/orgs/acme/extensions", json={"number": "1", "ring_seconds": 1000})
    assert answer.status_code == 422
    assert set(answer.get_json()["error"]["fields"]) == {"number", "ring_seconds"}


def test_when_extension_number_taken_then_409(system_api, orgs):
    assert system_api.post("/orgs/acme/extensions", json={"number": "101"}).status_code == 409


def test_when_extension_limit_reached_then_409(system_api, orgs):
    system_api.patch("/orgs/acme", json={"max_extensions": 1})
    answer = system_api.post("/orgs/acme/extensions", json={"number": "102"})
    assert answer.status_code == 409 and answer.get_json()["error"]["fields"] == {"number": "extension limit reached"}


def test_when_extension_patched_to_forward_without_target_then_422_and_unchanged(system_api, orgs):
    answer = system_api.patch("/orgs/acme/extensions/101", json={"no_answer": "forward"})
    assert answer.status_code == 422
    assert system_api.get("/orgs/acme/extensions/101").get_json()["no_answer"] == "voicemail"


def test_when_extension_patched_then_values_change(system_api, orgs):
    answer = system_api.patch("/orgs/acme/extensions/101",
                              json={"no_answer": "forward", "forward_to": "+33123456789", "ring_seconds": 30})
    assert answer.status_code == 200
    assert answer.get_json()["forward_to"] == "+33123456789"


def test_when_extension_deleted_then_its_dids_are_reported_unrouted(system_api, orgs):
    answer = system_api.delete("/orgs/acme/extensions/101")
    assert answer.status_code == 200 and answer.get_json() == {"unrouted_dids": ["+14155550100"]}
    assert system_api.get("/orgs/acme/extensions/101").status_code == 404
    assert system_api.get("/orgs/acme/dids/+14155550100").get_json()["destination"] is None


def test_when_sip_settings_read_then_phone_gets_server_and_credentials(system_api, orgs, app):
    app.config["SIP_PUBLIC_HOST"] = "pbx.example.net"
    sip = system_api.get("/orgs/acme/extensions/101/sip").get_json()
    assert sip["server"] == "pbx.example.net" and sip["port"] == 5060 and sip["transport"] == "udp"
    assert sip["username"] == "acme-101" and len(sip["password"]) >= 20 and sip["live"] is False


def test_when_an_extension_connects_over_tls_then_its_settings_name_the_tls_port(system_api, orgs, app):
    app.config.update(ASTERISK_SIP_TLS_PORT=5061)
    answer = system_api.patch("/orgs/acme/extensions/101", json={"sip_transport": "tls"})
    assert answer.status_code == 200 and answer.get_json()["sip_transport"] == "tls"
    sip = system_api.get("/orgs/acme/extensions/101/sip").get_json()
    assert (sip["transport"], sip["port"]) == ("tls", 5061)
    refused = system_api.patch("/orgs/acme/extensions/101", json={"sip_transport": "websocket"})
    assert refused.status_code == 422 and "sip_transport" in refused.get_json()["error"]["fields"]
    assert system_api.get("/orgs/acme/extensions/101").get_json()["sip_transport"] == "tls"


def test_when_sip_public_host_unset_then_asterisk_sip_host_is_used(system_api, orgs, app):
    app.config.update(SIP_PUBLIC_HOST="", ASTERISK_SIP_HOST="192.0.2.5")
    assert system_api.get("/orgs/acme/extensions/101/sip").get_json()["server"] == "192.0.2.5"


def test_when_sip_password_regenerated_then_it_changes(system_api, orgs):
    before = system_api.get("/orgs/acme/extensions/101/sip").get_json()["password"]
    answer = system_api.post("/orgs/acme/extensions/101/sip/regenerate")
    assert answer.status_code == 200 and answer.get_json()["password"] != before
    assert system_api.get("/orgs/acme/extensions/101/sip").get_json()["password"] == answer.get_json()["password"]


def test_when_sip_of_missing_extension_then_404(system_api, orgs):
    assert system_api.get("/orgs/acme/extensions/555/sip").status_code == 404
    assert system_api.post("/orgs/acme/extensions/555/sip/regenerate").status_code == 404
