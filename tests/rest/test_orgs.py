from littlepbx.models import Organization
from tests.support.recording_backend import pbx_rows


def test_when_integrator_creates_org_then_it_is_listed(system_api):
    created = system_api.post("/orgs", json={"code": "acme", "name": "Acme", "admin_email": "a@acme.example"})
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/api/v1/orgs/acme")
    listed = system_api.get("/orgs").get_json()
    assert listed["total"] == 1 and listed["items"][0]["code"] == "acme"
    assert listed["offset"] == 0 and listed["limit"] == 50


def test_when_org_code_invalid_then_422_names_the_field(system_api, session):
    answer = system_api.post("/orgs", json={"code": "Bad Code", "name": "", "admin_email": "nope"})
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"code", "name", "admin_email"}
    assert session.query(Organization).count() == 0


def test_when_no_token_then_401(client):
    answer = client.get("/api/v1/orgs")
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "unauthorized"


def test_when_unknown_token_then_401(client):
    answer = client.get("/api/v1/orgs", headers={"Authorization": "Bearer lpbx_nope"})
    assert answer.status_code == 401


def test_when_org_code_already_used_then_409(system_api, orgs):
    answer = system_api.post("/orgs", json={"code": "acme", "name": "Again", "admin_email": "a@b.example"})
    assert answer.status_code == 409
    assert answer.get_json()["error"]["fields"] == {"code": "already used"}


def test_when_org_patched_then_new_values_are_shown(system_api, orgs):
    answer = system_api.patch("/orgs/acme", json={"name": "Acme Inc", "max_extensions": 5,
                                                  "timezone": "Europe/Paris"})
    assert answer.status_code == 200
    shown = system_api.get("/orgs/acme").get_json()
    assert (shown["name"], shown["max_extensions"], shown["timezone"]) == ("Acme Inc", 5, "Europe/Paris")


def test_when_org_patch_is_invalid_then_nothing_changes(system_api, orgs):
    answer = system_api.patch("/orgs/acme", json={"name": "Fine", "timezone": "Mars/Olympus"})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {"timezone": "not a time zone name, e.g. Europe/Paris"}
    assert system_api.get("/orgs/acme").get_json()["name"] == "Org acme"


def test_when_org_code_patched_then_422(system_api, orgs):
    assert system_api.patch("/orgs/acme", json={"code": "other"}).status_code == 422


def test_when_org_unknown_then_404_as_json(system_api):
    answer = system_api.get("/orgs/nosuch")
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"


def test_when_org_deleted_then_its_pbx_rows_are_removed(system_api, orgs, app, engine):
    from littlepbx import build_applier
    run = system_api.post("/orgs/acme/apply").get_json()
    build_applier(app).step(run["id"])
    assert pbx_rows(engine, "acme")  # the apply wrote rows for acme
    assert system_api.delete("/orgs/acme").status_code == 204
    assert pbx_rows(engine, "acme") == {}
    assert system_api.get("/orgs/acme").status_code == 404
    assert [o["code"] for o in system_api.get("/orgs").get_json()["items"]] == ["globex"]


def test_when_org_token_lists_orgs_then_it_sees_only_its_own(acme_api):
    listed = acme_api.get("/orgs").get_json()
    assert [o["code"] for o in listed["items"]] == ["acme"] and listed["total"] == 1


def test_when_org_token_creates_or_deletes_an_org_then_403(acme_api):
    assert acme_api.post("/orgs", json={"code": "evil", "name": "E", "admin_email": "e@e.example"}).status_code == 403
    assert acme_api.delete("/orgs/acme").status_code == 403
    assert acme_api.patch("/orgs/acme", json={"max_extensions": 9999}).status_code == 403


def test_when_orgs_paginated_then_offset_and_limit_apply(system_api, orgs):
    page = system_api.get("/orgs?offset=1&limit=1").get_json()
    assert page == {**page, "total": 2, "offset": 1, "limit": 1}
    assert [o["code"] for o in page["items"]] == ["globex"]


def test_when_pagination_is_nonsense_then_422(system_api):
    answer = system_api.get("/orgs?limit=0&offset=-1")
    assert answer.status_code == 422
    assert set(answer.get_json()["error"]["fields"]) == {"limit", "offset"}


def test_when_org_admin_reads_its_org_then_200_but_may_not_change_it(acme_admin):
    csrf = acme_admin.get("/session").get_json()["csrf_token"]
    assert acme_admin.get("/orgs/acme").get_json()["code"] == "acme"
    assert acme_admin.patch("/orgs/acme", json={"name": "Mine"}, headers={"X-CSRFToken": csrf}).status_code == 403
    assert acme_admin.delete("/orgs/acme", headers={"X-CSRFToken": csrf}).status_code == 403


def test_when_admin_demo_page_served_then_it_loads_its_assets(client):
    page = client.get("/admin-demo/")
    assert page.status_code == 200 and b"LittlePBXAdmin" in page.data
    assert client.get("/admin-demo/static/admin.js").status_code == 200


def test_when_the_integrator_asks_then_usage_and_limits_are_shown(system_api, orgs, app, tmp_path):
    music = tmp_path / "data" / "moh" / "acme" / "abc"
    music.mkdir(parents=True)
    (music / "hold.wav").write_bytes(b"x" * 2048)
    answer = system_api.get("/orgs/acme/usage").get_json()
    assert answer["storage_bytes"] == {"used": 2048, "limit": 200 * 1024 * 1024}
    assert answer["dids"] == {"used": 1, "limit": 100} and answer["extensions"] == {"used": 1, "limit": 50}
    assert system_api.get("/orgs/globex/usage").get_json()["storage_bytes"]["used"] == 0


def test_when_orgs_are_searched_then_code_or_name_matches_in_any_case(system_api, orgs):
    system_api.post("/orgs", json={"code": "acmeeu", "name": "Acme Europe 100%", "admin_email": "a@eu.example"})
    assert [o["code"] for o in system_api.get("/orgs?q=ACME").get_json()["items"]] == ["acme", "acmeeu"]
    found = system_api.get("/orgs?q=europe&limit=1").get_json()
    assert (found["total"], [o["code"] for o in found["items"]]) == (1, ["acmeeu"])
    # The search is words, never a pattern: % and _ match only themselves.
    assert [o["code"] for o in system_api.get("/orgs?q=100%25").get_json()["items"]] == ["acmeeu"]
    assert system_api.get("/orgs?q=_").get_json()["total"] == 0
    long = system_api.get("/orgs?q=" + "a" * 101)
    assert long.status_code == 422 and long.get_json()["error"]["fields"] == {"q": "at most 100 characters"}
