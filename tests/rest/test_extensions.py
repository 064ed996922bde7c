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


def test_busy_not_connected_and_follow_me_are_drafted_and_given_to_the_pbx(system_api, orgs, app, session, engine):
    from tests.support.apply_helpers import apply_now
    assert system_api.post("/orgs/acme/extensions", json={"number": "102"}).status_code == 201
    answer = system_api.patch("/orgs/acme/extensions/101", json={
        "when_busy": "voicemail:101", "when_unregistered": "+33123456789",
        "follow_me": ["102", "+33123456780"], "follow_me_order": "together"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["follow_me"] == ["102", "+33123456780"] and answer.get_json()["follow_me_confirm"] is True
    assert apply_now(app, session, "acme") == "applied"
    from littlepbx.kinds import Extensions
    from littlepbx.services import objects
    from tests.conftest import scope_of
    live = Extensions.to_pbx(objects.find(scope_of(session, "acme"), Extensions, "101", live=True), {})
    assert (live.when_busy, live.when_unregistered, live.follow_me, live.follow_me_order) == (
        "voicemail:101", "+33123456789", ("102", "+33123456780"), "together")


def test_busy_not_connected_and_follow_me_refuse_what_is_not_the_orgs_and_keep_the_rest(system_api, orgs):
    refused = system_api.patch("/orgs/acme/extensions/101", json={
        "when_busy": "101", "when_unregistered": "ringgroup:999", "follow_me": ["101"], "ring_seconds": 30})
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) >= {"when_unregistered"}
    for change, field in (({"when_busy": "101"}, "when_busy"), ({"follow_me": ["101"]}, "follow_me"),
                          ({"follow_me": ["t2-101"]}, "follow_me"), ({"follow_me_order": "random"}, "follow_me_order")):
        answer = system_api.patch("/orgs/acme/extensions/101", json=change)
        assert answer.status_code == 422 and field in answer.get_json()["error"]["fields"], (change, answer.get_json())
    kept = system_api.get("/orgs/acme/extensions/101").get_json()
    assert (kept["when_busy"], kept["follow_me"], kept["ring_seconds"]) == (None, [], 20)
