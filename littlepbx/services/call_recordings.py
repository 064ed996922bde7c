"""Recorded calls: an extension that records its calls, or a phone that pressed **3 during one,
leaves "lp-<org>-<unix time>-<call id>.wav" in the PBX's directory of recorded calls (the call id
is the call history's uniqueid). They are the organization's own: listed, played, downloaded and
deleted by file-name prefix (org codes hold no "-"), an id names no path; deleted after the
organization's recording_retention_days, and with the organization; counted in its storage."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from littlepbx.errors import NotFound
from littlepbx.kinds.audio import CALL_RECORDING_ID, call_recording_files
from littlepbx.pbx_backends.audio import wav_seconds
from littlepbx.tenancy import OrgScope

RECORDING_ID = CALL_RECORDING_ID
files_of = call_recording_files  # the org's recorded calls by id ("<unix time>-<call id>")


def describe(recording_id: str, path: Path) -> dict:
    """A recorded call as the API shows it."""
    match = RECORDING_ID.fullmatch(recording_id)
    started = datetime.fromtimestamp(int(match["time"]), UTC).replace(tzinfo=None)
    return {"id": recording_id, "call": match["call"], "recorded_at": started.isoformat() + "Z",
            "seconds": wav_seconds(path), "bytes": path.stat().st_size}


def list_recordings(scope: OrgScope, data_dir: str) -> list[dict]:
    """The org's recorded calls, newest first."""
    scope.require("pbx.view")
    found = [describe(recording_id, path) for recording_id, path in files_of(data_dir, scope.org.code).items()]
    return sorted(found, key=lambda item: item["recorded_at"], reverse=True)


def by_call(data_dir: str, code: str) -> dict[str, str]:
    """The id of the org's recording of each call (call history uniqueid -> recording id)."""
    return {RECORDING_ID.fullmatch(recording_id)["call"]: recording_id for recording_id in files_of(data_dir, code)}


def path_of(scope: OrgScope, data_dir: str, recording_id) -> str:
    """The recorded call's file, to play or download."""
    scope.require("pbx.view")
    path = files_of(data_dir, scope.org.code).get(recording_id) if isinstance(recording_id, str) else None
    if path is None:
        raise NotFound(f"no recorded call {recording_id} in organization {scope.org.code}")
    return str(path)


def delete(scope: OrgScope, data_dir: str, recording_id: str) -> None:
    """Delete one recorded call."""
    scope.require("pbx.edit")
    Path(path_of(scope, data_dir, recording_id)).unlink(missing_ok=True)
    scope.audit("call_recording.delete", recording_id)


def bytes_used(data_dir: str, code: str) -> int:
    """What the org's recorded calls take on disk."""
    return sum(path.stat().st_size for path in files_of(data_dir, code).values())
