"""Music on hold: on or off, and the organization's uploaded music (converted on arrival)."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from littlepbx import fields as f
from littlepbx.kinds.base import SINGLETON, Kind
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import MohConfig


def moh_dir(data_dir: str, org_code: str) -> Path:
    """The directory holding every music-on-hold upload of one organization."""
    return Path(data_dir) / "moh" / org_code


def moh_path(data_dir: str, org_code: str, sha256: str) -> str:
    """Where the converted music-on-hold file with this digest is stored.

    Each upload has a directory of its own: a PBX plays every file of a class's
    directory, and the draft and the live configuration may name different uploads.
    """
    return str(moh_dir(data_dir, org_code) / sha256 / "hold.wav")


@register
class MusicOnHold(Kind):
    """The organization's one music-on-hold setting; files are stored by content, so the draft and
    the live copy may name different uploads."""

    name = "moh"
    noun = "music on hold"
    label = "Music on hold"
    table = "music_on_hold"
    schema_name = "Moh"
    key = None
    key_scope = SINGLETON
    fields = {
        "enabled": f.Boolean(label="Music on hold", default=False),
        "original_name": f.Text(label="Music file", max_length=255, nullable=True, access="read"),
        "sha256": f.Text(label="Music content", max_length=64, nullable=True, access="read",
                         pattern=r"^[0-9a-f]{64}$", message="a SHA-256 digest in hex"),
    }
    outputs = {"has_file": f.Boolean(label="Music uploaded", access="read")}
    routes = frozenset()  # its own routes: the upload is multipart (littlepbx/rest/moh.py)
    pbx_config = MohConfig

    def extra(self, scope, rows: list, pbx) -> dict:
        """Whether music was uploaded."""
        return {self.key_of(row): {"has_file": bool(row.sha256)} for row in rows}

    def reset(self, scope) -> None:
        """Music on hold off, no music."""
        scope.delete_all(self.draft)
        scope.add(self.draft(enabled=False))

    def to_pbx(self, row, context: dict) -> MohConfig:
        """The converted file the PBX plays, when there is one."""
        if row is None or not row.sha256:
            return MohConfig(False, None)
        return MohConfig(row.enabled, moh_path(context["data_dir"], context["code"], row.sha256))


def prune_files(scope, data_dir: str, older_than_seconds: float) -> list[str]:
    """Delete the org's converted uploads that neither its draft nor its live configuration uses,
    once older than ``older_than_seconds`` (an upload whose draft is not saved yet is younger);
    returns the digests deleted."""
    used = {row.sha256 for model in (MusicOnHold.draft, MusicOnHold.live) for row in scope.all(model)}
    root = moh_dir(data_dir, scope.org.code)
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than_seconds
    removed = []
    for entry in root.iterdir():
        if entry.is_dir() and entry.name not in used and entry.stat().st_mtime <= cutoff:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed


def remove_org_files(data_dir: str, code: str) -> None:
    """After an organization is deleted: its music goes too (a new org may reuse the code)."""
    shutil.rmtree(moh_dir(data_dir, code), ignore_errors=True)
