"""Audio uploads (music on hold, menu greetings): read up to a size limit, checked by content,
converted by the PBX backend to what it plays, stored by digest (kinds/audio.py). A file that is
too big, of the wrong kind or not convertible is refused on the field "file" and nothing is kept."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from littlepbx.errors import ValidationError
from littlepbx.kinds.audio import audio_path
from littlepbx.pbx_backends.base import BackendError
from littlepbx.services import quotas
from littlepbx.tenancy import OrgScope

CHUNK = 64 * 1024
FORMATS = {"mp3": "an MP3", "wav": "a WAV"}


def store(scope: OrgScope, area: str, filename: str, stream, data_dir: str, max_bytes: int, backend,
          formats: tuple[str, ...] = ("mp3",), max_seconds: int = 600) -> tuple[str, str]:
    """Check, convert (cut at ``max_seconds``) and store one upload of the organization; returns
    (the file's name as uploaded, the converted file's digest)."""
    if stream is None or not filename:
        raise bad_file(f"required: send {' or '.join(FORMATS[f] for f in formats)} as the multipart field 'file'")
    incoming = Path(data_dir) / area / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=incoming) as work:
        raw = Path(work) / "upload"
        _save_limited(stream, raw, max_bytes)
        source = raw.rename(raw.with_suffix("." + _require_format(raw, formats)))  # sox reads the suffix
        converted = _convert(backend, source, Path(work) / "converted.wav", max_seconds)
        sha256 = _sha256(converted)
        target = Path(audio_path(data_dir, area, scope.org.code, sha256))
        if not target.exists():
            quotas.require_storage(scope, data_dir, converted.stat().st_size)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(converted), str(target))
        os.utime(target.parent)  # a reused upload is as new as this one: pruning must wait
    return os.path.basename(filename.replace("\\", "/")) or "upload", sha256


def bad_file(message: str) -> ValidationError:
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
                raise bad_file(f"the file is larger than {max_bytes} bytes")
            out.write(chunk)
    if size == 0:
        raise bad_file("the file is empty")


def format_of(head: bytes) -> str | None:
    """"mp3" (an ID3v2 tag or an MPEG audio frame sync: 11 set bits), "wav" (RIFF....WAVE), or None."""
    if head[:3] == b"ID3" or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    return None


def _require_format(path: Path, formats: tuple[str, ...]) -> str:
    """The upload's format, one of ``formats``."""
    with open(path, "rb") as source:
        found = format_of(source.read(12))
    if found not in formats:
        raise bad_file(f"not {' or '.join(FORMATS[f] for f in formats)} file")
    return found


def _convert(backend, source: Path, target: Path, max_seconds: int) -> Path:
    """Convert for the PBX; garbage behind a valid header is refused."""
    try:
        backend.convert_audio(source, target, max_seconds)
        return target
    except (BackendError, OSError, ValueError, subprocess.SubprocessError) as error:
        raise bad_file(f"the file could not be converted: {error}") from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
