"""The login's defences, without a browser: CSRF, throttling per address, safe redirects, cookies."""
import re
import time

import pytest

from littlepbx import close_app, create_app
from littlepbx.web.throttle import ACCOUNT_FREE_FAILURES, ADDRESS_FREE_FAILURES, KeyedThrottle
from tests.web.conftest import ADMIN, PASSWORD


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token a form of ``path`` carries (bound to the session the client now has)."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post_login(client, email=ADMIN, password=PASSWORD, address="127.0.0.1", **extra):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token(client), **extra},
                       environ_base={"REMOTE_ADDR": address})


def test_when_login_form_has_no_csrf_token_then_it_is_refused(client, acme):
    response = client.post("/login", data={"email": ADMIN, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/orgs/acme").status_code == 302


def test_when_not_logged_in_then_pages_send_to_login(client, acme):
    for path in ("/", "/orgs/acme", "/stats", "/help/phones", "/orgs/acme/stats"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/login?next="), path


def test_when_login_succeeds_then_next_is_followed_only_within_the_site(client, acme):
    assert post_login(client, next="/orgs/acme/stats").location == "/orgs/acme/stats"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/orgs/acme")})
    assert post_login(client, next="//evil.example/x").location == "/"


def test_when_logout_is_a_get_then_nothing_happens(client, acme):
    post_login(client)
    assert client.get("/logout").status_code == 405
    assert client.get("/orgs/acme").status_code == 200


def test_when_one_address_keeps_failing_then_even_a_right_password_must_wait(client, acme):
    for attempt in range(ADDRESS_FREE_FAILURES):
        response = post_login(client, email=f"guess{attempt}@acme.example", password="wrong")
        assert response.status_code == 401
    response = post_login(client)
    assert response.status_code == 429
    assert "too many failed logins from your address" in response.get_data(as_text=True)


def test_when_someone_else_keeps_failing_on_an_admins_account_then_the_admin_still_logs_in(client, acme):
    for _ in range(ACCOUNT_FREE_FAILURES + 3):
        post_login(client, password="not it", address="192.0.2.66")
    assert post_login(client, address="192.0.2.66").status_code == 429, "the attacker's address waits"
    answer = post_login(client, address="198.51.100.10")
    assert answer.status_code == 302 and client.get("/orgs/acme").status_code == 200


def test_when_logins_fail_then_the_answers_do_not_tell_which_emails_exist(client, acme):
    def answers(email: str, address: str) -> list[tuple[int, str]]:
        seen = []
        for _ in range(ACCOUNT_FREE_FAILURES + 2):
            page = post_login(client, email=email, password="not it", address=address)
            message = re.search(r'class="error"[^>]*>([^<]*)<', page.get_data(as_text=True)).group(1)
            seen.append((page.status_code, re.sub(r"\d+ s", "N s", message)))
        return seen
    assert answers(ADMIN, "192.0.2.1") == answers("nobody@acme.example", "192.0.2.2")


def test_throttle_doubles_the_wait_and_forgets_after_its_window():
    now = [1000.0]
    throttle = KeyedThrottle(ADDRESS_FREE_FAILURES, clock=lambda: now[0])
    for _ in range(ADDRESS_FREE_FAILURES):
        assert throttle.wait_seconds("192.0.2.1") == 0
        throttle.failed("192.0.2.1")
    assert throttle.wait_seconds("192.0.2.1") == 1
    throttle.failed("192.0.2.1")
    assert throttle.wait_seconds("192.0.2.1") == 2
    assert throttle.wait_seconds("192.0.2.2") == 0
    now[0] += 16 * 60
    assert throttle.wait_seconds("192.0.2.1") == 0


def test_when_password_changes_then_old_sessions_and_remember_me_cookies_stop_working(app, client, acme):
    post_login(client, remember="1")
    remembered = app.test_client()  # a browser that kept only the lasting cookie
    remembered.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert remembered.get("/orgs/acme").status_code == 200
    from littlepbx.extensions import db
    from littlepbx.services import users
    from tests.conftest import scope_of
    with db.session() as session:
        users.update_admin(scope_of(session, "acme"), ADMIN, {"password": "another long passphrase"})
    for browser in (client, remembered):
        response = browser.get("/orgs/acme")
        assert response.status_code == 302 and response.location.startswith("/login"), response.status_code


@pytest.mark.parametrize("secure", [True, False])
def test_session_cookies_are_httponly_lax_and_secure_when_configured(app_config, acme, secure):
    secure_app = create_app({**app_config, "SESSION_COOKIE_SECURE": secure})
    response = post_login(secure_app.test_client(), remember="1")
    close_app(secure_app)
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        cookie = next(c for c in cookies if c.startswith(name))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure


def test_pages_allow_only_this_servers_assets_and_no_framing(client, acme):
    post_login(client)
    headers = client.get("/orgs/acme").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_when_a_login_form_has_expired_then_it_asks_again(app, client, acme):
    app.config["WTF_CSRF_TIME_LIMIT"] = 1
    token = csrf_token(client)
    time.sleep(2)  # the thing tested is a token older than its limit
    answer = client.post("/login", data={"email": ADMIN, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 400 and "The form had expired" in answer.get_data(as_text=True)
    assert post_login(client).status_code == 302
