"""Music on hold: on or off, and what plays: the organization's uploaded music (converted on
arrival), or one of its music classes (the default for queues and ring groups without one)."""
from __future__ import annotations

from littlepbx import fields as f
from littlepbx.kinds.audio import audio_path
from littlepbx.kinds.base import SINGLETON, Kind
from littlepbx.kinds.musicclasses import music_class_field
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import MohConfig


def moh_path(data_dir: str, org_code: str, sha256: str) -> str:
    """Where the converted music-on-hold file with this digest is stored (kinds/audio.py)."""
    return audio_path(data_dir, "moh", org_code, sha256)


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
        "music_class": music_class_field(label="Callers on hold hear",
                                         help="one of the organization's music classes; empty: the uploaded music"),
    }
    outputs = {"has_file": f.Boolean(label="Music uploaded", access="read")}
    routes = frozenset()  # its own routes: the upload is multipart (littlepbx/rest/moh.py)
    audio_files = ("moh", "sha256")
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
        if row is None or not (row.sha256 or row.music_class):
            return MohConfig(False, None)
        path = moh_path(context["data_dir"], context["code"], row.sha256) if row.sha256 else None
        return MohConfig(row.enabled, path, row.music_class)
