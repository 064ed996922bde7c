"""The stats page from real call records, the phone help with the org's settings, and page quality."""
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from littlepbx.models import utcnow
from tests.support.recording_backend import add_call_record, set_calls, set_queue_figures
from tests.web.conftest import ARTIFACTS, log_in, open_pbx, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def call_history(acme, engine):
    """Six call records of acme (five in the last four weeks, one just now: today in any time zone)
    and one of another org."""
    now = utcnow()
    rows = [
        ("acme", 0, "100", "ANSWERED", 65), ("acme", 2, "100", "ANSWERED", 30),
        ("acme", 3, "100", "NO ANSWER", 0), ("acme", 75, "+14155550100", "ANSWERED", 12),
        ("acme", 80, "100", "BUSY", 0), ("acme", 24 * 40, "100", "ANSWERED", 5),
        ("globex", 1, "555", "ANSWERED", 99),
    ]
    for number, (tenant, hours_ago, dst, disposition, billsec) in enumerate(rows):
        add_call_record(engine, tenant, calldate=now - timedelta(hours=hours_ago), src="+33140000000",
                        clid=f'"Caller {number}" <+33140000000>', dst=dst, disposition=disposition,
                        duration=billsec + 5, billsec=billsec, uniqueid=f"u{number}")


def test_stats_page_shows_calls_now_history_chart_and_per_extension_counts(page, acme, call_history, engine):
    set_calls(engine, "acme", 2)
    log_in(page)
    page.get_by_role("link", name="Stats").click()
    expect(page).to_have_url("/orgs/acme/stats")
    expect(page.locator("#stats[data-loaded=true]")).to_be_attached()
    expect(page.locator("#calls-now")).to_have_text("2")
    expect(page.locator("#current-calls")).to_have_text("This PBX cannot list the calls that are up.")
    expect(page.locator("#calls-total")).to_have_text("5")
    bars = page.locator("#per-day-svg rect.bar")
    expect(bars).to_have_count(28)
    counts = [int(bar.get_attribute("data-count")) for bar in bars.all()]
    assert sum(counts) == 5 and counts[-1] >= 1
    row = page.locator("#per-extension-table tr[data-number='100']")
    expect(row.locator(".answered")).to_have_text("3")
    expect(row.locator(".missed")).to_have_text("2")
    expect(page.locator("#recent-table tbody tr")).to_have_count(5)
    expect(page.locator("#recent-table")).not_to_contain_text("Caller 6")
    screenshot(page, "stats-page")


def test_call_history_filters_by_number_extension_and_result_and_exports_what_it_shows(page, acme, engine):
    now = utcnow()
    for number, (dialed, reached, disposition) in enumerate([
            ("+14155550100", "ringgroup:600", "ANSWERED"), ("100", "100", "ANSWERED"),
            ("+14155550100", "voicemail:100", "ANSWERED"), ("+4930123456", "refused", "FAILED")]):
        add_call_record(engine, "acme", calldate=now - timedelta(hours=number + 1), src=f"+3314000000{number}",
                        dst="s", dialed=dialed, reached=reached, disposition=disposition, billsec=10,
                        duration=12, uniqueid=f"h{number}")
    add_call_record(engine, "globex", calldate=now, src="+33140000009", dst="s", dialed="+14155550100",
                    reached="555", disposition="ANSWERED", billsec=3, duration=4, uniqueid="g1")
    log_in(page)
    page.get_by_role("link", name="Stats").click()
    rows = page.locator("#recent-table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("ring group 600")
    expect(page.locator("#recent-table")).not_to_contain_text("+33140000009")  # globex's call
    page.get_by_label("Result", exact=True).select_option("refused")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("+4930123456")
    page.get_by_label("Result", exact=True).select_option("")
    page.get_by_label("Number", exact=True).fill("0100")
    expect(rows).to_have_count(2)
    page.get_by_label("Extension", exact=True).select_option("100")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("mailbox 100")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    exported = Path(download.value.path()).read_text().splitlines()
    assert exported[0].startswith("calldate,") and "dialed,reached" in exported[0]
    assert len(exported) == 3 and all("+14155550100" in line for line in exported[1:]), exported


def test_stats_page_shows_each_queues_figures_of_this_org_only(page, acme, session, engine):
    from littlepbx.kinds import kind_named
    from littlepbx.services import objects
    from tests.conftest import scope_of
    objects.create(scope_of(session, "acme"), kind_named("queues"), {"number": "500", "name": "Support"})
    session.commit()
    set_queue_figures(engine, "acme", "500", waiting=3, answered=12, abandoned=2, timed_out=1, average_wait=41.6)
    set_queue_figures(engine, "globex", "777", answered=50)
    log_in(page)
    page.get_by_role("link", name="Stats").click()
    table = page.locator("#queue-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr")).to_have_text(["500 · Support" + "3" + "12" + "2" + "1" + "42 s"])


