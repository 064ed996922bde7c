OUTBOUND = {"host": "sip.carrier.example", "port": 5070, "transport": "udp", "username": "acme1",
            "password": "s3cret-pass", "register": True}
INBOUND = {"host": "203.0.113.10", "source_addresses": "203.0.113.10, 198.51.100.7"}


def test_when_outbound_trunk_put_then_it_is_shown_without_its_password(system_api, orgs):
    answer = system_api.put("/orgs/acme/trunks/outbound", json=OUTBOUND)
    assert answer.status_code == 200
    shown = system_api.get("/orgs/acme/trunks/outbound").get_json()
    assert shown["host"] == "sip.carrier.example" and shown["port"] == 5070
    assert shown["password_set"] is True and "password" not in shown


def test_when_inbound_trunk_put_then_source_addresses_are_a_list(system_api, orgs):
    assert system_api.put("/orgs/acme/trunks/inbound", json=INBOUND).status_code == 200
    shown = system_api.get("/orgs/acme/trunks/inbound").get_json()
    assert shown["source_addresses"] == ["203.0.113.10", "198.51.100.7"]


def test_when_trunk_is_invalid_then_422_and_nothing_is_written(system_api, orgs):
    answer = system_api.put("/orgs/acme/trunks/outbound",
                            json={"host": "bad host!", "port": 70000, "transport": "carrier-pigeon"})
    assert answer.status_code == 422
    assert set(answer.get_json()["error"]["fields"]) == {"host", "port", "transport"}
    assert system_api.get("/orgs/acme/trunks/outbound").status_code == 404


def test_when_registration_lacks_credentials_then_422(system_api, orgs):
    answer = system_api.put("/orgs/acme/trunks/outbound", json={"host": "sip.example", "register": True})
    assert answer.status_code == 422
    assert "register" in answer.get_json()["error"]["fields"]


def test_when_trunk_deleted_then_404(system_api, orgs):
    system_api.put("/orgs/acme/trunks/inbound", json=INBOUND)
    assert system_api.delete("/orgs/acme/trunks/inbound").status_code == 204
    assert system_api.get("/orgs/acme/trunks/inbound").status_code == 404


def test_when_trunk_direction_unknown_then_404(system_api, orgs):
    assert system_api.get("/orgs/acme/trunks/sideways").status_code == 404


def test_when_org_admin_puts_a_trunk_then_403(acme_admin):
    csrf = acme_admin.get("/session").get_json()["csrf_token"]
    answer = acme_admin.put("/orgs/acme/trunks/inbound", json=INBOUND, headers={"X-CSRFToken": csrf})
    assert answer.status_code == 403


def test_when_outbound_trunk_not_applied_then_status_says_not_configured(system_api, orgs):
    system_api.put("/orgs/acme/trunks/outbound", json=OUTBOUND)
    status = system_api.get("/orgs/acme/trunks/outbound/status").get_json()
    assert status["state"] == "not_configured" and status["configured"] is False


def test_when_backend_cannot_report_registration_then_state_is_unknown(system_api, orgs, app):
    from littlepbx import build_applier
    system_api.put("/orgs/acme/trunks/outbound", json=OUTBOUND)
    build_applier(app).step(system_api.post("/orgs/acme/apply").get_json()["id"])
    status = system_api.get("/orgs/acme/trunks/outbound/status").get_json()
    assert status == {**status, "configured": True, "register": True, "state": "unknown"}


def test_when_backend_reports_registration_then_state_is_shown(system_api, orgs, app, engine):
    from littlepbx import build_applier
    from tests.support.recording_backend import set_registration_state
    system_api.put("/orgs/acme/trunks/outbound", json=OUTBOUND)
    build_applier(app).step(system_api.post("/orgs/acme/apply").get_json()["id"])
    set_registration_state(engine, "acme", "Registered")
    set_registration_state(engine, "globex", "Rejected")
    assert system_api.get("/orgs/acme/trunks/outbound/status").get_json()["state"] == "Registered"


def test_when_an_org_token_sets_source_addresses_then_only_the_operator_may(acme_api, system_api):
    answer = acme_api.put("/orgs/acme/trunks/inbound", json=INBOUND)
    assert answer.status_code == 422 and answer.get_json()["error"]["fields"] == {"source_addresses": "unknown field"}
    assert acme_api.put("/orgs/acme/trunks/outbound", json=OUTBOUND).status_code == 200, "credentials stay its own"


def test_when_an_address_is_another_orgs_then_a_trunk_naming_it_is_refused(system_api, orgs):
    assert system_api.put("/orgs/globex/trunks/inbound", json=INBOUND).status_code == 200
    answer = system_api.put("/orgs/acme/trunks/inbound", json=INBOUND)
    assert answer.status_code == 409
    assert answer.get_json()["error"]["fields"] == {"source_addresses": "held by another organization"}
    assert system_api.put("/orgs/globex/trunks/inbound", json=INBOUND).status_code == 200, "its owner may keep it"


def test_when_sources_name_a_carriers_host_then_it_is_kept_lower_cased_beside_addresses(system_api, orgs):
    answer = system_api.put("/orgs/acme/trunks/inbound",
                            json={"host": "sip.carrier.example", "source_addresses": "Edge.Carrier.Example 203.0.113.0/28"})
    assert answer.status_code == 200, answer.get_json()
    shown = system_api.get("/orgs/acme/trunks/inbound").get_json()
    assert shown["source_addresses"] == ["edge.carrier.example", "203.0.113.0/28"]


def test_when_a_source_is_neither_address_network_nor_host_name_then_422_says_which(system_api, orgs):
    answer = system_api.put("/orgs/acme/trunks/inbound", json={"host": "203.0.113.10",
                                                               "source_addresses": ["203.0.113.10", "edge_1!"]})
    assert answer.status_code == 422
    assert "edge_1!" in answer.get_json()["error"]["fields"]["source_addresses"]
    assert system_api.get("/orgs/acme/trunks/inbound").status_code == 404


def test_when_two_orgs_register_with_one_carrier_then_both_may_name_its_source_network(system_api, orgs):
    """An outbound trunk's sources only say where calls on its registration come from: the
    registration's contact tells whose they are, so carriers shared by many orgs are fine."""
    carrier = {**OUTBOUND, "source_addresses": "203.0.113.0/28"}
    assert system_api.put("/orgs/globex/trunks/outbound", json=carrier).status_code == 200
    assert system_api.put("/orgs/acme/trunks/outbound", json=carrier).status_code == 200
    answer = system_api.put("/orgs/acme/trunks/inbound", json={"host": "203.0.113.1",
                                                               "source_addresses": "203.0.113.1"})
    assert answer.status_code == 200, "another org's outbound sources are not a claim"


def test_a_failover_trunk_is_a_second_way_out_that_never_registers(system_api, orgs):
    failover = {"host": "sip2.carrier.example", "username": "acme1", "password": "other-pass"}
    assert system_api.put("/orgs/acme/trunks/failover", json=failover).status_code == 200
    shown = system_api.get("/orgs/acme/trunks/failover").get_json()
    assert shown["direction"] == "failover" and shown["host"] == "sip2.carrier.example" and shown["password_set"]
    refused = system_api.put("/orgs/acme/trunks/failover", json={**failover, "register": True})
    assert refused.status_code == 422 and "register" in refused.get_json()["error"]["fields"]
    assert system_api.get("/orgs/acme/trunks/failover").get_json()["register"] is False
