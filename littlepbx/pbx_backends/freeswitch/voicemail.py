"""mod_voicemail's index of messages: FreeSWITCH keeps one row per message in its own SQLite
database (voicemail_default.db) and counts and plays only the messages it has a row for. An
organization's rows (its boxes are one domain, the org's code) go out with a backup, file paths
made relative to its voicemail directory, and come back with its files at a restore; an archive
without them gets rows made from the files alone (new messages, caller unknown)."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from littlepbx.pbx_backends.base import BackendError

COLUMNS = ("created_epoch", "read_epoch", "username", "domain", "uuid", "cid_name", "cid_number", "in_folder",
           "file_path", "message_len", "flags", "read_flags", "forwarded_by")
NEW = "B_NORMAL"  # read_flags of a message nobody marked urgent


def _connect(db: Path, read_only: bool = False) -> sqlite3.Connection:
    try:
        return sqlite3.connect(f"file:{db}?mode=ro" if read_only else str(db), uri=read_only, timeout=10)
    except sqlite3.Error as error:
        raise BackendError(f"FreeSWITCH's voicemail index {db}: {error} (run this as root)") from None


def export(db: Path, code: str, boxes: Path) -> list[dict]:
    """The org's message rows, ``file_path`` relative to ``boxes`` (its voicemail directory)."""
    if not db.exists():
        return []
    try:
        with closing(_connect(db, read_only=True)) as connection:
            rows = connection.execute(f"SELECT {', '.join(COLUMNS)} FROM voicemail_msgs WHERE domain = ?",
                                      (code,)).fetchall()
    except sqlite3.Error as error:
        raise BackendError(f"FreeSWITCH's voicemail index {db}: {error} (run this as root)") from None
    found = []
    for row in rows:
        item = dict(zip(COLUMNS, row, strict=True))
        try:
            item["file_path"] = str(Path(item["file_path"] or "").relative_to(boxes))
        except ValueError:
            continue  # a file outside the org's boxes is none of its messages
        found.append(item)
    return found


def from_files(code: str, boxes: Path) -> list[dict]:
    """Rows for the message files under ``boxes`` (<box>/msg_<uuid>.<ext>) when none came along."""
    rows = []
    for path in sorted(boxes.glob("*/msg_*.*")):
        rows.append({"created_epoch": int(path.stat().st_mtime), "read_epoch": 0, "username": path.parent.name,
                     "domain": code, "uuid": path.stem.removeprefix("msg_"), "cid_name": "", "cid_number": "",
                     "in_folder": "inbox", "file_path": str(path.relative_to(boxes)), "message_len": 0, "flags": "",
                     "read_flags": NEW, "forwarded_by": ""})
    return rows


def restore(db: Path, code: str, boxes: Path, rows: list[dict] | None) -> int:
    """Make the org's rows those given (export's form; None: from its files), for files that are
    under ``boxes``; returns how many. A row of another org or a path leaving ``boxes`` is refused
    before anything changes."""
    rows = from_files(code, boxes) if rows is None else rows
    kept = []
    for row in rows:
        relative = Path(str(row.get("file_path") or ""))
        if row.get("domain") != code or relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise BackendError(f"{code}: a voicemail row to restore is not one of its own boxes' messages")
        if (boxes / relative).is_file():
            kept.append(tuple(str(boxes / relative) if name == "file_path" else row.get(name) for name in COLUMNS))
    with closing(_connect(db)) as connection, connection:
        connection.execute("DELETE FROM voicemail_msgs WHERE domain = ?", (code,))
        connection.executemany(f"INSERT INTO voicemail_msgs ({', '.join(COLUMNS)}) "
                               f"VALUES ({', '.join('?' * len(COLUMNS))})", kept)
    return len(kept)


def forget(db: Path, code: str) -> None:
    """Drop the org's rows (its boxes are deleted): an org made later with its code starts empty."""
    if db.exists():
        with closing(_connect(db)) as connection, connection:
            connection.execute("DELETE FROM voicemail_msgs WHERE domain = ?", (code,))
