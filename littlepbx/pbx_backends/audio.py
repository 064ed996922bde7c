"""Audio uploads (music on hold, prompts) converted once, with sox, to 8 kHz mono 16-bit WAV:
the form both Asterisk and FreeSWITCH play without transcoding effort."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import wave
from pathlib import Path

from littlepbx.pbx_backends.base import BackendError

# 8 kHz mono 16-bit WAV: Asterisk's format_wav reads it natively; sox's mp3 support comes from libsox-fmt-mp3.
SOX_OUTPUT = ["-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer"]


def convert_to_wav(src_path: str | os.PathLike, dst_path: str | os.PathLike, max_seconds: int = 600) -> Path:
    """Convert an uploaded audio file (MP3, WAV, ...) to 8 kHz mono WAV at ``dst_path`` (.wav), at
    most ``max_seconds`` long. Raises BackendError when the file is not audio sox can read."""
    if shutil.which("sox") is None:
        raise BackendError("sox is not installed (apt-get install sox libsox-fmt-mp3)")
    dst_path = Path(dst_path)
    if dst_path.suffix != ".wav":
        raise BackendError(f"{dst_path}: the converted file must end in .wav")
    dst_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = dst_path.with_name(f".{dst_path.stem}.converting.wav")
    result = subprocess.run(["sox", "-V1", str(src_path), *SOX_OUTPUT, str(temporary), "trim", "0", str(max_seconds)],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or not temporary.exists() or temporary.stat().st_size <= 44:
        temporary.unlink(missing_ok=True)
        raise BackendError(f"{Path(src_path).name} is not an audio file that can be played: "
                           f"{result.stderr.strip()[:200]}")
    # The PBX runs as its own user: the file must be world-readable.
    temporary.chmod(0o644)
    temporary.replace(dst_path)
    return dst_path


# Prompts recorded from a phone (*47), before anyone uses them: one flat directory that the PBX
# writes and the app reads, "<org>-<extension>-<unix time>.wav" (org codes have no "-").
PHONE_RECORDINGS = "phone-recordings"


def phone_recordings_dir(data_dir: str) -> Path:
    """Where phones' recordings land (the PBX's provisioning creates it, writable by the PBX)."""
    return Path(data_dir) / PHONE_RECORDINGS


def files_by_id(directory: Path, prefix: str, id_pattern: re.Pattern) -> dict[str, Path]:
    """The WAV files "<prefix><id>.wav" in ``directory`` whose id matches ``id_pattern``, by id
    (how the app finds one organization's recordings in a directory the PBX shares among all)."""
    found = {}
    for path in directory.glob(f"{prefix}*.wav"):
        file_id = path.name[len(prefix):-len(".wav")]
        if id_pattern.fullmatch(file_id):
            found[file_id] = path
    return found


def wav_seconds(path: Path) -> float | None:
    """How long a WAV file plays (None: not one Python's wave module reads, e.g. still being written)."""
    try:
        with wave.open(str(path), "rb") as audio:
            return round(audio.getnframes() / audio.getframerate(), 1)
    except (OSError, EOFError, wave.Error, ZeroDivisionError):
        return None


# Recorded calls: one flat directory the PBX writes and the app reads, lists per organization,
# serves and prunes: "lp-<org>-<unix time>-<the call's first channel's unique id>.wav".
CALL_RECORDINGS = "call-recordings"


def call_recordings_dir(data_dir: str) -> Path:
    """Where recorded calls land (created by the PBX's provisioning, writable by the PBX)."""
    return Path(data_dir) / CALL_RECORDINGS
