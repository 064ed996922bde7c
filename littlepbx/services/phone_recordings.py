"""Prompts recorded from a phone: any phone of the organization dials *47, speaks after the beep,
and the recording waits here until the admin uses it as a menu's greeting or an announcement's
recording (services/prompts.py converts and stores it like an upload; heard after Apply), or
deletes it. Recordings are the organization's own: listed, played and used by file-name prefix,
and an id names no path. Unused ones are deleted after PHONE_RECORDING_DAYS."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from littlepbx.errors import NotFound, ValidationError
from littlepbx.pbx_backends.audio import files_by_id, phone_recordings_dir, wav_seconds
from littlepbx.services import prompts
from littlepbx.tenancy import OrgScope

RECORDING_ID = re.compile(r"(?P<extension>[0-9]{2,6})-(?P<time>[0-9]{1,12})")


def _files(scope: OrgScope, data_dir: str) -> dict[str, Path]:
    """The org's recordings by id ("<extension>-<unix time>")."""
    return _files_of(data_dir, scope.org.code)


def _files_of(data_dir: str, code: str) -> dict[str, Path]:
    return files_by_id(phone_recordings_dir(data_dir), f"{code}-", RECORDING_ID)


def bytes_used(data_dir: str, code: str) -> int:
    """What the org's phones' recordings take on disk (its storage quota counts them)."""
    return sum(path.stat().st_size for path in _files_of(data_dir, code).values())


def _path(scope: OrgScope, data_dir: str, recording_id) -> Path:
    path = _files(scope, data_dir).get(recording_id) if isinstance(recording_id, str) else None
    if path is None:
        raise NotFound(f"no recording {recording_id} in organization {scope.org.code}")
    return path


def describe(recording_id: str, path: Path) -> dict:
    """A recording as the API shows it."""
    match = RECORDING_ID.fullmatch(recording_id)
    recorded = datetime.fromtimestamp(int(match["time"]), UTC).replace(tzinfo=None)
    return {"id": recording_id, "extension": match["extension"], "recorded_at": recorded.isoformat() + "Z",
            "seconds": wav_seconds(path)}


def list_recordings(scope: OrgScope, data_dir: str) -> list[dict]:
    """The org's recordings, newest first."""
    scope.require("pbx.view")
    found = [describe(recording_id, path) for recording_id, path in _files(scope, data_dir).items()]
    return sorted(found, key=lambda item: item["recorded_at"], reverse=True)


def path_of(scope: OrgScope, data_dir: str, recording_id: str) -> str:
    """The recording's file, for the page's player."""
    scope.require("pbx.view")
    return str(_path(scope, data_dir, recording_id))


def use(scope: OrgScope, kind_name: str, name: str, recording_id, data_dir: str, max_bytes: int,
        max_seconds: int, backend):
    """Make the recording the prompt of ``kind_name``'s object ``name`` (draft); returns its row."""
    if not isinstance(recording_id, str) or not RECORDING_ID.fullmatch(recording_id):
        raise ValidationError("phone_recording: the id of one of the organization's recordings",
                              {"phone_recording": "not a recording id"})
    path = _path(scope, data_dir, recording_id)
    with open(path, "rb") as stream:
        return prompts.upload(scope, kind_name, name, f"recorded on {recording_id}.wav", stream, data_dir,
                              max_bytes, max_seconds, backend)


def delete(scope: OrgScope, data_dir: str, recording_id: str) -> None:
    """Delete one recording (nothing that uses it changes: it was copied when used)."""
    scope.require("pbx.edit")
    _path(scope, data_dir, recording_id).unlink(missing_ok=True)
    scope.audit("phone_recording.delete", recording_id)
