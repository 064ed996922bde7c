"""The PBX page in a real browser: every edit saved at once, the pending diff, Apply and its live state."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.support.recording_backend import pbx_rows, set_calls, set_controls
from tests.web.conftest import ADMIN, open_pbx, screenshot

pytestmark = pytest.mark.browser


def draft_extension(engine, number: str) -> dict | None:
    """The draft row of acme's extension ``number`` as the database holds it now."""
    with engine.connect() as connection:
        row = connection.execute(text(
            "SELECT e.* FROM extensions e JOIN organizations o ON o.id = e.org_id"
            " WHERE o.code = 'acme' AND e.number = :n"), {"n": number}).mappings().first()
    return dict(row) if row else None


def draft_numbers(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text(
            "SELECT e.number FROM extensions e JOIN organizations o ON o.id = e.org_id"
            " WHERE o.code = 'acme' ORDER BY e.number")))


def run_states(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT state FROM apply_runs ORDER BY id")))


def add_extension(page, number: str, name: str = "", added: bool = True) -> None:
    """Fill and send the add-extension form; when it is to be ``added``, wait for its card (the page
    has then drawn every section again: a field changed meanwhile would lose its status line)."""
    form = page.locator("#add-extension")
    form.get_by_label("Number").fill(number)
    form.get_by_label("Name").fill(name)
    form.get_by_role("button", name="Add extension").click()
    if added:
        expect(page.locator(f"#ext-{number}-card")).to_be_visible()


def confirm_dialog(page, button: str) -> None:
    """Answer the page's confirmation dialog with ``button``."""
    dialog = page.locator("dialog#confirm")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=button).click()
    expect(dialog).to_be_hidden()


def test_when_admin_adds_edits_and_deletes_an_extension_then_each_step_is_saved(page, acme, engine):
    open_pbx(page)
    add_extension(page, "101", "Front desk")
    card = page.locator("#ext-101-card")
    expect(card).to_be_visible()
    assert draft_extension(engine, "101")["display_name"] == "Front desk"

    name = page.locator("#ext-101-display_name")
    name.fill("Sales desk")
    name.press("Enter")
    expect(page.locator("#ext-101-display_name-status")).to_have_text("Saved")
    assert draft_extension(engine, "101")["display_name"] == "Sales desk"

    page.locator("#ext-101-ring_seconds").fill("35")
    page.locator("#ext-101-ring_seconds").press("Tab")
    expect(page.locator("#ext-101-ring_seconds-status")).to_have_text("Saved")
    page.locator("#ext-101-no_answer").select_option("forward")
    page.locator("#ext-101-forward_to").fill("+14155550199")
    page.locator("#ext-101-forward_to").press("Tab")
    expect(page.locator("#ext-101-forward_to-status")).to_have_text("Saved")
    page.locator("#ext-101-voicemail_enabled").uncheck()
    expect(page.locator("#ext-101-voicemail_enabled-status")).to_have_text("Saved")
    row = draft_extension(engine, "101")
    assert (row["ring_seconds"], row["no_answer"], row["forward_to"], row["voicemail_enabled"]) == (
        35, "forward", "+14155550199", 0)
    screenshot(page, "pbx-extension-edited")

    card.get_by_role("button", name="Delete").click()
    confirm_dialog(page, "Delete")
    expect(card).to_have_count(0)
    assert draft_extension(engine, "101") is None


def test_when_a_value_is_wrong_then_its_error_shows_next_to_it_and_nothing_is_saved(page, acme, engine):
    open_pbx(page)
    ring = page.locator("#ext-100-ring_seconds")
    ring.fill("500")
    ring.press("Tab")
    status = page.locator("#ext-100-ring_seconds-status")
    expect(status).to_have_class("status error")
    expect(status).not_to_be_empty()
    expect(ring).to_have_attribute("aria-invalid", "true")
    pin = page.locator("#ext-100-voicemail_pin")
    pin.fill("12")
    pin.press("Tab")
    expect(page.locator("#ext-100-voicemail_pin-status")).to_contain_text("4 to 10 digits")
    add_extension(page, "1", added=False)
    expect(page.locator("#new-number-status")).to_contain_text("2 to 6 digits")
    screenshot(page, "pbx-field-errors")
    row = draft_extension(engine, "100")
    assert row["ring_seconds"] == 20 and row["voicemail_pin"] != "12"
    assert draft_numbers(engine) == ["100"]
    expect(page.locator("#pending")).to_contain_text("No pending changes")


def test_when_draft_differs_from_live_then_the_pending_diff_lists_each_change(page, acme):
    open_pbx(page)
    expect(page.locator("#pending")).to_contain_text("No pending changes")
    name = page.locator("#ext-100-display_name")
    name.fill("Front desk")
    name.press("Enter")
    add_extension(page, "102")
    expect(page.locator("#pending")).to_have_text("2 changes not applied yet")
    page.get_by_text("Show what will change").click()
    diff = page.locator("#diff-list")
    expect(diff).to_contain_text("Extension 100: name Reception → Front desk")
    expect(diff).to_contain_text("Extension 102 added")
    screenshot(page, "pbx-pending-diff")


