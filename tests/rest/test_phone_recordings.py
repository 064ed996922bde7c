"""Prompts recorded on a phone (*47) through the REST API: an organization lists, plays, uses and
deletes its own recordings only; a recording used as a greeting is converted and kept like an
upload; unused ones go after PHONE_RECORDING_DAYS and with their organization. (The recording
itself is made by the real Asterisk in tests/asterisk/test_ivrs.py.)"""
import os
import subprocess
import time

import pytest

from littlepbx.kinds.audio import prune_phone_recordings, remove_org_files
from littlepbx.pbx_backends.audio import phone_recordings_dir

ACME_ID, GLOBEX_ID = "101-1795777000", "101-1795777060"


@pytest.fixture
def recorded(app):
    """One recording of acme's extension 101 and one of globex's, as Asterisk leaves them."""
    directory = phone_recordings_dir(app.config["DATA_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    paths = {code: directory / f"{code}-{recording_id}.wav" for code, recording_id in
             (("acme", ACME_ID), ("globex", GLOBEX_ID))}
    for path in paths.values():  # 8 kHz 16-bit mono, Asterisk's "wav"
        subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(path), "synth", "2", "sine", "440"],
                       check=True)
    yield paths
    for path in directory.glob("*.wav"):
        path.unlink()


def test_when_phones_recorded_then_each_org_lists_and_plays_its_own_only(acme_api, recorded):
    items = acme_api.get("/orgs/acme/phone-recordings").get_json()["items"]
    assert [(item["id"], item["extension"], item["seconds"]) for item in items] == [(ACME_ID, "101", 2.0)]
    assert items[0]["recorded_at"] == "2026-11-27T10:56:40Z"  # 1795777000
    audio = acme_api.get(f"/orgs/acme/phone-recordings/{ACME_ID}/audio")
    assert audio.status_code == 200 and audio.data == recorded["acme"].read_bytes()
    assert acme_api.get(f"/orgs/acme/phone-recordings/{GLOBEX_ID}/audio").status_code == 404
    assert acme_api.get("/orgs/globex/phone-recordings").status_code in (403, 404)


def test_when_a_recording_is_used_as_a_greeting_then_the_menu_names_its_converted_copy(acme_api, recorded, app):
    assert acme_api.post("/orgs/acme/ivrs", json={"name": "main"}).status_code == 201
    answer = acme_api.put("/orgs/acme/ivrs/main/greeting", json={"phone_recording": ACME_ID})
    assert answer.status_code == 200, answer.get_json()
    menu = answer.get_json()
    assert menu["greeting_name"] == f"recorded on {ACME_ID}.wav" and menu["greeting_sha256"]
    # The copy stays when the recording is deleted.
    assert acme_api.delete(f"/orgs/acme/phone-recordings/{ACME_ID}").status_code == 204
    assert acme_api.get("/orgs/acme/phone-recordings").get_json()["items"] == []
    greeting = acme_api.get("/orgs/acme/ivrs/main/greeting/audio")
    assert greeting.status_code == 200 and greeting.data[:4] == b"RIFF"


def test_when_a_recording_is_another_orgs_or_no_id_then_nothing_is_used(acme_api, recorded):
    acme_api.post("/orgs/acme/announcements", json={"name": "closed"})
    other = acme_api.put("/orgs/acme/announcements/closed/recording", json={"phone_recording": GLOBEX_ID})
    assert other.status_code == 404
    for bad in ("../globex-101-1795777060", 42, None):
        answer = acme_api.put("/orgs/acme/announcements/closed/recording", json={"phone_recording": bad})
        assert answer.status_code == 422, bad
        assert answer.get_json()["error"]["fields"] == {"phone_recording": "not a recording id"}
    assert acme_api.delete(f"/orgs/acme/phone-recordings/{GLOBEX_ID}").status_code == 404
    assert recorded["globex"].exists()
    assert acme_api.get("/orgs/acme/announcements/closed").get_json()["recording_sha256"] is None


def test_when_recordings_are_old_or_their_org_goes_then_they_are_deleted(app, recorded):
    week_ago = time.time() - 8 * 86400
    os.utime(recorded["globex"], (week_ago, week_ago))
    assert prune_phone_recordings(app.config["DATA_DIR"], 7) == 1
    assert recorded["acme"].exists() and not recorded["globex"].exists()
    remove_org_files(app.config["DATA_DIR"], "acme")
    assert not recorded["acme"].exists()
