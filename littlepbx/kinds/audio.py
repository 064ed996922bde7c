"""Uploaded audio (music on hold, menu greetings), converted once and stored by content: each
upload has a directory of its own, DATA_DIR/<area>/<org>/<sha256>/, so the draft and the live
configuration may name different uploads, and a PBX that plays "every file of a directory" (a
music class) plays exactly one."""
from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from littlepbx import fields as f
from littlepbx.pbx_backends.audio import call_recordings_dir, files_by_id, phone_recordings_dir

FILE_NAMES = {"moh": "hold.wav", "prompts": "greeting.wav"}


def prompt_fields(word: str) -> dict:
    """The two read-only fields of a kind's recorded prompt (services/prompts.py): ``<word>_name``,
    the uploaded file's name, and ``<word>_sha256``, the converted file's digest."""
    return {f"{word}_name": f.Text(label=word.capitalize(), max_length=255, nullable=True, access="read",
                                   help=f"the uploaded file's name (PUT …/{word} with an MP3 or WAV)"),
            f"{word}_sha256": f.Text(label=f"{word.capitalize()} content", max_length=64, nullable=True,
                                     access="read", pattern=r"^[0-9a-f]{64}$", message="a SHA-256 digest in hex")}


def area_dir(data_dir: str, area: str, org_code: str) -> Path:
    """The directory holding one organization's uploads of one area ("moh", "prompts")."""
    return Path(data_dir) / area / org_code


def audio_path(data_dir: str, area: str, org_code: str, sha256: str) -> str:
    """Where the converted upload with this digest is stored."""
    return str(area_dir(data_dir, area, org_code) / sha256 / FILE_NAMES[area])


def prune_files(scope, data_dir: str, older_than_seconds: float) -> list[str]:
    """Delete the org's converted uploads that neither its draft nor its live configuration names,
    once older than ``older_than_seconds`` (an upload whose draft is not saved yet is younger);
    returns the digests deleted."""
    from littlepbx.kinds import all_kinds
    audio_kinds = [kind for kind in all_kinds() if kind.audio_files]
    old = old_uploads(data_dir, scope.org.code, older_than_seconds)
    if not any(old.values()):
        return []  # nothing could go: the configuration need not be read (most Applies)
    used: dict[str, set] = {area: set() for area in old}
    for kind in audio_kinds:
        area, digests = kind.audio_files
        for row in (row for model in (kind.draft, kind.live) for row in scope.all(model)):
            used[area].update((getattr(row, digests) or "").split())
    removed = []
    for area, entries in old.items():
        for entry in entries:
            if entry.name not in used[area]:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry.name)
    return removed


def old_uploads(data_dir: str, code: str, older_than_seconds: float) -> dict[str, list[Path]]:
    """The org's converted uploads older than ``older_than_seconds``, by area (kinds may share one:
    music on hold and music classes)."""
    from littlepbx.kinds import all_kinds
    cutoff = time.time() - older_than_seconds
    old = {}
    for area in {kind.audio_files[0] for kind in all_kinds() if kind.audio_files}:
        root = area_dir(data_dir, area, code)
        old[area] = [entry for entry in (root.iterdir() if root.is_dir() else ())
                     if entry.is_dir() and entry.stat().st_mtime <= cutoff]
    return old


def remove_org_files(data_dir: str, code: str) -> None:
    """After an organization is deleted: its uploads and recordings go too (a new org may reuse the code)."""
    for area in FILE_NAMES:
        shutil.rmtree(area_dir(data_dir, area, code), ignore_errors=True)
    for path in phone_recordings_dir(data_dir).glob(f"{code}-*.wav"):
        path.unlink(missing_ok=True)
    for path in call_recordings_dir(data_dir).glob(f"lp-{code}-*.wav"):
        path.unlink(missing_ok=True)


def prune_phone_recordings(data_dir: str, older_than_days: float) -> int:
    """Delete every organization's phone recordings older than ``older_than_days``; returns how many."""
    cutoff = time.time() - older_than_days * 86400
    count = 0
    for path in phone_recordings_dir(data_dir).glob("*.wav"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            count += 1
    return count


# A recorded call's id: "<unix time>-<the call history's uniqueid>" (services/call_recordings.py):
# Asterisk's "<epoch>.<n>" or FreeSWITCH's channel uuid.
CALL_RECORDING_ID = re.compile(r"(?P<time>[0-9]{1,12})-(?P<call>[0-9]{1,20}\.[0-9]{1,10}"
                               r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")


def call_recording_files(data_dir: str, code: str) -> dict[str, Path]:
    """Organization ``code``'s recorded calls by id."""
    return files_by_id(call_recordings_dir(data_dir), f"lp-{code}-", CALL_RECORDING_ID)


def prune_call_recordings(data_dir: str, code: str, older_than_days: float) -> int:
    """Delete the org's recorded calls older than ``older_than_days``; returns how many."""
    cutoff = time.time() - older_than_days * 86400
    gone = [path for path in call_recording_files(data_dir, code).values() if path.stat().st_mtime < cutoff]
    for path in gone:
        path.unlink(missing_ok=True)
    return len(gone)
