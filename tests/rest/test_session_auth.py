"""The page's session cookie acts as its user; its writes need the CSRF token."""


def test_when_session_user_reads_session_then_csrf_token_is_given(acme_admin):
    me = acme_admin.get("/session").get_json()
    assert me["role"] == "org_admin" and me["org"] == "acme" and me["auth"] == "session"
    assert me["csrf_token"]


def test_when_session_write_lacks_csrf_token_then_400_and_nothing_changes(acme_admin, system_api):
    answer = acme_admin.post("/orgs/acme/extensions", json={"number": "120"})
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "csrf"
    assert system_api.get("/orgs/acme/extensions/120").status_code == 404


def test_when_session_write_has_csrf_token_then_it_is_done(acme_admin):
    csrf = acme_admin.get("/session").get_json()["csrf_token"]
    answer = acme_admin.post("/orgs/acme/extensions", json={"number": "120"}, headers={"X-CSRFToken": csrf})
    assert answer.status_code == 201


def test_when_bearer_token_writes_then_no_csrf_token_is_needed(acme_api):
    assert acme_api.post("/orgs/acme/extensions", json={"number": "121"}).status_code == 201


def test_when_session_user_is_deactivated_then_401(acme_admin, system_api):
    system_api.patch("/orgs/acme/admins/boss@acme.example", json={"active": False})
    assert acme_admin.get("/orgs/acme").status_code == 401


def test_when_admin_password_is_changed_then_sessions_made_with_the_old_one_end(acme_admin, system_api):
    assert acme_admin.get("/orgs/acme").status_code == 200
    changed = system_api.patch("/orgs/acme/admins/boss@acme.example", json={"password": "a new long passphrase"})
    assert changed.status_code == 200
    assert acme_admin.get("/orgs/acme").status_code == 401
