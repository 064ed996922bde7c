"""Recorded calls over REST: each organization lists, plays, downloads and deletes its own
only; they count in its storage and show in its call history; older ones than its
recording_retention_days go at the worker's upkeep; deleting the organization deletes them."""
import os
import subprocess
import time
import wave
from pathlib import Path

import pytest

from littlepbx.pbx_backends.audio import call_recordings_dir


def recorded_call(app, code: str, call: str, age_days: float = 0) -> Path:
    """A recording as the PBX leaves one (a second of silence), ``age_days`` old."""
    directory = call_recordings_dir(app.config["DATA_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    started = int(time.time() - age_days * 86400)
    path = directory / f"lp-{code}-{started}-{call}.wav"
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\0\0" * 8000)
    os.utime(path, (started, started))
    return path


def test_an_org_lists_plays_downloads_and_deletes_its_own_recorded_calls_only(system_api, acme_api, orgs, app):
    mine = recorded_call(app, "acme", "1795777000.12")
    recorded_call(app, "globex", "1795777000.13")
    items = acme_api.get("/orgs/acme/recordings").get_json()["items"]
    assert [(item["call"], item["seconds"]) for item in items] == [("1795777000.12", 1.0)]
    recording_id = items[0]["id"]
    audio = acme_api.get(f"/orgs/acme/recordings/{recording_id}/audio")
    assert audio.status_code == 200 and audio.data[:4] == b"RIFF"
    download = acme_api.get(f"/orgs/acme/recordings/{recording_id}/audio?download=1")
    assert "attachment" in download.headers["Content-Disposition"]
    assert acme_api.get("/orgs/globex/recordings").status_code == 404, "another org is nobody to acme"
    other_id = system_api.get("/orgs/globex/recordings").get_json()["items"][0]["id"]
    assert acme_api.get(f"/orgs/acme/recordings/{other_id}/audio").status_code == 404
    assert acme_api.get("/orgs/acme/recordings/..%2F..%2Fetc%2Fpasswd/audio").status_code == 404
    assert acme_api.delete(f"/orgs/acme/recordings/{recording_id}").status_code == 204
    assert not mine.exists() and acme_api.get("/orgs/acme/recordings").get_json()["items"] == []


def test_recorded_calls_count_in_the_storage_and_go_after_the_retention_and_with_the_org(system_api, orgs, app):
    from littlepbx.extensions import build_applier
    from littlepbx.services import quotas
    old = recorded_call(app, "acme", "1795000000.1", age_days=10)
    new = recorded_call(app, "acme", "1795777000.2")
    assert quotas.storage_used(app.config["DATA_DIR"], "acme") >= old.stat().st_size + new.stat().st_size
    assert system_api.patch("/orgs/acme", json={"recording_retention_days": 7}).status_code == 200
    build_applier(app).prune_call_recordings()
    assert not old.exists() and new.exists()
    assert system_api.delete("/orgs/acme").status_code in (200, 204)
    assert not new.exists()


def test_a_call_in_the_history_names_its_recording(acme_api, orgs, app, engine):
    from datetime import datetime

    from tests.support.recording_backend import add_call_record
    add_call_record(engine, "acme", calldate=datetime(2026, 11, 27, 9, 0), src="101", dst="102", uniqueid="1795777000.12",
                    duration=5, billsec=4, disposition="ANSWERED")
    add_call_record(engine, "acme", calldate=datetime(2026, 11, 27, 9, 5), src="101", dst="103", uniqueid="1795777300.14",
                    duration=5, billsec=4, disposition="ANSWERED")
    recording = recorded_call(app, "acme", "1795777000.12")
    rows = {row["uniqueid"]: row["recording"] for row in acme_api.get("/orgs/acme/cdr").get_json()["items"]}
    assert rows == {"1795777000.12": recording.name[len("lp-acme-"):-len(".wav")], "1795777300.14": None}


def test_an_organization_whose_recorded_calls_cannot_be_deleted_holds_up_no_other(system_api, orgs, app, caplog):
    """The upkeep's pruning goes on to the next organization when one organization's fails (here an
    old recording the filesystem will not let go: immutable), whichever comes first."""
    from littlepbx.extensions import build_applier
    for code in ("acme", "globex"):
        assert system_api.patch(f"/orgs/{code}", json={"recording_retention_days": 7}).status_code == 200
    for stuck, other in (("acme", "globex"), ("globex", "acme")):
        kept = recorded_call(app, stuck, "1795000000.3", age_days=10)
        gone = recorded_call(app, other, "1795000000.4", age_days=10)
        if subprocess.run(["chattr", "+i", str(kept)], capture_output=True).returncode != 0:
            pytest.skip("needs root and a filesystem with immutable files (chattr)")
        caplog.clear()
        try:
            build_applier(app).prune_call_recordings()
        finally:
            subprocess.run(["chattr", "-i", str(kept)], check=True)
        assert kept.exists() and not gone.exists()
        assert f"pruning the recorded calls of {stuck} failed" in caplog.text
        kept.unlink()
