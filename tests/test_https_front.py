"""The HTTPS front install.sh sets up, run for real: nginx with the generated site and certificate
in front of the app. HTTP only redirects; HTTPS carries HSTS; the app sees the real client."""
import shutil
import ssl
import subprocess
import threading

import pytest
import requests
from werkzeug.serving import make_server

from littlepbx import close_app, create_app, frontend
from tests.conftest import free_ports, make_org, wait_until


@pytest.fixture
def front(app_config, tmp_path):
    """The app (behind a proxy, Secure cookies) served on loopback, and nginx in front of it."""
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed (test.sh installs it)")
    app = create_app({**app_config, "BEHIND_PROXY": True, "SESSION_COOKIE_SECURE": True})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    cert, key = tmp_path / "front.crt", tmp_path / "front.key"
    frontend.certificate(cert, key, "127.0.0.1")
    https_port, http_port = free_ports(2)
    (tmp_path / "logs").mkdir()
    (tmp_path / "site.conf").write_text(frontend.site(f"127.0.0.1:{server.server_port}", str(cert), str(key),
                                                      https_port, http_port))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\nevents {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
        f"include {tmp_path}/site.conf; }}\n")
    nginx = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
                             stderr=subprocess.PIPE, text=True)
    wait_until(lambda: nginx.poll() is not None or _answers(http_port), what="nginx to listen")
    assert nginx.poll() is None, nginx.stderr.read()
    try:
        yield {"https": f"https://127.0.0.1:{https_port}", "http": f"http://127.0.0.1:{http_port}",
               "cert": str(cert), "app": app}
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        server.shutdown()
        close_app(app)


@pytest.fixture
def web_acme(session):
    """Organization acme with the admin who logs in."""
    from littlepbx.models import ROLE_ORG_ADMIN
    from littlepbx.services.users import create_user
    org = make_org(session, "acme")
    create_user(session, "boss@acme.example", "correct horse battery", ROLE_ORG_ADMIN, org.id)
    session.commit()
    return org


def _answers(port: int) -> bool:
    try:
        requests.get(f"http://127.0.0.1:{port}/", allow_redirects=False, timeout=1)
        return True
    except requests.ConnectionError:
        return False


def test_when_a_browser_comes_over_http_then_it_is_sent_to_https(front):
    answer = requests.get(front["http"] + "/login?next=/x", allow_redirects=False, timeout=5)
    assert answer.status_code == 301
    assert answer.headers["Location"] == front["https"] + "/login?next=/x"


def test_when_served_over_https_then_pages_carry_hsts_and_cookies_are_secure(front, web_acme):
    browser = requests.Session()
    browser.trust_env = False  # a CA bundle named in the environment would override the pinned certificate
    browser.verify = front["cert"]
    browser.headers["Referer"] = front["https"] + "/login"  # as a browser sends it (CSRF checks it over HTTPS)
    login = browser.get(front["https"] + "/login", timeout=5)
    assert login.status_code == 200
    assert login.headers["Strict-Transport-Security"].startswith("max-age=")
    token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
    answer = browser.post(front["https"] + "/login", data={"email": "boss@acme.example", "password":
                          "correct horse battery", "csrf_token": token}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert "Secure" in answer.headers["Set-Cookie"] and "HttpOnly" in answer.headers["Set-Cookie"]


def test_the_self_signed_certificate_names_the_host(tmp_path):
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    frontend.certificate(cert, key, "pbx.example.net")
    decoded = ssl._ssl._test_decode_cert(str(cert))
    assert ("DNS", "pbx.example.net") in decoded["subjectAltName"]
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_when_a_client_claims_another_address_through_the_front_then_the_app_sees_the_real_one(front, web_acme):
    """nginx overwrites X-Forwarded-For: varying it does not escape the login throttle of one address."""
    browser = requests.Session()
    browser.trust_env = False
    browser.verify = front["cert"]
    browser.headers["Referer"] = front["https"] + "/login"
    statuses = []
    for attempt in range(12):
        token = browser.get(front["https"] + "/login", timeout=5).text.split('name="csrf_token" value="')[1].split('"')[0]
        answer = browser.post(front["https"] + "/login", headers={"X-Forwarded-For": f"203.0.113.{attempt}"},
                              data={"email": f"guess{attempt}@acme.example", "password": "x", "csrf_token": token},
                              allow_redirects=False, timeout=5)
        statuses.append(answer.status_code)
    assert statuses[-1] == 429, statuses
