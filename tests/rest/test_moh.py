import io
import os
import subprocess

import pytest

from littlepbx.kinds.moh import moh_path
from tests.conftest import scope_of


@pytest.fixture(scope="session")
def mp3_bytes(tmp_path_factory):
    """A real half-second MP3 made by sox."""
    path = tmp_path_factory.mktemp("audio") / "tone.mp3"
    subprocess.run(["sox", "-n", "-r", "22050", "-c", "1", str(path), "synth", "0.5", "sine", "440"], check=True)
    return path.read_bytes()


def upload(api, data: bytes, name: str = "hold.mp3", **form):
    return api.put("/orgs/acme/moh", data={"file": (io.BytesIO(data), name), **form},
                   content_type="multipart/form-data")


def stored_files(app):
    root = os.path.join(app.config["DATA_DIR"], "moh", "acme")
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


def test_when_mp3_uploaded_then_it_is_converted_and_stored_by_digest(system_api, orgs, app, mp3_bytes):
    answer = upload(system_api, mp3_bytes, enabled="true")
    assert answer.status_code == 200
    shown = answer.get_json()
    assert shown["enabled"] is True and shown["original_name"] == "hold.mp3" and shown["has_file"]
    path = moh_path(app.config["DATA_DIR"], "acme", shown["sha256"])
    assert os.path.isfile(path)
    audio = system_api.get("/orgs/acme/moh/audio")
    assert audio.status_code == 200 and audio.mimetype == "audio/wav"
    assert audio.data[:4] == b"RIFF" and audio.data[8:12] == b"WAVE"
    assert int.from_bytes(audio.data[24:28], "little") == 8000  # sample rate
    assert int.from_bytes(audio.data[22:24], "little") == 1     # mono
    assert system_api.get("/orgs/acme/changes").get_json()["music_on_hold"]["changed"]


def test_when_file_is_not_mp3_then_422_on_file_and_nothing_written(system_api, orgs, app):
    answer = upload(system_api, b"<html>definitely not audio</html>", "song.mp3")
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {"file": "not an MP3 file"}
    assert system_api.get("/orgs/acme/moh").get_json()["has_file"] is False
    assert stored_files(app) == []


def test_when_file_has_mp3_header_but_garbage_then_converter_refuses_it(system_api, orgs, app):
    answer = upload(system_api, b"ID3" + os.urandom(4000), "fake.mp3")
    assert answer.status_code == 422 and "file" in answer.get_json()["error"]["fields"]
    assert stored_files(app) == []


def test_when_file_is_larger_than_moh_max_bytes_then_422(system_api, orgs, app, mp3_bytes):
    app.config["MOH_MAX_BYTES"] = 100
    answer = upload(system_api, mp3_bytes)
    assert answer.status_code == 422
    assert "larger than 100 bytes" in answer.get_json()["error"]["fields"]["file"]
    assert stored_files(app) == []


def test_when_multipart_has_no_file_then_422(system_api, orgs):
    answer = system_api.put("/orgs/acme/moh", data={"enabled": "true"}, content_type="multipart/form-data")
    assert answer.status_code == 422 and "file" in answer.get_json()["error"]["fields"]


def test_when_enabled_without_music_then_422(system_api, orgs):
    answer = system_api.put("/orgs/acme/moh", json={"enabled": True})
    assert answer.status_code == 422
    assert system_api.get("/orgs/acme/moh").get_json()["enabled"] is False


def test_when_enabled_after_upload_then_it_is_on(system_api, orgs, mp3_bytes):
    upload(system_api, mp3_bytes)
    assert system_api.put("/orgs/acme/moh", json={"enabled": True}).get_json()["enabled"] is True
    assert system_api.put("/orgs/acme/moh", json={"enabled": "sometimes"}).status_code == 422


def test_when_moh_deleted_then_no_file_and_off(system_api, orgs, mp3_bytes):
    upload(system_api, mp3_bytes, enabled="true")
    answer = system_api.delete("/orgs/acme/moh")
    assert answer.get_json() == {"enabled": False, "original_name": None, "sha256": None, "has_file": False,
                                 "music_class": None}
    assert system_api.get("/orgs/acme/moh/audio").status_code == 404


def test_when_moh_applied_then_live_config_points_at_the_file(system_api, orgs, app, mp3_bytes, session):
    from littlepbx import build_applier
    from littlepbx.kinds.pbx import live_config
    shown = upload(system_api, mp3_bytes, enabled="true").get_json()
    build_applier(app).step(system_api.post("/orgs/acme/apply").get_json()["id"])
    live = live_config(scope_of(session, "acme"), app.config["DATA_DIR"])
    assert live.moh.enabled and live.moh.path == moh_path(app.config["DATA_DIR"], "acme", shown["sha256"])


def test_when_org_deleted_then_its_music_files_are_removed(system_api, orgs, app, mp3_bytes):
    upload(system_api, mp3_bytes)
    assert stored_files(app)
    assert system_api.delete("/orgs/acme").status_code == 204
    assert stored_files(app) == []


def apply_now(api, app):
    from littlepbx import build_applier
    run = api.post("/orgs/acme/apply").get_json()
    assert build_applier(app).step(run["id"]) == "applied"


def test_when_music_is_replaced_then_apply_deletes_the_old_file_once_it_is_old_enough(
        system_api, orgs, app, mp3_bytes, tmp_path):
    other = tmp_path / "other.mp3"
    subprocess.run(["sox", "-n", "-r", "22050", "-c", "1", str(other), "synth", "0.5", "sine", "880"], check=True)
    first = upload(system_api, mp3_bytes, enabled="true").get_json()["sha256"]
    apply_now(system_api, app)
    second = upload(system_api, other.read_bytes()).get_json()["sha256"]
    apply_now(system_api, app)
    assert stored_files(app) == sorted([first, second])  # the old one is not an hour old yet
    app.config["MOH_PRUNE_AFTER_SECONDS"] = 0
    apply_now(system_api, app)
    assert stored_files(app) == [second]
    assert system_api.get("/orgs/acme/moh/audio").status_code == 200


def test_when_a_music_class_is_chosen_then_music_on_hold_may_be_on_without_an_upload(system_api, orgs):
    system_api.post("/orgs/globex/musicclasses", json={"name": "theirs"})
    refused = system_api.put("/orgs/acme/moh", json={"enabled": True, "music_class": "theirs"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"music_class": "no such music class"}
    assert system_api.get("/orgs/acme/moh").get_json()["enabled"] is False, "nothing of a refused change is kept"
    system_api.post("/orgs/acme/musicclasses", json={"name": "jazz"})
    answer = system_api.put("/orgs/acme/moh", json={"enabled": True, "music_class": "jazz"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {**answer.get_json(), "enabled": True, "music_class": "jazz", "has_file": False}


def test_when_the_chosen_class_is_deleted_then_music_on_hold_names_none(system_api, orgs, mp3_bytes):
    upload(system_api, mp3_bytes, enabled="true")
    system_api.post("/orgs/acme/musicclasses", json={"name": "jazz"})
    system_api.put("/orgs/acme/moh", json={"music_class": "jazz"})
    assert system_api.delete("/orgs/acme/musicclasses/jazz").status_code in (200, 204)
    shown = system_api.get("/orgs/acme/moh").get_json()
    assert shown["music_class"] is None and shown["enabled"] is True, "the upload plays again"