def test_when_admin_applies_then_the_state_goes_live_to_applied(page, acme, worker, engine):
    open_pbx(page)
    add_extension(page, "103")
    expect(page.locator("#pending")).to_contain_text("1 change")
    page.get_by_label("E-mail me").check()
    page.get_by_role("button", name="Apply").click()
    state = page.locator("#run-state")
    expect(state).to_have_attribute("data-state", "applied", timeout=15_000)
    expect(state).to_contain_text("applied 2 extension(s)")
    expect(page.locator("#pending")).to_contain_text("No pending changes")
    assert ("extension", "103") in pbx_rows(engine, "acme")
    with engine.connect() as connection:
        notify, email = connection.execute(text(
            "SELECT notify, notify_email FROM apply_runs ORDER BY id DESC LIMIT 1")).one()
    assert notify and email == ADMIN
    screenshot(page, "pbx-applied")


def test_when_apply_fails_then_the_page_says_failed_and_why(page, acme, worker, engine):
    set_controls(engine, "acme", fail_message="the PBX database is read-only")
    open_pbx(page)
    add_extension(page, "108")
    expect(page.locator("#ext-108-card")).to_be_visible()
    page.get_by_role("button", name="Apply").click()
    state = page.locator("#run-state")
    expect(state).to_have_attribute("data-state", "failed", timeout=15_000)
    expect(state).to_contain_text("the PBX database is read-only")
    expect(page.locator("#pending")).to_contain_text("1 change")
    expect(page.locator("#apply-button")).to_be_enabled()
    screenshot(page, "pbx-apply-failed")


def test_when_calls_are_up_then_apply_waits_and_stop_ends_it(page, acme, worker, engine):
    set_calls(engine, "acme", 1)
    open_pbx(page)
    name = page.locator("#ext-100-display_name")
    name.fill("Lobby")
    name.press("Enter")
    expect(page.locator("#ext-100-display_name-status")).to_have_text("Saved")
    page.get_by_role("button", name="Apply").click()
    state = page.locator("#run-state")
    expect(state).to_have_attribute("data-state", "waiting_for_calls", timeout=15_000)
    expect(state).to_contain_text("waiting for 1 call to end")
    expect(page.locator("#apply-button")).to_be_disabled()
    screenshot(page, "pbx-waiting-for-calls")
    page.get_by_role("button", name="Stop").click()
    expect(state).to_have_attribute("data-state", "stopped")
    expect(page.locator("#pending")).to_contain_text("1 change")
    assert run_states(engine)[-1] == "stopped"
    assert pbx_rows(engine, "acme")[("extension", "100")].startswith("Reception|")


def test_when_admin_discards_or_resets_then_confirmation_is_asked_and_the_draft_is_replaced(page, acme, engine):
    open_pbx(page)
    add_extension(page, "104")
    expect(page.locator("#ext-104-card")).to_be_visible()

    page.get_by_role("button", name="Discard…").click()
    confirm_dialog(page, "Cancel")
    assert draft_numbers(engine) == ["100", "104"]
    page.get_by_role("button", name="Discard…").click()
    confirm_dialog(page, "Discard changes")
    expect(page.locator("#ext-104-card")).to_have_count(0)
    expect(page.locator("#pending")).to_contain_text("No pending changes")
    assert draft_numbers(engine) == ["100"]

    add_extension(page, "105")
    expect(page.locator("#ext-105-card")).to_be_visible()
    page.get_by_role("button", name="Reset…").click()
    confirm_dialog(page, "Reset")
    expect(page.locator("#ext-105-card")).to_have_count(0)
    expect(page.locator("#ext-100-display_name")).to_have_value("Reception")
    assert draft_numbers(engine) == ["100"]


def test_when_admin_asks_for_sip_settings_then_they_show_with_copy_and_regenerate(page, acme, engine):
    open_pbx(page)
    page.locator("#ext-100-card").get_by_role("button", name="Show SIP settings").click()
    expect(page.locator("#ext-100-sip-username")).to_have_text("acme-100")
    password = page.locator("#ext-100-sip-password")
    old = draft_extension(engine, "100")["sip_password"]
    expect(password).to_have_text(old)
    page.get_by_role("button", name="Copy password").click()
    expect(page.locator("#ext-100-sip-copy-status")).to_have_text("Copied")
    page.get_by_role("button", name="Regenerate password").click()
    confirm_dialog(page, "Regenerate")
    expect(password).not_to_have_text(old)
    assert draft_extension(engine, "100")["sip_password"] == password.inner_text()
    expect(page.locator("#diff-list")).to_contain_text("SIP password")


