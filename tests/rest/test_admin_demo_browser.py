"""LittlePBXAdmin in Debian's chromium: an integrator provisions an organization end to end."""
import pytest
from sqlalchemy import func, select

from littlepbx import build_applier
from littlepbx.models import ApplyRun
from tests.conftest import wait_until
from tests.rest.conftest import new_token
from tests.support.recording_backend import pbx_rows

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()


def submit(page, form: str, button: str, **fields):
    for name, value in fields.items():
        page.fill(f"{form} [name={name}]", value)
    page.click(f"{form} button:has-text('{button}')")


@pytest.mark.browser
def test_when_integrator_uses_admin_demo_then_org_is_provisioned_applied_and_deleted(
        page, live_server, app, session, engine):
    from playwright.sync_api import expect
    token = new_token(session, "demo", None)
    page.goto(live_server + "/admin-demo/")
    page.fill("#token", token)
    page.click("text=Use token")
    expect(page.get_by_test_id("whoami")).to_have_text("token:demo (system)")
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0, "the token stays in the tab's memory"

    submit(page, "#org-form", "Create organization", code="demo1", name="Demo One",
           admin_email="it@demo1.example")
    expect(page.get_by_test_id("org-code")).to_have_text("demo1")
    expect(page.locator("#org-section[data-loaded=demo1]")).to_have_count(1)
    expect(page.locator("#orgs tr[data-code=demo1]")).to_contain_text("Demo One")
    expect(page.get_by_test_id("log")).to_contain_text("POST /api/v1/orgs")
    expect(page.get_by_test_id("log")).to_contain_text("HTTP 201")

    submit(page, ".trunk-form[data-direction=inbound]", "Save inbound trunk", host="203.0.113.10",
           source_addresses="203.0.113.10")
    expect(page.get_by_test_id("log")).to_contain_text("PUT /api/v1/orgs/demo1/trunks/inbound")
    page.check(".trunk-form[data-direction=outbound] [name=register]")
    submit(page, ".trunk-form[data-direction=outbound]", "Save outbound trunk", host="sip.carrier.example",
           username="demo1", password="trunk-secret")
    expect(page.get_by_test_id("log")).to_contain_text("PUT /api/v1/orgs/demo1/trunks/outbound")

    submit(page, "#extension-form", "Add extension", number="100", display_name="Reception")
    expect(page.get_by_test_id("extensions")).to_contain_text("100 Reception")
    submit(page, "#did-form", "Assign DID", number="+14155550123", destination="100")
    expect(page.get_by_test_id("dids")).to_contain_text("+14155550123 → 100")
    submit(page, "#admin-form", "Create admin", email="boss@demo1.example")
    expect(page.get_by_test_id("admins")).to_contain_text("boss@demo1.example")

    page.click("#apply")
    expect(page.get_by_test_id("run-state")).to_have_text("queued")
    run_id = wait_until(lambda: session.scalar(select(func.max(ApplyRun.id))), what="the run")
    build_applier(app).step(run_id)
    expect(page.get_by_test_id("run-state")).to_have_text("applied")  # the page polls GET .../apply
    assert pbx_rows(engine, "demo1")[("did", "+14155550123")] == "100"

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("delete-demo1").click()
    expect(page.locator("#orgs tr[data-code=demo1]")).to_have_count(0)
    assert pbx_rows(engine, "demo1") == {}


@pytest.mark.browser
def test_when_token_is_wrong_then_admin_demo_shows_the_401(page, live_server, app):
    from playwright.sync_api import expect
    page.goto(live_server + "/admin-demo/")
    page.fill("#token", "lpbx_wrong")
    page.click("text=Use token")
    expect(page.get_by_test_id("whoami")).to_have_text("not accepted")
    expect(page.get_by_test_id("log")).to_contain_text("HTTP 401")


def test_the_admin_demo_page_has_the_same_content_security_policy_as_the_others(client):
    answer = client.get("/admin-demo/")
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
