"""Real audio files for upload tests, made by sox (no recorded media in the repository)."""
from __future__ import annotations

import subprocess
from pathlib import Path


def tone(path: Path, pitch: int = 440, seconds: float = 1, rate: int = 8000, channels: int = 1) -> bytes:
    """A sine tone written to ``path`` in the format its suffix names (.wav, .mp3); returns its bytes."""
    subprocess.run(["sox", "-n", "-r", str(rate), "-c", str(channels), str(path), "synth", str(seconds), "sine",
                    str(pitch)], check=True)
    return path.read_bytes()
