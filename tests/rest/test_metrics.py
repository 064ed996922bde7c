"""/api/v1/metrics: the operator's figures in Prometheus' text format, for the system role only."""
from datetime import datetime

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from tests.support.apply_helpers import apply_now
from tests.support.recording_backend import set_calls, set_registration_state


def samples(answer) -> dict:
    """{(name, labels...): value} of a metrics answer (parsed as Prometheus would)."""
    found = {}
    for family in text_string_to_metric_families(answer.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, *sorted(sample.labels.items()))] = sample.value
    return found


def test_metrics_count_runs_and_name_each_orgs_calls_extensions_and_upstream(system_api, orgs, app, session,
                                                                            engine):
    system_api.put("/orgs/acme/trunks/outbound", json={"host": "sip.carrier.example", "username": "acme1",
                                                       "password": "s3cret-pass", "register": True})
    assert apply_now(app, session, "acme") == "applied"
    set_calls(engine, "acme", 2)
    set_registration_state(engine, "acme", "Registered")
    answer = system_api.get("/metrics")
    assert answer.status_code == 200 and answer.mimetype == "text/plain"
    found = samples(answer)
    assert found[("littlepbx_organizations",)] == 2
    assert found[("littlepbx_apply_runs", ("state", "applied"))] == 1
    assert found[("littlepbx_apply_seconds_count",)] == 1
    run = system_api.get("/orgs/acme/apply").get_json()  # its times are kept to the millisecond
    took = (datetime.fromisoformat(run["finished_at"]) - datetime.fromisoformat(run["requested_at"])).total_seconds()
    assert 0 < took < 5 and abs(found[("littlepbx_apply_seconds_sum",)] - took) < 0.002
    assert found[("littlepbx_worker_lag_seconds",)] == 0
    assert found[("littlepbx_calls", ("org", "acme"))] == 2 and found[("littlepbx_calls", ("org", "globex"))] == 0
    extensions = system_api.get("/orgs/acme/extensions").get_json()["total"]
    assert found[("littlepbx_extensions", ("org", "acme"))] == extensions
    assert found[("littlepbx_upstream_registration", ("org", "acme"), ("state", "Registered"))] == 1
    assert not any(key[0] == "littlepbx_upstream_registration" and ("org", "globex") in key for key in found)


def test_a_queued_run_shows_as_worker_lag_and_org_tokens_get_no_metrics(system_api, acme_api, orgs, engine):
    assert acme_api.post("/orgs/acme/apply").status_code in (200, 201, 202)
    with engine.begin() as connection:  # nobody has taken it for half a minute
        connection.execute(text("UPDATE apply_runs SET requested_at = requested_at - INTERVAL 30 SECOND"))
    lag = samples(system_api.get("/metrics"))[("littlepbx_worker_lag_seconds",)]
    assert 30 <= lag < 60
    refused = acme_api.get("/metrics")
    assert refused.status_code == 403 and refused.get_json()["error"]["message"]