def test_when_org_has_no_calls_then_stats_say_so(page, acme):
    log_in(page)
    page.goto("/stats")
    expect(page).to_have_url("/orgs/acme/stats")
    expect(page.locator("#recent-calls")).to_have_text("No calls in the last four weeks.")
    expect(page.locator("#calls-total")).to_have_text("0")


def test_phone_help_fills_in_server_port_transport_and_each_extension_username(page, acme, session):
    from littlepbx.kinds import Extensions
    from littlepbx.services import objects
    from tests.conftest import scope_of
    objects.create(scope_of(session, "acme"), Extensions, {"number": "101", "display_name": "Sales",
                                                           "sip_transport": "tls"})
    session.commit()
    log_in(page)
    page.get_by_role("link", name="Phone help").click()
    expect(page).to_have_url("/orgs/acme/help/phones")
    expect(page.locator("#help-server")).to_have_text("127.0.0.1")
    expect(page.locator("#help-port")).to_have_text("5060")
    expect(page.locator("#help-transport")).to_have_text("UDP")
    expect(page.locator("#help-tls-port")).to_have_text("5061")
    expect(page.locator("#help-extensions")).to_contain_text("acme-101")
    expect(page.locator("#help-extensions tr", has_text="acme-101")).to_contain_text("TLS, port 5061, SRTP on")
    expect(page.locator("#help-extensions tr", has_text="acme-100")).to_contain_text("UDP, port 5060")
    headings = page.locator("section.guide h2")
    for name in ("Yealink", "Polycom", "Grandstream", "Cisco / Linksys SPA", "Snom", "Linphone",
                 "Zoiper", "MicroSIP", "Bria", "Android", "iPhone"):
        expect(headings.filter(has_text=name).first).to_be_visible()
    yealink = page.locator("#yealink")
    expect(yealink).to_contain_text("acme-100")
    page.get_by_label("Fill in the instructions below for extension").select_option("acme-101")
    expect(yealink).to_contain_text("acme-101")
    expect(yealink).to_contain_text("Sales")
    screenshot(page, "phone-help")


def test_phone_help_lists_what_phones_can_dial_of_this_org_only(page, acme, other_org, session):
    from littlepbx.kinds import kind_named
    from littlepbx.services import objects
    from tests.conftest import scope_of
    objects.create(scope_of(session, "acme"), kind_named("ringgroups"), {"number": "600", "name": "Sales"})
    objects.create(scope_of(session, "acme"), kind_named("timeconditions"),
                   {"name": "hours", "title": "Office hours", "toggle_code": 4})
    objects.create(scope_of(session, "acme"), kind_named("paginggroups"), {"number": "800", "name": "Shop floor"})
    objects.create(scope_of(session, "acme"), kind_named("queues"), {"number": "500", "name": "Support",
                                                                     "members": "100", "login_required": True})
    objects.create(scope_of(session, "globex"), kind_named("ringgroups"), {"number": "700", "name": "Theirs"})
    objects.update(scope_of(session, "acme"), kind_named("callsettings"), None, {"parking_first": 801,
                                                                                 "parking_slots": 5})
    session.commit()
    log_in(page)
    page.get_by_role("link", name="Phone help").click()
    codes = page.locator("#help-codes")
    expect(codes).to_contain_text("*97")
    expect(codes.locator("tr", has_text="600")).to_contain_text("ring group Sales")
    expect(codes.locator("tr", has_text="*284")).to_contain_text("switch Office hours to closed")
    expect(codes.locator("tr", has_text="800")).to_contain_text("page Shop floor")
    expect(codes.locator("tr", has_text="*45500")).to_contain_text("logs in to queue Support")
    expect(codes.locator("tr", has_text="**1")).to_contain_text("transfer the call")
    expect(codes.locator("tr", has_text="#77")).to_contain_text("park it; you hear its slot (801-805)")
    expect(codes.locator("tr", has_text="*90")).to_contain_text("forward the calls that find you busy")
    expect(codes.locator("tr", has_text="*52")).to_contain_text("forward the calls you leave unanswered")
    expect(codes.locator("tr", has_text="*32")).to_contain_text("block the last outside caller")
    expect(codes.locator("tr", has_text="*8")).to_contain_text("answer a call ringing on a phone of your pickup group")
    expect(codes).not_to_contain_text("700")


