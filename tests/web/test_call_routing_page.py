"""The call routing sections of the PBX page in a real browser: ring groups, business hours and menus;
their fields picked from the organization's own things, a number sent to them, errors next to the field."""
import subprocess

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.support.recording_backend import add_phone_block
from tests.web.conftest import open_pbx

pytestmark = pytest.mark.browser


def draft_group(engine, number: str) -> dict | None:
    with engine.connect() as connection:
        row = connection.execute(text(
            "SELECT g.* FROM ring_groups g JOIN organizations o ON o.id = g.org_id"
            " WHERE o.code = 'acme' AND g.number = :n"), {"n": number}).mappings().first()
    return dict(row) if row else None


def add_group(page, number: str, name: str) -> None:
    form = page.locator("#add-ringgroups")
    form.get_by_label("Number").fill(number)
    form.get_by_label("Name").fill(name)
    form.get_by_role("button", name="Add ring group").click()


def test_when_admin_builds_a_ring_group_then_each_step_is_saved_and_a_number_can_ring_it(page, acme, engine):
    open_pbx(page)
    expect(page.locator("#ringgroups-list")).to_contain_text("No ring groups yet")
    add_group(page, "600", "Sales")
    card = page.locator("#ringgroups-600-card")
    expect(card).to_be_visible()
    assert draft_group(engine, "600")["name"] == "Sales"

    card.get_by_label("Add to members").select_option("100")
    expect(page.locator("#ringgroups-600-members-status")).to_have_text("Saved")
    members = page.locator("#ringgroups-600-members")
    members.fill("100, +1 415 555 0123")
    members.press("Tab")
    expect(page.locator("#ringgroups-600-members-status")).to_have_text("Saved")
    assert draft_group(engine, "600")["members"] == "100 +14155550123"

    card.get_by_label("Ring", exact=True).select_option("hunt")
    expect(page.locator("#ringgroups-600-strategy-status")).to_have_text("Saved")
    card.locator("select[aria-label='If nobody answers']").select_option("voicemail:100")
    expect(page.locator("#ringgroups-600-no_answer-status")).to_have_text("Saved")
    assert (draft_group(engine, "600")["strategy"], draft_group(engine, "600")["no_answer"]) == ("hunt", "voicemail:100")

    did = page.locator("select[data-did='+14155550100']")
    expect(did.locator("option[value='ringgroup:600']")).to_have_text("Ring group 600 · Sales")
    did.select_option("ringgroup:600")
    expect(page.locator("#did-14155550100-destination-status")).to_have_text("Saved")
    expect(page.locator("#diff-list")).to_contain_text("ring group 600")


def test_when_a_member_is_wrong_then_the_error_shows_next_to_the_field_and_nothing_is_saved(page, acme, engine):
    open_pbx(page)
    add_group(page, "600", "Sales")
    members = page.locator("#ringgroups-600-members")
    members.fill("100, 999")
    members.press("Tab")
    expect(page.locator("#ringgroups-600-members-status")).to_have_text("no extension 999")
    assert draft_group(engine, "600")["members"] == ""


def test_when_a_group_takes_an_extensions_number_then_the_add_form_says_so(page, acme, engine):
    open_pbx(page)
    add_group(page, "100", "Clash")
    expect(page.locator("#add-ringgroups")).to_contain_text("extension 100")
    assert draft_group(engine, "100") is None


def add_named(page, kind: str, name: str, title: str, button: str):
    """Add an object keyed by a short name with the section's add form; returns its card."""
    form = page.locator(f"#add-{kind}")
    form.get_by_label("Short name").fill(name)
    form.get_by_label("Name", exact=True).fill(title)
    form.get_by_role("button", name=button).click()
    return page.locator(f"#{kind}-{name}-card")


def draft_condition(engine, name: str) -> dict | None:
    with engine.connect() as connection:
        row = connection.execute(text(
            "SELECT c.* FROM time_conditions c JOIN organizations o ON o.id = c.org_id"
            " WHERE o.code = 'acme' AND c.name = :n"), {"n": name}).mappings().first()
    return dict(row) if row else None


