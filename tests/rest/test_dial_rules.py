"""Dial rules through the REST API: a pattern and what is sent out for it, checked field by
field, handed to the PBX on Apply; each extension's permission to call out."""
from tests.support.apply_helpers import apply_now
from tests.support.recording_backend import pbx_rows


def test_rules_are_drafted_then_given_to_the_pbx(system_api, orgs, app, session, engine):
    assert system_api.post("/orgs/acme/dialrules", json={"pattern": "411", "strip": 3,
                                                         "prepend": "+18003733411"}).status_code == 201
    assert system_api.post("/orgs/acme/dialrules", json={"pattern": "00X.", "strip": 2, "prepend": "+",
                                                         "international": True}).status_code == 201
    assert system_api.patch("/orgs/acme/extensions/101", json={"outside_calls": "national"}).status_code == 200
    assert apply_now(app, session, "acme") == "applied"
    rows = pbx_rows(engine, "acme")
    assert rows[("dialrule", "411")] == "3|+18003733411|" and rows[("dialrule", "00X.")] == "2|+|abroad"
    assert ("dialrule", "411") not in pbx_rows(engine, "globex")


def test_bad_rules_are_refused_next_to_the_field_and_nothing_is_kept(system_api, orgs):
    bad = system_api.post("/orgs/acme/dialrules", json={"pattern": "9*", "strip": 11, "prepend": "+1-800"})
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"pattern", "strip", "prepend"}
    whole = system_api.post("/orgs/acme/dialrules", json={"pattern": "411", "strip": 3})
    assert whole.status_code == 422 and "strip" in whole.get_json()["error"]["fields"]
    wrong = system_api.patch("/orgs/acme/extensions/101", json={"outside_calls": "everywhere"})
    assert wrong.status_code == 422 and "outside_calls" in wrong.get_json()["error"]["fields"]
    assert system_api.get("/orgs/acme/dialrules").get_json()["total"] == 0
