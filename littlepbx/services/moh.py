"""Music on hold: on/off and one uploaded MP3, converted by the PBX backend at upload and stored
by content (draft). The setting itself is the MusicOnHold kind (littlepbx/kinds/moh.py)."""
from __future__ import annotations

import os

from littlepbx import fields as f
from littlepbx.errors import NotFound, ValidationError
from littlepbx.kinds import MusicOnHold
from littlepbx.kinds.moh import moh_path
from littlepbx.kinds.references import require_targets
from littlepbx.services import audio_uploads, objects
from littlepbx.tenancy import OrgScope

UPLOAD_FIELDS = f.FieldSet({"filename": f.text("File name", 255, min_length=1, required=True),
                            "enabled": MusicOnHold.fields["enabled"]})


def get_moh(scope: OrgScope):
    """The organization's draft music-on-hold row (created empty if missing)."""
    row = objects.find(scope, MusicOnHold)
    if row is None:
        row = MusicOnHold.draft(enabled=False)
        scope.add(row)
    return row


def update(scope: OrgScope, data) -> object:
    """Turn music on hold on or off, and choose what plays: ``music_class`` names one of the
    organization's music classes, empty plays the upload. On needs one or the other."""
    scope.require("pbx.edit")
    values = MusicOnHold.fieldset.only(["enabled", "music_class"]).clean(data, partial=True)
    row = get_moh(scope)
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    for name, value in values.items():
        setattr(row, name, value)
    require_targets(scope, MusicOnHold, row, ["music_class"])
    if row.enabled and not (row.sha256 or row.music_class):
        raise ValidationError("upload an MP3 or choose a music class before turning music on hold on",
                              {"enabled": "no music uploaded yet"})
    if "enabled" in changed:
        scope.audit("moh.enable" if row.enabled else "moh.disable")
    if "music_class" in changed:
        scope.audit("moh.music_class", row.music_class or "")
    return row


def upload(scope: OrgScope, filename, stream, data_dir: str, max_bytes: int, backend,
           enabled=None):
    """Check and convert an MP3 to 8 kHz mono WAV, store it by digest, point the draft at it.

    ``enabled`` None keeps the current on/off. A file that is too big, not an MP3 or
    not convertible raises ValidationError on "file" and writes nothing.
    """
    scope.require("pbx.edit")
    values = {}
    if filename and stream is not None:  # store() says what is missing otherwise
        values = UPLOAD_FIELDS.clean({"filename": filename, **({} if enabled is None else {"enabled": enabled})})
    original_name, sha256 = audio_uploads.store(scope, "moh", filename, stream, data_dir, max_bytes, backend)
    row = get_moh(scope)
    row.original_name = original_name
    row.sha256 = sha256
    if values.get("enabled") is not None:
        row.enabled = values["enabled"]
    scope.audit("moh.upload", row.original_name, {"sha256": sha256})
    return row


def delete(scope: OrgScope):
    """Forget the uploaded music and turn music on hold off (the file stays for the live copy)."""
    scope.require("pbx.edit")
    row = get_moh(scope)
    row.enabled, row.original_name, row.sha256 = False, None, None
    scope.audit("moh.delete")
    return row


def audio_path(scope: OrgScope, data_dir: str) -> str:
    """The converted WAV of the draft, for the page's player; NotFound when there is none."""
    row = get_moh(scope)
    path = moh_path(data_dir, scope.org.code, row.sha256) if row.sha256 else None
    if path is None or not os.path.isfile(path):
        raise NotFound(f"no music on hold uploaded in organization {scope.org.code}")
    return path


def as_dict(scope: OrgScope, row) -> dict:
    """The public shape of the music-on-hold setting."""
    return objects.answers(scope, MusicOnHold, [row])[0]
