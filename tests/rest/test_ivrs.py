"""Menus (IVR) through the REST API: keys leading to the organization's own destinations, a
greeting uploaded as MP3 or WAV (checked by content), and the menu handed to the PBX on Apply."""
import io
import os
from pathlib import Path

import pytest

from littlepbx.pbx_backends.audio import phone_recordings_dir
from tests.support.apply_helpers import apply_now
from tests.support.audio import tone
from tests.support.recording_backend import pbx_rows

MAIN = {"name": "main", "title": "Main menu", "option_1": "ringgroup:600", "option_2": "voicemail:101",
        "option_0": "101", "option_star": "hangup", "direct_dial": True, "timeout_seconds": 4, "repeats": 1,
        "timeout_destination": "101", "invalid_destination": "hangup"}


@pytest.fixture(scope="session")
def wav_bytes(tmp_path_factory):
    """A real one-second 16 kHz stereo WAV made by sox (the PBX wants 8 kHz mono)."""
    return tone(tmp_path_factory.mktemp("greeting") / "hello.wav", rate=16000, channels=2)


def greeting(api, data: bytes, name: str = "hello.wav", menu: str = "main"):
    return api.put(f"/orgs/acme/ivrs/{menu}/greeting", data={"file": (io.BytesIO(data), name)},
                   content_type="multipart/form-data")


def test_when_a_menu_is_created_then_it_is_answered_with_every_key(system_api, orgs):
    system_api.post("/orgs/acme/ringgroups", json={"number": "600", "members": ["101"]})
    answer = system_api.post("/orgs/acme/ivrs", json=MAIN)
    assert answer.status_code == 201, answer.get_json()
    shown = answer.get_json()
    assert {k: shown[k] for k in MAIN} == MAIN
    assert shown["option_5"] is None and shown["option_hash"] is None and shown["greeting_name"] is None
    assert system_api.get("/orgs/globex/ivrs").get_json()["items"] == []


def test_when_a_key_leads_to_something_not_the_organizations_then_422_and_nothing_kept(system_api, orgs):
    system_api.post("/orgs/globex/ringgroups", json={"number": "600"})
    system_api.post("/orgs/globex/ivrs", json={"name": "theirs"})
    for key, destination, message in (("option_1", "ringgroup:600", "no such ring group"),
                                      ("option_2", "ivr:theirs", "no such menu"),
                                      ("option_3", "102", "no such extension"),
                                      ("option_4", "101&PJSIP/globex-101", "not a destination")):
        answer = system_api.post("/orgs/acme/ivrs", json={"name": "main", key: destination})
        assert answer.status_code == 422, destination
        assert message in answer.get_json()["error"]["fields"][key], answer.get_json()
    assert system_api.get("/orgs/acme/ivrs").get_json()["items"] == []


def test_when_a_menu_ends_in_itself_then_422_but_a_key_may_replay_it(system_api, orgs):
    system_api.post("/orgs/acme/ivrs", json={"name": "main"})
    replay = system_api.patch("/orgs/acme/ivrs/main", json={"option_9": "ivr:main"})
    assert replay.status_code == 200, replay.get_json()
    loop = system_api.patch("/orgs/acme/ivrs/main", json={"timeout_destination": "ivr:main"})
    assert loop.status_code == 422
    assert loop.get_json()["error"]["fields"] == {"timeout_destination": "not the menu itself"}


def test_when_a_number_goes_to_a_menu_then_the_menu_cannot_be_deleted_silently(system_api, orgs):
    system_api.post("/orgs/acme/ivrs", json={"name": "main"})
    routed = system_api.patch("/orgs/acme/dids/+14155550100", json={"destination": "ivr:main"})
    assert routed.status_code == 200
    deleted = system_api.delete("/orgs/acme/ivrs/main")
    assert deleted.status_code == 200 and deleted.get_json() == {"unrouted_dids": ["+14155550100"]}


def test_when_a_wav_greeting_is_uploaded_then_it_is_converted_for_the_pbx(system_api, orgs, app, wav_bytes):
    system_api.post("/orgs/acme/ivrs", json={"name": "main"})
    answer = greeting(system_api, wav_bytes)
    assert answer.status_code == 200, answer.get_json()
    shown = answer.get_json()
    assert shown["greeting_name"] == "hello.wav" and len(shown["greeting_sha256"]) == 64
    audio = system_api.get("/orgs/acme/ivrs/main/greeting/audio")
    assert audio.status_code == 200 and audio.data[:4] == b"RIFF"
    assert int.from_bytes(audio.data[24:28], "little") == 8000 and int.from_bytes(audio.data[22:24], "little") == 1
    assert any(e["action"] == "menu.greeting" for e in system_api.get("/orgs/acme/audit").get_json()["items"])


