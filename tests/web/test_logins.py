"""Operators manage logins on the page: they add operators and an organization's admins (each
with a password shown once, which works), and deactivate them; an admin sees none of it."""
import re

import pytest
from playwright.sync_api import expect

from tests.web.conftest import ADMIN, OPERATOR, PASSWORD, log_in, screenshot

pytestmark = pytest.mark.browser


def added_password(page, email: str) -> str:
    """The password the page shows once for the login it just added."""
    flash = page.locator(".flash")
    expect(flash).to_contain_text(f"{email} can log in with the password")
    return re.search(r"with the password (\S+) ", flash.inner_text()).group(1)


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_when_an_operator_adds_an_operator_then_mistakes_show_beside_the_field_and_the_new_login_works(
        page, operator):
    log_in(page, OPERATOR)
    page.get_by_role("link", name="Operators").click()
    expect(page.locator(f"#logins tr[data-email='{OPERATOR}']")).to_contain_text("yes")
    page.get_by_label("E-mail").fill("not an address")
    page.get_by_role("button", name="Add").click()
    expect(page.locator("#add-email-error")).to_be_visible()
    page.get_by_label("E-mail").fill(OPERATOR)
    page.get_by_role("button", name="Add").click()
    expect(page.locator("#add-email-error")).to_have_text("already used")

    page.get_by_label("E-mail").fill("night@littlepbx.example")
    page.get_by_label("Name").fill("Night shift")
    page.get_by_role("button", name="Add").click()
    password = added_password(page, "night@littlepbx.example")
    screenshot(page, "operators-added")
    row = page.locator("#logins tr[data-email='night@littlepbx.example']")
    expect(row).to_contain_text("Night shift")
    own = page.locator(f"#logins tr[data-email='{OPERATOR}']")
    own.get_by_role("button", name="Deactivate").click()
    expect(page.locator(".flash")).to_have_text("you cannot deactivate your own login")

    log_out(page)
    log_in(page, "night@littlepbx.example", password)
    expect(page.get_by_role("link", name="Operators")).to_be_visible()
    log_out(page)
    log_in(page, OPERATOR)
    page.get_by_role("link", name="Operators").click()
    row.get_by_role("button", name="Deactivate").click()
    expect(page.locator(".flash")).to_have_text("night@littlepbx.example can no longer log in.")
    log_out(page)
    log_in(page, "night@littlepbx.example", password)
    expect(page.locator("#login-error")).to_be_visible()


def test_when_an_operator_adds_an_org_admin_then_it_logs_in_to_that_org_only_until_deactivated(
        page, operator, acme, other_org):
    log_in(page, OPERATOR)
    page.goto("/orgs/acme")
    page.get_by_role("link", name="Admins").click()
    expect(page.get_by_role("heading", name="Admins of Acme Widgets")).to_be_visible()
    expect(page.locator(f"#logins tr[data-email='{ADMIN}']")).to_be_visible()
    page.get_by_label("E-mail").fill("deputy@acme.example")
    page.get_by_role("button", name="Add").click()
    password = added_password(page, "deputy@acme.example")
    log_out(page)

    log_in(page, "deputy@acme.example", password)
    expect(page.locator("#pbx[data-loaded=true]")).to_be_attached()
    expect(page.get_by_role("link", name="Operators")).to_have_count(0)
    expect(page.get_by_role("link", name="Admins")).to_have_count(0)
    for path in ("/operators", "/orgs/acme/admins", "/orgs/globex/admins"):
        response = page.goto(path)
        assert response.status in (403, 404), path
    log_out(page)

    log_in(page, OPERATOR)
    page.goto("/orgs/acme/admins")
    page.locator("#logins tr[data-email='deputy@acme.example']").get_by_role("button", name="Deactivate").click()
    expect(page.locator(".flash")).to_have_text("deputy@acme.example can no longer log in.")
    log_out(page)
    log_in(page, "deputy@acme.example", password)
    expect(page.locator("#login-error")).to_be_visible()
    log_in(page, ADMIN, PASSWORD)
    expect(page.locator("#pbx[data-loaded=true]")).to_be_attached()