def test_when_admin_reroutes_a_did_then_it_is_saved(page, acme, engine):
    open_pbx(page)
    add_extension(page, "106")
    select = page.locator("select[data-did='+14155550100']")
    expect(select.locator("option[value='106']")).to_be_attached()
    select.select_option("106")
    expect(page.locator("#did-14155550100-destination-status")).to_have_text("Saved")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT destination FROM dids WHERE number = '+14155550100'")) == "106"
    expect(page.locator("#diff-list")).to_contain_text("Number +14155550100: rings 100 → 106")


def test_when_a_call_arrives_on_a_number_then_its_row_says_so(page, acme, engine):
    set_calls(engine, "acme", 1)
    set_calls(engine, "acme:+14155550100", 1)
    open_pbx(page)
    cell = page.locator("td[data-did-calls='+14155550100']")
    expect(cell).to_have_text("1 call")
    set_calls(engine, "acme:+14155550100", 0)
    page.reload()
    expect(page.locator("td[data-did-calls='+14155550100']")).to_have_text("none")


def test_when_the_page_outlives_its_csrf_token_then_an_edit_is_still_saved(page, acme, app, engine):
    app.config["WTF_CSRF_TIME_LIMIT"] = 1
    open_pbx(page)
    page.wait_for_timeout(2500)  # the thing tested is a token older than its limit
    name = page.locator("#ext-100-display_name")
    name.fill("After lunch")
    name.press("Enter")
    expect(page.locator("#ext-100-display_name-status")).to_have_text("Saved")
    assert draft_extension(engine, "100")["display_name"] == "After lunch"


def test_when_an_extension_is_live_then_its_card_switches_dnd_and_the_forwards_at_once(page, acme, engine):
    open_pbx(page)
    dnd = page.get_by_label("Do not disturb (the phone: *78 on, *79 off)")
    dnd.check()
    expect(page.locator("#ext-100-dnd-status")).to_have_text("Live now")
    forward = page.get_by_label("Forward every call to (the phone: *72 and the number, *73 to stop)")
    forward.fill("100")
    forward.press("Tab")
    expect(page.locator("#ext-100-forward_all-status")).to_have_text("not the extension itself")
    forward.fill("+14155550199")
    forward.press("Tab")
    expect(page.locator("#ext-100-forward_all-status")).to_have_text("Live now")
    busy = page.get_by_label("Forward when busy to (the phone: *90 and the number, *91 to stop)")
    busy.fill("t2-101")
    busy.press("Tab")
    expect(page.locator("#ext-100-forward_busy-status")).to_contain_text("one of the organization's numbers")
    busy.fill("555")
    busy.press("Tab")
    expect(page.locator("#ext-100-forward_busy-status")).to_have_text("Live now")
    expect(page.get_by_label("Forward every call to (the phone: *72 and the number, *73 to stop)")).to_have_value(
        "+14155550199")
    with engine.connect() as connection:  # what the (test) PBX was told, with no Apply pending
        assert connection.execute(text("SELECT dnd, forward_to, forward_busy, forward_unanswered"
                                       " FROM test_pbx_phone_states WHERE org = 'acme' AND number = '100'")
                                  ).one() == (1, "+14155550199", "555", None)
    expect(page.locator("#diff-list")).not_to_contain_text("100")


def test_an_extension_card_sets_busy_and_not_connected_calls_follow_me_and_the_number_it_calls_out_as(
        page, acme, engine):
    open_pbx(page)
    add_extension(page, "106")
    card = page.locator("#ext-100-card")
    card.locator("select[aria-label='If busy']").select_option("voicemail:100")
    expect(page.locator("#ext-100-when_busy-status")).to_have_text("Saved")
    card.locator("select[aria-label='If the phone is not connected']").select_option("106")
    expect(page.locator("#ext-100-when_unregistered-status")).to_have_text("Saved")
    card.get_by_label("Add to then ring (follow me)").select_option("106")
    expect(page.locator("#ext-100-follow_me-status")).to_have_text("Saved")
    follow = page.locator("#ext-100-follow_me")
    follow.fill("106, 100")
    follow.press("Tab")
    expect(page.locator("#ext-100-follow_me-status")).to_contain_text("cannot hold the extension itself")
    follow.fill("106, +1 415 555 0123")
    follow.press("Tab")
    expect(page.locator("#ext-100-follow_me-status")).to_have_text("Saved")
    card.get_by_label("Calls out as").select_option("+14155550100")
    expect(page.locator("#ext-100-outbound_caller_id-status")).to_have_text("Saved")
    row = draft_extension(engine, "100")
    assert (row["when_busy"], row["when_unregistered"], row["follow_me"], row["outbound_caller_id"]) == (
        "voicemail:100", "106", "106 +14155550123", "+14155550100")
    expect(page.locator("#diff-list")).to_contain_text("Extension 100")