def test_pbx_page_fits_a_phone_sized_screen(page, acme):
    page.set_viewport_size({"width": 390, "height": 844})
    open_pbx(page)
    screenshot(page, "pbx-phone-size")
    too_wide = page.evaluate("""[...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 391).map(e => e.tagName + '#' + e.id + '.' + e.className)""")
    assert not too_wide


def test_an_extension_can_be_added_with_the_keyboard_alone(page, acme, engine):
    open_pbx(page)
    page.locator("#new-number").focus()
    page.keyboard.type("107")
    page.keyboard.press("Tab")
    page.keyboard.type("Keyboard user")
    page.keyboard.press("Enter")
    expect(page.locator("#ext-107-card")).to_be_visible()
    expect(page.locator("#new-number")).to_be_focused()


def test_empty_org_says_how_to_begin(page, acme, session):
    from littlepbx.kinds import Extensions
    from littlepbx.services import objects
    from tests.conftest import scope_of
    objects.delete(scope_of(session, "acme"), Extensions, "100")
    session.commit()
    open_pbx(page)
    expect(page.locator("#no-extensions")).to_have_text("No extensions yet: add the first one below.")


def test_readme_screenshot_of_the_pbx_page(page, acme, session):
    """Not a check: the picture README shows. docs/screenshot-pbx-page.png is written when missing
    or when LITTLEPBX_UPDATE_SCREENSHOT=1 (so test runs do not churn it); test-artifacts/ always."""
    from littlepbx.kinds import Extensions
    from littlepbx.services import objects
    from tests.conftest import scope_of
    scope = scope_of(session, "acme")
    objects.create(scope, Extensions, {"number": "101", "display_name": "Sales", "ring_seconds": 25,
                                        "voicemail_email": "sales@acme.example"})
    objects.update(scope, Extensions, "100", {"display_name": "Front desk"})
    session.commit()
    open_pbx(page)
    page.get_by_text("Show what will change").click()
    expect(page.locator("#diff-list li")).to_have_count(2)
    picture = screenshot(page, "readme-pbx-page")
    target = ARTIFACTS.parent / "docs" / "screenshot-pbx-page.png"
    if not target.exists() or os.environ.get("LITTLEPBX_UPDATE_SCREENSHOT") == "1":
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(picture, target)


def test_a_recorded_call_in_the_history_plays_and_downloads_from_the_stats_page(page, acme, app, engine):
    from tests.rest.test_call_recordings import recorded_call
    now = utcnow()
    add_call_record(engine, "acme", calldate=now - timedelta(hours=1), src="+33140000001", dst="100", dialed="100",
                    reached="100", disposition="ANSWERED", billsec=1, duration=2, uniqueid="1795777000.12")
    add_call_record(engine, "acme", calldate=now - timedelta(hours=2), src="+33140000002", dst="100", dialed="100",
                    reached="100", disposition="ANSWERED", billsec=1, duration=2, uniqueid="1795777000.13")
    recorded_call(app, "acme", "1795777000.12")
    log_in(page)
    page.get_by_role("link", name="Stats").click()
    rows = page.locator("#recent-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("audio")).to_have_count(1)
    expect(rows.nth(1).locator("audio")).to_have_count(0)
    with page.expect_download() as download:
        rows.nth(0).get_by_role("link", name="Download the recording").click()
    assert Path(download.value.path()).read_bytes()[:4] == b"RIFF"
