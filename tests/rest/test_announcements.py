"""Announcements through the REST API: a recording uploaded (checked by content), then a
destination of the organization's own, handed to the PBX on Apply."""
import io

import pytest

from tests.support.apply_helpers import apply_now
from tests.support.audio import tone
from tests.support.recording_backend import pbx_rows


@pytest.fixture(scope="session")
def speech(tmp_path_factory):
    return tone(tmp_path_factory.mktemp("announcement") / "closed.wav", 350)


def record(api, data: bytes, name: str = "closed.wav", org: str = "acme"):
    return api.put(f"/orgs/{org}/announcements/closed/recording", data={"file": (io.BytesIO(data), name)},
                   content_type="multipart/form-data")


def test_when_an_announcement_gets_a_recording_and_is_applied_then_the_pbx_plays_it(app, session, engine,
                                                                                   system_api, orgs, speech):
    created = system_api.post("/orgs/acme/announcements", json={"name": "closed", "title": "Holidays",
                                                                 "then_destination": "voicemail:101"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["recording_name"] is None
    recorded = record(system_api, speech)
    assert recorded.status_code == 200 and recorded.get_json()["recording_name"] == "closed.wav"
    assert system_api.get("/orgs/acme/announcements/closed/recording/audio").data[:4] == b"RIFF"
    system_api.patch("/orgs/acme/dids/+14155550100", json={"destination": "announcement:closed"})
    assert apply_now(app, session, "acme") == "applied"
    assert pbx_rows(engine, "acme")[("announcement", "closed")] == "recording|voicemail:101"
    assert system_api.delete("/orgs/acme/announcements/closed/recording").get_json()["recording_sha256"] is None


def test_when_a_recording_is_not_audio_or_the_destination_not_the_orgs_then_422(system_api, acme_api, orgs):
    system_api.post("/orgs/acme/announcements", json={"name": "closed"})
    refused = record(system_api, b"GIF89a not sound", "closed.mp3")
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"] == {"file": "not an MP3 or a WAV file"}
    system_api.post("/orgs/globex/ringgroups", json={"number": "600"})
    wrong = system_api.patch("/orgs/acme/announcements/closed", json={"then_destination": "ringgroup:600"})
    assert wrong.status_code == 422 and wrong.get_json()["error"]["fields"] == {"then_destination": "no such ring group"}
    loop = system_api.patch("/orgs/acme/announcements/closed", json={"then_destination": "announcement:closed"})
    assert loop.get_json()["error"]["fields"] == {"then_destination": "not the announcement itself"}
    system_api.post("/orgs/globex/announcements", json={"name": "closed"})
    assert acme_api.put("/orgs/globex/announcements/closed/recording", data={"file": (io.BytesIO(b"ID3"), "x.mp3")},
                        content_type="multipart/form-data").status_code == 404
