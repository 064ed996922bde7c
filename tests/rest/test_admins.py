def test_when_admin_created_without_password_then_one_is_answered_once(system_api, orgs):
    answer = system_api.post("/orgs/acme/admins", json={"email": "ann@acme.example", "name": "Ann"})
    assert answer.status_code == 201
    created = answer.get_json()
    assert created["role"] == "org_admin" and len(created["password"]) >= 16
    shown = system_api.get("/orgs/acme/admins/ann@acme.example").get_json()
    assert "password" not in shown and shown["name"] == "Ann"
    assert [a["email"] for a in system_api.get("/orgs/acme/admins").get_json()["items"]] == ["ann@acme.example"]


def test_when_admin_created_with_password_then_none_is_answered(system_api, orgs):
    answer = system_api.post("/orgs/acme/admins", json={"email": "bob@acme.example", "password": "long enough pw"})
    assert answer.status_code == 201 and "password" not in answer.get_json()


def test_when_admin_email_invalid_or_password_short_then_422(system_api, orgs):
    answer = system_api.post("/orgs/acme/admins", json={"email": "not-mail", "password": "short"})
    assert answer.status_code == 422
    assert set(answer.get_json()["error"]["fields"]) == {"email", "password"}
    assert system_api.get("/orgs/acme/admins").get_json()["total"] == 0


def test_when_admin_email_already_used_then_409(system_api, orgs):
    system_api.post("/orgs/acme/admins", json={"email": "ann@acme.example"})
    assert system_api.post("/orgs/globex/admins", json={"email": "ann@acme.example"}).status_code == 409


def test_when_admin_patched_then_it_can_be_deactivated(system_api, orgs):
    system_api.post("/orgs/acme/admins", json={"email": "ann@acme.example"})
    answer = system_api.patch("/orgs/acme/admins/ann@acme.example", json={"active": False, "name": "Ann B"})
    assert answer.status_code == 200 and answer.get_json()["active"] is False
    assert system_api.patch("/orgs/acme/admins/ann@acme.example", json={"active": "maybe"}).status_code == 422


def test_when_admin_deleted_then_404(system_api, orgs):
    system_api.post("/orgs/acme/admins", json={"email": "ann@acme.example"})
    assert system_api.delete("/orgs/acme/admins/ann@acme.example").status_code == 204
    assert system_api.get("/orgs/acme/admins/ann@acme.example").status_code == 404
    assert system_api.delete("/orgs/acme/admins/ann@acme.example").status_code == 404


def test_when_org_admin_creates_an_admin_then_403(acme_admin):
    csrf = acme_admin.get("/session").get_json()["csrf_token"]
    answer = acme_admin.post("/orgs/acme/admins", json={"email": "x@acme.example"}, headers={"X-CSRFToken": csrf})
    assert answer.status_code == 403


def test_when_org_token_creates_its_org_admin_then_201(acme_api):
    assert acme_api.post("/orgs/acme/admins", json={"email": "x@acme.example"}).status_code == 201
