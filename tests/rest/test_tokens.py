from datetime import timedelta

from littlepbx.models import ApiToken


def test_when_org_token_created_then_it_is_answered_once_and_works(system_api, orgs, client):
    answer = system_api.post("/tokens", json={"name": "acme crm", "org": "acme"})
    assert answer.status_code == 201
    created = answer.get_json()
    assert created["org"] == "acme" and created["token"].startswith("lpbx_")
    listed = system_api.get("/tokens").get_json()["items"]
    assert {t["name"] for t in listed} == {"system", "acme crm"}
    assert all("token" not in t for t in listed)
    mine = client.get("/api/v1/orgs", headers={"Authorization": f"Bearer {created['token']}"})
    assert [o["code"] for o in mine.get_json()["items"]] == ["acme"]


def test_when_token_revoked_then_it_is_refused(system_api, orgs, client):
    created = system_api.post("/tokens", json={"name": "temp", "org": None}).get_json()
    assert system_api.delete(f"/tokens/{created['id']}").status_code == 204
    answer = client.get("/api/v1/orgs", headers={"Authorization": f"Bearer {created['token']}"})
    assert answer.status_code == 401


def test_when_token_name_missing_or_org_unknown_then_refused(system_api, orgs):
    assert system_api.post("/tokens", json={"org": "acme"}).status_code == 422
    assert system_api.post("/tokens", json={"name": "x", "org": "nosuch"}).status_code == 404
    assert system_api.post("/tokens", json={"name": "x", "scope": "all"}).status_code == 422


def test_when_unknown_token_deleted_then_404(system_api):
    assert system_api.delete("/tokens/999999").status_code == 404


def test_when_org_token_manages_tokens_then_403(acme_api):
    assert acme_api.get("/tokens").status_code == 403
    assert acme_api.post("/tokens", json={"name": "more", "org": "acme"}).status_code == 403
    assert acme_api.delete("/tokens/1").status_code == 403


def test_when_session_read_with_a_token_then_actor_is_shown(acme_api):
    me = acme_api.get("/session").get_json()
    assert me == {"name": "token:acme-integrator", "role": "org_token", "org": "acme", "auth": "token",
                  "csrf_token": None}


def test_when_org_admin_manages_tokens_then_403(acme_admin):
    csrf = acme_admin.get("/session").get_json()["csrf_token"]
    assert acme_admin.get("/tokens").status_code == 403
    assert acme_admin.post("/tokens", json={"name": "mine", "org": "acme"}, headers={"X-CSRFToken": csrf}).status_code == 403


def test_when_session_read_without_credentials_then_401(client):
    answer = client.get("/api/v1/session")
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_tokens_last_use_is_shown_and_written_at_most_once_a_minute(system_api, orgs, client, session):
    created = system_api.post("/tokens", json={"name": "crm", "org": "acme"}).get_json()
    headers = {"Authorization": f"Bearer {created['token']}"}

    def last_used():
        return next(t["last_used_at"] for t in system_api.get("/tokens").get_json()["items"] if t["name"] == "crm")

    def used_earlier(seconds):
        """As if its last request were ``seconds`` earlier than the token says."""
        token = session.get(ApiToken, created["id"])
        token.last_used_at -= timedelta(seconds=seconds)
        session.commit()
        return last_used()
    assert last_used() is None
    assert client.get("/api/v1/orgs", headers=headers).status_code == 200
    assert last_used() is not None
    half_a_minute_ago = used_earlier(30)
    assert client.get("/api/v1/orgs", headers=headers).status_code == 200
    assert last_used() == half_a_minute_ago  # within the minute: not written again
    ninety_seconds_ago = used_earlier(60)
    assert client.get("/api/v1/orgs", headers=headers).status_code == 200
    assert last_used() > ninety_seconds_ago
