"""Music on hold on the PBX page: a real MP3 is converted and playable, a fake one is refused clearly."""
import subprocess

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from littlepbx.kinds.musicclasses import MusicClasses
from littlepbx.services import objects
from tests.conftest import scope_of
from tests.web.conftest import open_pbx, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def real_mp3(tmp_path):
    """Two seconds of a 440 Hz tone, encoded by sox as MP3."""
    path = tmp_path / "hold-tune.mp3"
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", str(path), "synth", "2", "sine", "440"],
                   check=True, capture_output=True)
    return path


@pytest.fixture
def fake_mp3(tmp_path):
    """A text file wearing an .mp3 name."""
    path = tmp_path / "not-music.mp3"
    path.write_text("this is a shopping list, not music\n")
    return path


def draft_moh(engine) -> dict:
    with engine.connect() as connection:
        return dict(connection.execute(text(
            "SELECT m.enabled, m.original_name, m.sha256 FROM music_on_hold m"
            " JOIN organizations o ON o.id = m.org_id WHERE o.code = 'acme'")).mappings().one())


def test_when_a_fake_mp3_is_uploaded_then_a_clear_error_shows_and_nothing_changes(page, acme, engine, fake_mp3):
    open_pbx(page)
    page.get_by_label("MP3 file").set_input_files(str(fake_mp3))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#moh-file-status")).to_have_text("not an MP3 file")
    expect(page.locator("#moh-empty")).to_be_visible()
    assert draft_moh(engine)["sha256"] is None
    screenshot(page, "pbx-moh-bad-file")


def test_when_a_real_mp3_is_uploaded_then_it_can_be_played_and_music_turned_on(page, acme, engine, real_mp3):
    open_pbx(page)
    checkbox = page.get_by_label("Play music to callers on hold")
    checkbox.click()  # refused at once and unticked again, so not check(), which verifies the tick
    expect(page.locator("#moh-enabled-status")).to_have_text("no music uploaded yet")
    expect(checkbox).not_to_be_checked()

    page.get_by_label("MP3 file").set_input_files(str(real_mp3))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#moh-file-status")).to_have_text("Uploaded", timeout=20_000)
    expect(page.locator("#moh-name")).to_contain_text("hold-tune.mp3")
    player = page.locator("audio#moh-player")
    expect(player).to_be_visible()
    audio = page.request.get(player.get_attribute("src"))
    assert audio.status == 200 and audio.body()[:4] == b"RIFF"

    checkbox.check()
    expect(page.locator("#moh-enabled-status")).to_have_text("Saved")
    assert draft_moh(engine)["enabled"] == 1
    expect(page.locator("#diff-list")).to_contain_text("music on hold off → on")
    screenshot(page, "pbx-moh-uploaded")


def test_when_a_music_class_is_chosen_then_it_is_saved_and_a_deleted_one_is_refused_next_to_it(page, acme, engine,
                                                                                                session):
    for name in ("jazz", "blues"):
        objects.create(scope_of(session, "acme"), MusicClasses, {"name": name, "title": name.title()})
    session.commit()
    open_pbx(page)
    select = page.get_by_label("Callers on hold hear")
    select.select_option("jazz")
    expect(page.locator("#moh-class-status")).to_have_text("Saved")
    page.get_by_label("Play music to callers on hold").check()
    expect(page.locator("#moh-enabled-status")).to_have_text("Saved")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT m.enabled, m.music_class FROM music_on_hold m JOIN organizations o"
                                       " ON o.id = m.org_id WHERE o.code = 'acme'")).one() == (1, "jazz")
    expect(page.locator("#diff-list")).to_contain_text("jazz")
    # Blues is deleted elsewhere (another tab) while this page still offers it.
    objects.delete(scope_of(session, "acme"), MusicClasses, "blues")
    session.commit()
    select.select_option("blues")
    expect(page.locator("#moh-class-status")).to_have_text("no such music class")
    expect(select).to_have_value("jazz")
