"""Logging in and out, remember me, operators, and what an org admin can never see, in a real browser."""
import pytest
from playwright.sync_api import expect

from tests.conftest import make_org
from tests.web.conftest import ADMIN, OPERATOR, PASSWORD, log_in, open_pbx, screenshot

pytestmark = pytest.mark.browser


def test_when_admin_logs_in_then_pbx_page_of_own_org_opens(page, acme):
    page.goto("/")
    expect(page).to_have_url("/login?next=%2F")
    screenshot(page, "login-page")
    log_in(page)
    expect(page).to_have_url("/orgs/acme")
    expect(page.get_by_role("heading", name="Acme Widgets")).to_be_visible()
    expect(page.locator("#extension-list")).to_contain_text("Reception")


def test_when_password_is_wrong_then_login_page_says_so_and_stays(page, acme):
    log_in(page, password="not the password")
    expect(page.locator("#login-error")).to_have_text("wrong e-mail or password")
    expect(page.get_by_label("E-mail")).to_have_value(ADMIN)
    screenshot(page, "login-refused")


def test_when_logged_in_user_opens_login_then_pbx_page_opens_directly(page, acme):
    log_in(page)
    expect(page).to_have_url("/orgs/acme")
    page.goto("/login")
    expect(page).to_have_url("/orgs/acme")


def test_when_admin_logs_out_then_pages_and_api_need_a_login_again(page, acme):
    open_pbx(page)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url("/login")
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    page.goto("/orgs/acme")
    expect(page).to_have_url("/login?next=%2Forgs%2Facme")
    assert page.request.get("/api/v1/orgs/acme/extensions").status == 401


def test_when_remember_me_is_ticked_then_a_lasting_cookie_is_set(page, acme):
    log_in(page, remember=True)
    expect(page).to_have_url("/orgs/acme")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["remember_token"]["httpOnly"] and cookies["remember_token"]["expires"] > 0
    assert cookies["session"]["httpOnly"] and cookies["session"]["sameSite"] == "Lax"


def test_when_org_admin_opens_another_orgs_urls_then_nothing_of_it_is_shown(page, acme, other_org):
    open_pbx(page)
    for path in ("/orgs/globex", "/orgs/globex/stats", "/orgs/globex/help/phones"):
        response = page.goto(path)
        assert response.status == 404, path
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        content = page.content()
        assert "Globex Secret Corp" not in content and "Hank Scorpio" not in content
    for path in ("/orgs/globex/extensions", "/orgs/globex/extensions/555/sip", "/orgs/globex/changes",
                 "/orgs/globex/apply", "/orgs/globex/moh", "/orgs/globex/cdr"):
        answer = page.request.get("/api/v1" + path)
        assert answer.status == 404, path
        assert "Hank" not in answer.text()
    screenshot(page, "other-org-not-found")


def test_when_there_are_many_organizations_then_the_operator_pages_through_them_and_finds_one(
        page, acme, other_org, operator, session):
    for index in range(58):
        make_org(session, f"shop{index:02d}", name=f"Corner Shop {index}")
    log_in(page, email=OPERATOR, password=PASSWORD)
    expect(page.locator("#orgs-count")).to_have_text("1–50 of 60")
    expect(page.locator("ul.orgs li")).to_have_count(50)
    page.get_by_role("link", name="Next").click()
    expect(page.locator("#orgs-count")).to_have_text("51–60 of 60")
    expect(page.locator("ul.orgs li").first).to_contain_text("Corner Shop 48")  # in code order
    expect(page.get_by_role("link", name="Globex Secret Corp")).to_have_count(0)

    page.get_by_label("Find an organization (code or name)").fill("SECRET")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#orgs-count")).to_have_text("1–1 of 1 matching “SECRET”")
    page.get_by_role("link", name="Globex Secret Corp").click()
    expect(page).to_have_url("/orgs/globex")
    page.goto("/?q=nobody-here")
    expect(page.locator("p.empty")).to_have_text("No organization's code or name contains “nobody-here”.")


def test_when_operator_logs_in_then_any_org_can_be_picked(page, acme, other_org, operator):
    log_in(page, email=OPERATOR, password=PASSWORD)
    expect(page).to_have_url("/")
    page.get_by_role("link", name="Globex Secret Corp").click()
    expect(page).to_have_url("/orgs/globex")
    expect(page.locator("#ext-555-display_name")).to_have_value("Hank Scorpio")