def test_when_admin_sets_business_hours_and_applies_then_night_mode_switches_at_once(page, acme, worker, engine):
    open_pbx(page)
    card = add_named(page, "timeconditions", "hours", "Office", "Add time condition")
    expect(card).to_contain_text("Not live yet")

    schedule = page.locator("#timeconditions-hours-schedule")
    schedule.fill("mon-fri 09:00-17:00, sat 17:00-10:00")
    schedule.press("Tab")
    expect(page.locator("#timeconditions-hours-schedule-status")).to_contain_text(
        "sat 17:00-10:00: the hours must end after they begin")
    assert draft_condition(engine, "hours")["schedule"] == ""
    schedule.fill("mon-fri 09:00-17:00")
    schedule.press("Tab")
    expect(page.locator("#timeconditions-hours-schedule-status")).to_have_text("Saved")
    card.locator("select[aria-label='When open']").select_option("100")
    expect(page.locator("#timeconditions-hours-open_destination-status")).to_have_text("Saved")
    card.locator("select[aria-label='When closed']").select_option("voicemail:100")
    expect(page.locator("#timeconditions-hours-closed_destination-status")).to_have_text("Saved")
    assert draft_condition(engine, "hours")["closed_destination"] == "voicemail:100"
    did = page.locator("select[data-did='+14155550100']")
    did.select_option("timecondition:hours")
    expect(page.locator("#did-14155550100-destination-status")).to_have_text("Saved")

    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#run-state")).to_have_attribute("data-state", "applied", timeout=15_000)
    switch = page.locator("#timeconditions-hours-switch")
    expect(switch).to_contain_text("(by its hours)")
    switch.get_by_role("button", name="Force closed").click()
    expect(switch).to_contain_text("Now closed (forced)")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT state FROM test_pbx_overrides WHERE org = 'acme'")).scalar() == "closed"
    page.reload()
    expect(page.locator("#timeconditions-hours-switch")).to_contain_text("Now closed (forced)")
    page.locator("#timeconditions-hours-switch").get_by_role("button", name="Follow the hours").click()
    expect(page.locator("#timeconditions-hours-switch")).to_contain_text("(by its hours)")


def test_when_admin_builds_a_menu_then_keys_greeting_and_the_number_are_saved(page, acme, engine, tmp_path):
    wav = tmp_path / "welcome.wav"
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", str(wav), "synth", "1", "sine", "440"], check=True)
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("meeting notes, not audio")
    open_pbx(page)
    card = add_named(page, "ivrs", "main", "Main menu", "Add menu")
    expect(card).to_contain_text("No greeting uploaded")

    card.locator("select[aria-label='Press 1']").select_option("100")
    expect(page.locator("#ivrs-main-option_1-status")).to_have_text("Saved")
    card.locator("select[aria-label='Press 0']").select_option("voicemail:100")
    expect(page.locator("#ivrs-main-option_0-status")).to_have_text("Saved")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT option_1, option_0, option_2 FROM ivrs")).one()
    assert tuple(row) == ("100", "voicemail:100", None)

    upload = page.locator("#ivrs-main-greeting-file")
    upload.set_input_files(str(not_audio))
    card.get_by_role("button", name="Upload greeting").click()
    expect(page.locator("#ivrs-main-greeting-file-status")).to_have_text("not an MP3 or a WAV file")
    upload.set_input_files(str(wav))
    card.get_by_role("button", name="Upload greeting").click()
    expect(page.locator("#ivrs-main-greeting-file-status")).to_contain_text("Uploaded")
    expect(page.locator("#ivrs-main-greeting")).to_contain_text("welcome.wav")

    did = page.locator("select[data-did='+14155550100']")
    expect(did.locator("option[value='ivr:main']")).to_have_text("Menu main · Main menu")
    did.select_option("ivr:main")
    expect(page.locator("#did-14155550100-destination-status")).to_have_text("Saved")
    expect(page.locator("#diff-list")).to_contain_text("menu main")


