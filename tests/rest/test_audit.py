"""The audit log over REST: an organization's own history, and deletions for the system role."""


def test_when_org_is_edited_then_its_audit_log_says_who_did_what_newest_first(acme_api, acme_admin):
    acme_api.post("/orgs/acme/extensions", json={"number": "120", "display_name": "Sales"})
    csrf = acme_admin.get("/session").get_json()["csrf_token"]
    acme_admin.patch("/orgs/acme/extensions/120", json={"display_name": "Sales team"},
                     headers={"X-CSRFToken": csrf})
    entries = acme_admin.get("/orgs/acme/audit?limit=2").get_json()
    assert [(e["action"], e["target"]) for e in entries["items"]] == [
        ("extension.update", "120"), ("extension.create", "120")]
    assert entries["items"][0]["actor"] == "boss@acme.example"
    assert entries["items"][0]["detail"] == {"fields": ["display_name"]}
    assert entries["items"][1]["actor"] == "token:acme-integrator"
    assert entries["total"] > 2  # the fixture's own setup is there too


def test_when_org_token_reads_another_orgs_audit_then_404(acme_api):
    assert acme_api.get("/orgs/globex/audit").status_code == 404


def test_when_org_is_deleted_then_the_system_audit_keeps_who_deleted_it(system_api, acme_api, orgs):
    assert system_api.delete("/orgs/globex").status_code == 204
    entries = system_api.get("/audit").get_json()["items"]
    assert [(e["action"], e["target"], e["detail"]) for e in entries] == [
        ("org.delete", "globex", {"name": "Org globex"})]
    assert entries[0]["actor"] == "token:system"
    assert acme_api.get("/audit").status_code == 403
