"""Browser-test fixtures: the app served by waitress on a free port, Debian's chromium through
Playwright, an Apply worker in a thread, and an organization with an admin who can log in."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from waitress.server import create_server

from littlepbx import build_applier
from littlepbx.kinds import Dids, Extensions
from littlepbx.models import ROLE_OPERATOR, ROLE_ORG_ADMIN
from littlepbx.services import apply, objects, users
from tests.conftest import make_org, scope_of
from tests.support.worker_thread import running_worker

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PASSWORD = "correct horse battery"
ADMIN = "boss@acme.example"
OPERATOR = "ops@littlepbx.example"


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole run (never downloaded: Debian's own)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app):
    """The test app served over HTTP on 127.0.0.1; yields its base URL."""
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    stop = threading.Event()

    def serve():
        # waitress's run() loops forever; looping here lets the same thread close the sockets.
        while not stop.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, use_poll=True, count=1)
        server.close()
        # close() leaves waitress's request threads running; a request still in hand finishes first.
        server.task_dispatcher.shutdown(timeout=5)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    stop.set()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (own cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def worker(app):
    """The Apply worker ticking in a thread, as `littlepbx worker` would in its own process."""
    with running_worker(app) as apply_worker:
        yield apply_worker


@pytest.fixture
def acme(app, session):
    """Organization acme (Europe/Paris) with extension 100, one DID, an admin, all applied."""
    org = make_org(session, "acme", name="Acme Widgets", timezone="Europe/Paris")
    scope = scope_of(session, "acme")
    objects.create(scope, Extensions, {"number": "100", "display_name": "Reception"})
    objects.create(scope, Dids, {"number": "+14155550100", "extension": "100"})
    users.create_user(session, ADMIN, PASSWORD, ROLE_ORG_ADMIN, org.id)
    run = apply.request_apply(scope)
    session.commit()
    build_applier(app).step(run.id)
    return org


@pytest.fixture
def other_org(app, session):
    """A second organization the acme admin must never see."""
    org = make_org(session, "globex", name="Globex Secret Corp")
    objects.create(scope_of(session, "globex"), Extensions, {"number": "555", "display_name": "Hank Scorpio"})
    session.commit()
    return org


@pytest.fixture
def operator(app, session):
    """An operator login (every organization)."""
    users.create_user(session, OPERATOR, PASSWORD, ROLE_OPERATOR)
    session.commit()
    return OPERATOR


def log_in(page, email: str = ADMIN, password: str = PASSWORD, remember: bool = False) -> None:
    """Fill and send the login form."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    if remember:
        page.get_by_label("Remember me on this device").check()
    page.get_by_role("button", name="Log in").click()


def open_pbx(page) -> None:
    """Log in as the acme admin and wait for the PBX page to finish loading."""
    from playwright.sync_api import expect
    log_in(page)
    expect(page.locator("#pbx[data-loaded=true]")).to_be_attached()


def screenshot(page, name: str) -> Path:
    """Save a screenshot of the whole page under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