def test_when_a_greeting_is_not_audio_or_too_big_then_422_and_the_menu_keeps_its_greeting(
        system_api, orgs, app, wav_bytes):
    system_api.post("/orgs/acme/ivrs", json={"name": "main"})
    greeting(system_api, wav_bytes)
    kept = system_api.get("/orgs/acme/ivrs/main").get_json()["greeting_sha256"]
    refused = greeting(system_api, b"MZ\x90\x00 not audio at all", "virus.wav")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"file": "not an MP3 or a WAV file"}
    app.config["GREETING_MAX_BYTES"] = 1000
    too_big = greeting(system_api, wav_bytes)
    assert too_big.status_code == 422 and "larger than 1000 bytes" in too_big.get_json()["error"]["fields"]["file"]
    assert system_api.get("/orgs/acme/ivrs/main").get_json()["greeting_sha256"] == kept


def test_when_another_org_uploads_a_greeting_for_a_menu_then_404(acme_api, system_api, orgs, wav_bytes):
    system_api.post("/orgs/globex/ivrs", json={"name": "main"})
    answer = acme_api.put("/orgs/globex/ivrs/main/greeting", data={"file": (io.BytesIO(wav_bytes), "x.wav")},
                          content_type="multipart/form-data")
    assert answer.status_code == 404
    assert system_api.get("/orgs/globex/ivrs/main").get_json()["greeting_name"] is None


def test_when_a_menu_is_applied_then_the_pbx_plays_its_converted_greeting(app, session, engine, system_api, orgs,
                                                                           wav_bytes):
    system_api.post("/orgs/acme/ringgroups", json={"number": "600", "members": ["101"]})
    system_api.post("/orgs/acme/ivrs", json=MAIN)
    greeting(system_api, wav_bytes)
    system_api.patch("/orgs/acme/dids/+14155550100", json={"destination": "ivr:main"})
    assert apply_now(app, session, "acme") == "applied"
    rows = pbx_rows(engine, "acme")
    assert rows[("ivr", "main")] == ("greeting|1=ringgroup:600 2=voicemail:101 0=101 *=hangup|direct|4|1|101|hangup")
    # The greeting the live menu names stays on disk after another upload replaces the draft's.
    live = system_api.get("/orgs/acme/ivrs/main").get_json()["greeting_sha256"]
    greeting(system_api, wav_bytes[:-2000])
    assert os.path.isfile(os.path.join(app.config["DATA_DIR"], "prompts", "acme", live, "greeting.wav"))


def test_when_prompts_and_phone_recordings_fill_the_storage_quota_then_a_greeting_upload_is_refused(
        system_api, orgs, app, wav_bytes):
    system_api.post("/orgs/acme/ivrs", json={"name": "main"})
    assert system_api.patch("/orgs/acme", json={"max_storage_mb": 1}).status_code == 200
    data_dir = app.config["DATA_DIR"]
    earlier = Path(data_dir) / "prompts" / "acme" / ("0" * 64)  # an earlier greeting
    earlier.mkdir(parents=True)
    (earlier / "greeting.wav").write_bytes(bytes(600 * 1024))
    recordings = phone_recordings_dir(data_dir)
    recordings.mkdir(parents=True, exist_ok=True)
    (recordings / "acme-101-1700000000.wav").write_bytes(bytes(420 * 1024))  # recorded on *47, not used yet
    (recordings / "globex-101-1700000000.wav").write_bytes(bytes(900 * 1024))  # another org's: not acme's
    usage = system_api.get("/orgs/acme/usage").get_json()
    assert usage["storage_bytes"] == {"used": 1020 * 1024, "limit": 1024 * 1024}
    answer = greeting(system_api, wav_bytes)
    assert answer.status_code == 409, answer.get_json()
    error = answer.get_json()["error"]
    assert "storage quota is 1 MB" in error["message"] and error["fields"] == {"file": "storage quota exceeded"}
    assert system_api.get("/orgs/acme/ivrs/main").get_json()["greeting_name"] is None