def test_when_admin_builds_a_queue_then_members_login_and_waits_are_saved(page, acme, engine):
    open_pbx(page)
    form = page.locator("#add-queues")
    form.get_by_label("Number").fill("500")
    form.get_by_label("Name").fill("Support")
    form.get_by_role("button", name="Add queue").click()
    card = page.locator("#queues-500-card")
    card.get_by_label("Add to members").select_option("100")
    expect(page.locator("#queues-500-members-status")).to_have_text("Saved")
    card.get_by_label("Members log in").check()
    expect(page.locator("#queues-500-login_required-status")).to_have_text("Saved")
    wait = page.locator("#queues-500-max_wait_seconds")
    wait.fill("5")
    wait.press("Tab")
    expect(page.locator("#queues-500-max_wait_seconds-status")).to_contain_text("10")
    card.locator("select[aria-label='After the longest wait']").select_option("voicemail:100")
    expect(page.locator("#queues-500-timeout_destination-status")).to_have_text("Saved")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT members, login_required, max_wait_seconds, timeout_destination"
                                      " FROM queues")).one()
    assert tuple(row) == ("100", 1, 300, "voicemail:100")
    expect(page.locator("select[data-did='+14155550100'] option[value='queue:500']")).to_have_text(
        "Queue 500 · Support")


def test_when_admin_makes_a_music_class_then_files_are_listed_and_a_queue_can_play_it(page, acme, engine, tmp_path):
    tune = tmp_path / "tune.wav"
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", str(tune), "synth", "1", "sine", "500"], check=True)
    open_pbx(page)
    card = add_named(page, "musicclasses", "jazz", "Jazz", "Add music class")
    expect(page.locator("#musicclasses-jazz-files")).to_contain_text("No files yet")
    page.locator("#musicclasses-jazz-file").set_input_files(str(tune))
    card.get_by_role("button", name="Add file").click()
    expect(page.locator("#musicclasses-jazz-files li")).to_have_count(1)
    expect(page.locator("#musicclasses-jazz-files")).to_contain_text("tune.wav")
    card.get_by_label("Shuffle").check()
    expect(page.locator("#musicclasses-jazz-shuffle-status")).to_have_text("Saved")

    form = page.locator("#add-queues")
    form.get_by_label("Number").fill("500")
    form.get_by_role("button", name="Add queue").click()
    music = page.locator("#queues-500-music_class")
    expect(music.locator("option[value='jazz']")).to_have_text("jazz · Jazz")
    music.select_option("jazz")
    expect(page.locator("#queues-500-music_class-status")).to_have_text("Saved")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT music_class FROM queues")).scalar() == "jazz"
        assert connection.execute(text("SELECT shuffle, file_names FROM music_classes")).one() == (1, "tune.wav")
    page.locator("#musicclasses-jazz-files").get_by_role("button", name="Remove").click()
    expect(page.locator("#musicclasses-jazz-files")).to_contain_text("No files yet")


def test_when_a_phone_recorded_a_prompt_then_the_menu_card_offers_it_and_uses_it(page, acme, engine, app):
    from littlepbx.pbx_backends.audio import phone_recordings_dir
    directory = phone_recordings_dir(app.config["DATA_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    open_pbx(page)
    card = add_named(page, "ivrs", "main", "Main menu", "Add menu")
    choice = page.locator("#ivrs-main-greeting-phone")
    card.get_by_role("button", name="Use recording").click()
    expect(page.locator("#ivrs-main-greeting-phone-status")).to_have_text("choose a recording first")
    # Extension 100 dials *47 while the page is open (Asterisk leaves the file so).
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(directory / "acme-100-1795777000.wav"),
                    "synth", "1.5", "sine", "440"], check=True)
    (directory / "globex-555-1795777000.wav").write_bytes(b"")  # another org's: never offered
    choice.focus()
    expect(choice.locator("option")).to_have_count(2)
    expect(choice.locator("option").nth(1)).to_contain_text("Extension 100")
    choice.select_option("100-1795777000")
    expect(card.locator("audio[src*='phone-recordings/100-1795777000']")).to_be_attached()
    card.get_by_role("button", name="Use recording").click()
    expect(page.locator("#ivrs-main-greeting-phone-status")).to_have_text("Used: heard after Apply")
    expect(page.locator("#ivrs-main-greeting")).to_contain_text("recorded on 100-1795777000.wav")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT greeting_sha256 FROM ivrs")).scalar()
    for path in directory.glob("*.wav"):
        path.unlink()


