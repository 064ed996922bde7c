"""Music on hold: on/off and one uploaded MP3, converted by the PBX backend at upload and stored
by content (draft). The setting itself is the MusicOnHold kind (littlepbx/kinds/moh.py)."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from littlepbx import fields as f
from littlepbx.errors import NotFound, ValidationError
from littlepbx.kinds import MusicOnHold
from littlepbx.kinds.moh import moh_path
from littlepbx.pbx_backends.base import BackendError
from littlepbx.services import objects, quotas
from littlepbx.tenancy import OrgScope

UPLOAD_FIELDS = f.FieldSet({"filename": f.text("File name", 255, min_length=1, required=True),
                            "enabled": MusicOnHold.fields["enabled"]})

CHUNK = 64 * 1024


def get_moh(scope: OrgScope):
    """The organization's draft music-on-hold row (created empty if missing)."""
    row = objects.find(scope, MusicOnHold)
    if row is None:
        row = MusicOnHold.draft(enabled=False)
        scope.add(row)
    return row


def set_enabled(scope: OrgScope, enabled):
    """Turn music on hold on or off; turning it on needs an uploaded file."""
    scope.require("pbx.edit")
    values = MusicOnHold.fieldset.only(["enabled"]).clean({"enabled": enabled})
    row = get_moh(scope)
    if values["enabled"] and not row.sha256:
        raise ValidationError("upload an MP3 before turning music on hold on",
                              {"enabled": "no music uploaded yet"})
    row.enabled = values["enabled"]
    scope.audit("moh.enable" if row.enabled else "moh.disable")
    return row


def upload(scope: OrgScope, filename, stream, data_dir: str, max_bytes: int, backend,
           enabled=None):
    """Check and convert an MP3 to 8 kHz mono WAV, store it by digest, point the draft at it.

    ``enabled`` None keeps the current on/off. A file that is too big, not an MP3 or
    not convertible raises ValidationError on "file" and writes nothing.
    """
    scope.require("pbx.edit")
    if stream is None or not filename:
        raise _bad_file("required: send the MP3 as the multipart field 'file'")
    values = UPLOAD_FIELDS.clean({"filename": filename, **({} if enabled is None else {"enabled": enabled})})
    incoming = Path(data_dir) / "moh" / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=incoming) as work:
        source = Path(work) / "upload.mp3"
        _save_limited(stream, source, max_bytes)
        _require_mp3(source)
        converted = _convert(backend, source, Path(work) / "converted.wav")
        sha256 = _sha256(converted)
        target = Path(moh_path(data_dir, scope.org.code, sha256))
        if not target.exists():
            quotas.require_storage(scope, data_dir, converted.stat().st_size)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(converted), str(target))
        os.utime(target.parent)  # a reused upload is as new as this one: prune_files must wait
    row = get_moh(scope)
    row.original_name = os.path.basename(values["filename"].replace("\\", "/")) or "upload.mp3"
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


def _bad_file(message: str) -> ValidationError:
    return ValidationError(message, {"file": message})


def _save_limited(stream, target: Path, max_bytes: int) -> None:
    """Copy the upload to ``target``, refusing it as soon as it passes ``max_bytes``."""
    size = 0
    with open(target, "wb") as out:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise _bad_file(f"the file is larger than {max_bytes} bytes")
            out.write(chunk)
    if size == 0:
        raise _bad_file("the file is empty")


def _require_mp3(path: Path) -> None:
    """An MP3 starts with an ID3v2 tag or an MPEG audio frame sync (11 set bits)."""
    with open(path, "rb") as source:
        head = source.read(4)
    is_id3 = head[:3] == b"ID3"
    is_frame = len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
    if not (is_id3 or is_frame):
        raise _bad_file("not an MP3 file")


def _convert(backend, source: Path, target: Path) -> Path:
    """Convert for the PBX; garbage behind an MP3 header is refused."""
    try:
        backend.convert_audio(source, target)
        return target
    except BackendError as error:
        raise _bad_file(f"the MP3 could not be converted: {error}") from None
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        raise _bad_file(f"the MP3 could not be converted: {error}") from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
