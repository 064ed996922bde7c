"""C modules of LittlePBX's own that run inside the PBX (one for Asterisk, one for FreeSWITCH),
compiled on the server for the PBX installed there. Each built module has a stamp beside it
(``<module>.built``) naming what it was built for and from, so it is compiled again only when
either changed."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path


def stamp_of(source: Path, built_for: str) -> str:
    """The stamp of a module compiled from ``source`` for the PBX ``built_for`` describes."""
    return f"{built_for} {hashlib.sha256(source.read_bytes()).hexdigest()}\n"


def is_built(target: Path, stamp: str) -> bool:
    """Whether ``target`` is there, built as ``stamp`` says."""
    stamp_path = target.with_suffix(".built")
    return target.exists() and stamp_path.exists() and stamp_path.read_text() == stamp


def put_in_place(built: Path, target: Path, stamp: str) -> None:
    """Install the compiled ``built`` as ``target`` in one rename (a PBX starting meanwhile loads
    the old module or the new, never half of one), readable by all, then its stamp."""
    partial = target.with_suffix(".partial")
    shutil.copy(built, partial)
    partial.chmod(0o644)
    partial.replace(target)
    target.with_suffix(".built").write_text(stamp)