def test_when_admin_blocks_a_caller_then_it_is_drafted_with_where_its_calls_go(page, acme, engine):
    open_pbx(page)
    form = page.locator("#add-blocked_callers")
    form.get_by_label("Number or prefix").fill("12")
    form.get_by_role("button", name="Add blocked caller").click()
    expect(form).to_contain_text("3 to 15 digits")
    form.get_by_label("Number or prefix").fill("+1 415 555 0123")
    form.get_by_role("button", name="Add blocked caller").click()
    card = page.locator("#blocked_callers-14155550123-card")
    expect(card).to_be_visible()
    card.locator("select[aria-label='Their calls go to']").select_option("voicemail:100")
    expect(page.locator("#blocked_callers-14155550123-then_destination-status")).to_have_text("Saved")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT number, `match`, then_destination FROM blocked_callers")).one()
    assert tuple(row) == ("+14155550123", "exact", "voicemail:100")
    expect(page.locator("#diff-list")).to_contain_text("Blocked caller +14155550123 added")


def test_callers_a_phone_blocked_are_listed_and_the_admin_unblocks_one_at_once(page, acme, engine):
    add_phone_block(engine, "acme", "+14155550199", "100", minutes_ago=60)
    add_phone_block(engine, "acme", "+33140000000", "100")
    add_phone_block(engine, "globex", "+14155550188", "101")
    open_pbx(page)
    table = page.locator("#phone_blocks-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).not_to_contain_text("+14155550188")
    page.get_by_role("button", name="Unblock +14155550199").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("+33140000000")
    with engine.connect() as connection:
        left = connection.execute(text("SELECT org, number FROM test_pbx_phone_blocks ORDER BY org")).all()
    assert [tuple(row) for row in left] == [("acme", "+33140000000"), ("globex", "+14155550188")]
    expect(page.locator("#diff-list")).not_to_contain_text("+14155550199")


def test_when_admin_makes_a_conference_room_then_its_pins_are_checked_and_a_number_can_reach_it(page, acme, engine):
    open_pbx(page)
    form = page.locator("#add-conferences")
    form.get_by_label("Number").fill("850")
    form.get_by_label("Name").fill("Weekly")
    form.get_by_role("button", name="Add conference room").click()
    card = page.locator("#conferences-850-card")
    card.get_by_label("Music until the moderator joins").check()
    expect(card).to_contain_text("need a moderator PIN")
    pin = page.locator("#conferences-850-moderator_pin")
    pin.fill("12")
    pin.press("Tab")
    expect(page.locator("#conferences-850-moderator_pin-status")).to_contain_text("4 to 10 digits")
    pin.fill("9999")
    pin.press("Tab")
    expect(page.locator("#conferences-850-moderator_pin-status")).to_have_text("Saved")
    # The box still shows what was refused; ticked again, it is saved now.
    card.get_by_label("Music until the moderator joins").uncheck()
    card.get_by_label("Music until the moderator joins").check()
    expect(page.locator("#conferences-850-wait_for_moderator-status")).to_have_text("Saved")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT name, pin, moderator_pin, wait_for_moderator FROM conferences")).one()
    assert tuple(row) == ("Weekly", None, "9999", 1)
    expect(page.locator("select[data-did='+14155550100'] option[value='conference:850']")).to_have_text(
        "Conference room 850 · Weekly")


def test_when_admin_moves_the_parking_slots_and_picks_a_recording_notice_then_they_are_drafted(page, acme, engine):
    open_pbx(page)
    form = page.locator("#add-announcements")
    form.get_by_label("Short name").fill("recorded")
    form.get_by_role("button", name="Add announcement").click()
    expect(page.locator("#announcements-recorded-card")).to_be_visible()
    first = page.locator("#callsettings-parking_first")
    first.fill("5")
    first.press("Tab")
    expect(page.locator("#callsettings-parking_first-status")).to_contain_text("10")
    first.fill("801")
    first.press("Tab")
    expect(page.locator("#callsettings-parking_first-status")).to_have_text("Saved")
    page.locator("#callsettings-recording_notice").select_option("recorded")
    expect(page.locator("#callsettings-recording_notice-status")).to_have_text("Saved")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT parking_first, parking_slots, recording_notice FROM call_settings"
                                      " JOIN organizations ON organizations.id = org_id WHERE code = 'acme'")).one()
    assert tuple(row) == (801, 20, "recorded")
    expect(page.locator("#diff-list")).to_contain_text("Call settings")
