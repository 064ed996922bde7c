"""Music classes through the REST API: files uploaded one by one (MP3 or WAV, checked by content),
taken out again, at most twenty; queues and ring groups name a class of their organization."""
import io

import pytest

from littlepbx.kinds.musicclasses import MAX_FILES
from tests.support.apply_helpers import apply_now
from tests.support.audio import tone
from tests.support.recording_backend import pbx_rows


@pytest.fixture(scope="session")
def tunes(tmp_path_factory):
    """Two different real WAV files made by sox."""
    folder = tmp_path_factory.mktemp("tunes")
    return [tone(folder / f"tune{pitch}.wav", pitch) for pitch in (440, 660)]


def upload(api, data: bytes, name: str, org: str = "acme", music: str = "jazz"):
    return api.post(f"/orgs/{org}/musicclasses/{music}/files", data={"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")


def test_when_files_are_added_and_removed_then_the_class_lists_them_in_order(system_api, orgs, tunes):
    assert system_api.post("/orgs/acme/musicclasses", json={"name": "jazz", "title": "Jazz"}).status_code == 201
    upload(system_api, tunes[0], "first.wav")
    answer = upload(system_api, tunes[1], "second.wav")
    assert answer.status_code == 200, answer.get_json()
    shown = answer.get_json()
    assert shown["file_names"] == ["first.wav", "second.wav"] and len(shown["files"]) == 2
    audio = system_api.get(f"/orgs/acme/musicclasses/jazz/files/{shown['files'][1]}/audio")
    assert audio.status_code == 200 and audio.data[:4] == b"RIFF"
    removed = system_api.delete(f"/orgs/acme/musicclasses/jazz/files/{shown['files'][0]}")
    assert removed.get_json()["file_names"] == ["second.wav"]
    assert system_api.delete(f"/orgs/acme/musicclasses/jazz/files/{'0' * 64}").status_code == 404


def test_when_a_file_is_not_audio_or_one_too_many_then_422_and_the_class_is_unchanged(system_api, orgs, tunes,
                                                                                       session):
    system_api.post("/orgs/acme/musicclasses", json={"name": "jazz"})
    refused = upload(system_api, b"%PDF-1.7 not music", "song.mp3")
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"] == {"file": "not an MP3 or a WAV file"}
    from sqlalchemy import text
    session.execute(text("UPDATE music_classes SET files = :f, file_names = :n WHERE name = 'jazz'"),
                    {"f": " ".join(f"{i:064x}" for i in range(MAX_FILES)), "n": "|".join(["x"] * MAX_FILES)})
    session.commit()
    full = upload(system_api, tunes[0], "one-more.wav")
    assert full.status_code == 422 and "at most 20 files" in full.get_json()["error"]["fields"]["file"]
    assert len(system_api.get("/orgs/acme/musicclasses/jazz").get_json()["files"]) == MAX_FILES


def test_when_a_queue_names_a_class_then_it_must_be_the_orgs_and_deleting_the_class_clears_it(system_api, orgs):
    system_api.post("/orgs/globex/musicclasses", json={"name": "theirs"})
    refused = system_api.post("/orgs/acme/queues", json={"number": "500", "music_class": "theirs"})
    assert refused.status_code == 422 and "music_class" in refused.get_json()["error"]["fields"]
    system_api.post("/orgs/acme/musicclasses", json={"name": "jazz"})
    assert system_api.post("/orgs/acme/queues", json={"number": "500", "music_class": "jazz"}).status_code == 201
    assert system_api.post("/orgs/acme/ringgroups", json={"number": "600", "music_class": "jazz"}).status_code == 201
    assert system_api.delete("/orgs/acme/musicclasses/jazz").status_code in (200, 204)
    assert system_api.get("/orgs/acme/queues/500").get_json()["music_class"] is None
    assert system_api.get("/orgs/acme/ringgroups/600").get_json()["music_class"] is None


def test_when_a_class_is_applied_then_the_pbx_is_given_its_files(app, session, engine, system_api, orgs, tunes):
    system_api.post("/orgs/acme/musicclasses", json={"name": "jazz", "shuffle": True})
    upload(system_api, tunes[0], "a.wav")
    upload(system_api, tunes[1], "b.wav")
    system_api.post("/orgs/acme/queues", json={"number": "500", "music_class": "jazz"})
    assert apply_now(app, session, "acme") == "applied"
    rows = pbx_rows(engine, "acme")
    assert rows[("musicclass", "jazz")] == "2 files|shuffle"
    assert rows[("queue", "500")].endswith("|jazz")


def test_when_unused_uploads_are_pruned_then_music_on_hold_and_class_files_in_use_stay(app, session, system_api,
                                                                                     orgs, tunes, tmp_path):
    import os

    from littlepbx.kinds.audio import prune_files
    from tests.conftest import scope_of
    mp3 = tone(tmp_path / "hold.mp3", 300, 0.5, rate=22050)
    hold = system_api.put("/orgs/acme/moh", data={"file": (io.BytesIO(mp3), "hold.mp3")},
                          content_type="multipart/form-data")
    assert hold.status_code == 200, hold.get_json()
    system_api.post("/orgs/acme/musicclasses", json={"name": "jazz"})
    upload(system_api, tunes[0], "same-as-hold.wav")
    dropped = upload(system_api, tunes[1], "dropped.wav").get_json()["files"][1]
    system_api.delete(f"/orgs/acme/musicclasses/jazz/files/{dropped}")
    assert prune_files(scope_of(session, "acme"), app.config["DATA_DIR"], 0) == [dropped]
    kept = sorted(os.listdir(os.path.join(app.config["DATA_DIR"], "moh", "acme")))
    class_file = system_api.get("/orgs/acme/musicclasses/jazz").get_json()["files"][0]
    assert hold.get_json()["sha256"] in kept and class_file in kept and dropped not in kept
