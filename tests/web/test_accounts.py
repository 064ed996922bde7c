"""A person's own login on the page: changing the password (errors beside the fields), and a
forgotten password reset through a link e-mailed by a real relay on loopback (STARTTLS and a
login), which works once."""
import email
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import free_port
from tests.support import tls
from tests.support.smtp import mail_settings, secure_smtp
from tests.web.conftest import ADMIN, PASSWORD, log_in, screenshot

pytestmark = pytest.mark.browser
NEW_PASSWORD = "a brand new passphrase"


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_when_an_admin_changes_the_password_then_mistakes_show_beside_their_field_and_then_the_new_one_works(
        page, acme):
    log_in(page)
    page.get_by_role("link", name="Your login").click()
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password (at least 10 characters)").fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#current-error")).to_have_text("not your current password")

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password (at least 10 characters)").fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD + "!")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#repeat-error")).to_have_text("not the same as the new password")

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password (at least 10 characters)").fill("short")
    page.get_by_label("New password again").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-error")).to_be_visible()

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password (at least 10 characters)").fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".flash")).to_contain_text("Your password is changed")
    screenshot(page, "account-password-changed")
    log_out(page)
    log_in(page, password=PASSWORD)
    expect(page.locator("#login-error")).to_have_text("wrong e-mail or password")
    log_in(page, password=NEW_PASSWORD)
    expect(page.locator("#pbx[data-loaded=true]")).to_be_attached()


@pytest.fixture
def relay(app, live_server, tmp_path):
    """The app's mail goes to a relay on loopback; links point at the live server."""
    authority = tls.authority(tmp_path)
    controller, inbox = secure_smtp(tmp_path, authority, free_port())
    saved = dict(app.config)
    app.config.update(mail_settings(controller.port, authority), PUBLIC_URL=live_server)
    yield inbox
    app.config.clear()
    app.config.update(saved)
    controller.stop()


def test_when_a_password_is_forgotten_then_an_emailed_link_sets_a_new_one_once(page, acme, relay):
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill("nobody@acme.example")
    page.get_by_role("button", name="Send the link").click()
    answer = page.locator(".flash").inner_text()
    assert "If this e-mail has a login" in answer and relay.messages == [], "unknown e-mails get the same answer"

    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill(ADMIN)
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".flash")).to_have_text(answer)
    [(recipients, content)] = relay.messages
    assert recipients == [ADMIN]
    body = email.message_from_string(content).get_payload(decode=True).decode()
    link = re.search(r"http://127\.0\.0\.1:\d+/password/reset/\S+", body).group(0)

    page.goto(link)
    page.get_by_label("New password (at least 10 characters)").fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill("something else entirely")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#repeat-error")).to_have_text("not the same as the new password")
    page.get_by_label("New password (at least 10 characters)").fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator(".flash")).to_contain_text("Your password is changed")
    log_in(page, password=NEW_PASSWORD)
    expect(page.locator("#pbx[data-loaded=true]")).to_be_attached()
    log_out(page)

    page.goto(link)  # the link named the old password: it is void now
    expect(page.locator(".flash")).to_contain_text("this link has expired or was already used")
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()


def test_the_audit_log_page_shows_the_orgs_own_changes_and_the_apply_that_made_them_live(
        page, acme, other_org, session):
    from littlepbx.kinds import Extensions
    from littlepbx.services import objects
    from tests.conftest import scope_of
    objects.create(scope_of(session, "globex"), Extensions, {"number": "556", "display_name": "Secret"})
    session.commit()
    log_in(page)
    page.get_by_role("link", name="Audit log").click()
    rows = page.locator("#audit-entries tbody tr")
    expect(rows.filter(has_text="apply.done")).to_have_count(1)
    expect(rows.filter(has_text="extension.create").filter(has_text="100")).to_have_count(1)
    expect(page.locator("#audit-entries")).not_to_contain_text("556")
    page.goto("/orgs/globex/audit")
    expect(page.locator("#audit-entries")).to_have_count(0)


def test_the_operators_system_page_shows_the_whole_systems_figures_and_no_org_admin_sees_it(
        page, acme, other_org, operator, engine):
    from tests.support.recording_backend import set_calls
    from tests.web.conftest import OPERATOR
    set_calls(engine, "acme", 3)
    log_in(page, email=OPERATOR)
    page.get_by_role("link", name="System").click()
    expect(page.locator("#system-orgs")).to_have_text("2")
    expect(page.locator("#system-calls")).to_have_text("3")
    expect(page.locator("#system-org-table tr[data-org='acme'] .calls")).to_have_text("3")
    expect(page.locator("#system-org-table tr[data-org='acme'] .extensions")).to_contain_text("1 of")
    expect(page.locator("#system-runs")).to_contain_text("applied")
    screenshot(page, "system-page")
    log_out(page)
    log_in(page)
    expect(page.get_by_role("link", name="System")).to_have_count(0)
    page.goto("/system")
    expect(page.locator("#system")).to_have_count(0)
