from datetime import datetime

import pytest

from tests.support.recording_backend import add_call_record, set_calls


@pytest.fixture
def call_records(engine, orgs):
    """Three calls of acme on two days and one of globex; removed afterwards."""
    rows = [("acme", "2026-01-30 10:00:00", "101", "+33100000001"),
            ("acme", "2026-01-31 09:00:00", "101", "+33100000002"),
            ("acme", "2026-01-31 18:30:00", "+14155550999", "101"),
            ("globex", "2026-01-31 12:00:00", "101", "+33100000003")]
    for tenant, when, src, dst in rows:
        add_call_record(engine, tenant, calldate=datetime.fromisoformat(when), src=src, dst=dst, duration=30,
                        billsec=25, disposition="ANSWERED", uniqueid=f"{tenant}-{when}")


def test_when_cdr_listed_then_only_the_orgs_calls_newest_first(system_api, call_records):
    page = system_api.get("/orgs/acme/cdr").get_json()
    assert page["total"] == 3
    assert [r["calldate"] for r in page["items"]] == ["2026-01-31T18:30:00Z", "2026-01-31T09:00:00Z",
                                                     "2026-01-30T10:00:00Z"]
    assert page["items"][0]["disposition"] == "ANSWERED"


def test_when_cdr_filtered_by_day_then_only_that_day(system_api, call_records):
    page = system_api.get("/orgs/acme/cdr?from=2026-01-31&to=2026-01-31").get_json()
    assert page["total"] == 2


def test_when_cdr_filtered_by_time_and_paginated_then_window_applies(system_api, call_records):
    page = system_api.get("/orgs/acme/cdr?from=2026-01-31T08:00:00Z&limit=1&offset=1").get_json()
    assert page["total"] == 2 and [r["src"] for r in page["items"]] == ["101"]


def test_when_cdr_date_is_nonsense_then_422(system_api, orgs):
    answer = system_api.get("/orgs/acme/cdr?from=yesterday")
    assert answer.status_code == 422 and "from" in answer.get_json()["error"]["fields"]


def test_when_cdr_filtered_by_number_then_calls_from_or_to_it_only_and_csv_says_the_same(system_api, call_records):
    page = system_api.get("/orgs/acme/cdr?number=%2B1415").get_json()
    assert page["total"] == 1 and page["items"][0]["src"] == "+14155550999"
    export = system_api.get("/orgs/acme/cdr/export?from=2026-01-31&number=101")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert 'filename="calls-acme.csv"' in export.headers["Content-Disposition"]
    lines = export.get_data(as_text=True).splitlines()
    assert lines[0].split(",")[-2:] == ["dialed", "reached"]
    assert [line.split(",")[0] for line in lines[1:]] == ["2026-01-31T18:30:00Z", "2026-01-31T09:00:00Z"]
    bad = system_api.get("/orgs/acme/cdr/export?number=one-oh-one")
    assert bad.status_code == 422 and "number" in bad.get_json()["error"]["fields"]


def test_when_cdr_filtered_by_result_then_only_calls_that_ended_so(system_api, call_records, engine):
    for when, disposition, reached, lastapp in (
            ("2026-01-31 19:00:00", "NO ANSWER", "101", "Dial"), ("2026-01-31 19:10:00", "ANSWERED", "busy", "Hangup"),
            ("2026-01-31 19:20:00", "NO ANSWER", "blocked", "Hangup"), ("2026-01-31 19:30:00", "ANSWERED", None,
                                                                          "VoiceMail"),
            ("2026-01-31 19:40:00", "ANSWERED", "voicemail:101", "Playback")):
        add_call_record(engine, "acme", calldate=datetime.fromisoformat(when), src="+33100000009", dst="101",
                        duration=5, billsec=0, disposition=disposition, uniqueid=f"acme-{when}", reached=reached,
                        lastapp=lastapp)
    add_call_record(engine, "globex", calldate=datetime.fromisoformat("2026-01-31 19:05:00"), src="1", dst="2",
                    duration=5, billsec=0, disposition="NO ANSWER", uniqueid="globex-missed")
    counts = {result: system_api.get(f"/orgs/acme/cdr?result={result}").get_json()["total"]
              for result in ("answered", "missed", "voicemail", "refused", "busy")}
    assert counts == {"answered": 3, "missed": 1, "voicemail": 2, "refused": 1, "busy": 1}
    lines = system_api.get("/orgs/acme/cdr/export?result=missed").get_data(as_text=True).splitlines()
    assert len(lines) == 2 and "NO ANSWER" in lines[1]
    bad = system_api.get("/orgs/acme/cdr?result=lost")
    assert bad.status_code == 422 and "result" in bad.get_json()["error"]["fields"]


def test_when_org_token_reads_other_org_cdr_then_404(acme_api, call_records):
    assert acme_api.get("/orgs/globex/cdr").status_code == 404
    assert acme_api.get("/orgs/globex/cdr/export").status_code == 404


def test_when_calls_read_then_the_backend_count_is_shown(system_api, orgs, engine):
    set_calls(engine, "acme", 3)
    set_calls(engine, "acme:+14155550100", 2)
    assert system_api.get("/orgs/acme/calls").get_json() == {
        "org": "acme", "active_calls": 3, "dids": {"+14155550100": 2}}


def test_when_pbx_does_not_answer_then_calls_is_503(system_api, orgs, engine):
    set_calls(engine, "acme", -1)
    answer = system_api.get("/orgs/acme/calls")
    assert answer.status_code == 503 and answer.get_json()["error"]["code"] == "pbx_unavailable"


def test_when_the_pbx_cannot_list_calls_then_the_list_is_null_not_empty(system_api, orgs):
    assert system_api.get("/orgs/acme/calls/current").get_json() == {"org": "acme", "calls": None}
