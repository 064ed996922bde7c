"""What the database does for the PBX: MariaDB's slow log at a zero threshold (every statement,
with the rows it examined and sent) while phones register for the first time and again, calls
are placed to voicemail and an organization applies. Every statement shape of Asterisk's and
of LittlePBX's accounts is listed; one that examines far more rows than it sends reads a table
it should find by an index.

The slow log is a setting of the whole server: it is switched on for this phase alone (the other
figures are measured without it, and it would slow them), into its table (mysql.slow_log), and
the server's own settings are put back after. It applies to sessions opened after it is set, so
Asterisk is restarted and the app's connections are opened again (a phone's first REGISTER after
a restart is then read from the database: what this phase wants to see). Setting it needs MariaDB's root account over its
socket (the bench runs as root, as install.sh does); without it the figure says so.
"""
from __future__ import annotations

import contextlib
import re
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import pymysql

from bench import calls, load
from bench.figures import Figure, phones_of
from littlepbx.extensions import db

SOCKETS = ("/run/mysqld/mysqld.sock", "/var/run/mysqld/mysqld.sock")
SETTINGS = ("slow_query_log", "long_query_time", "log_output")
# A statement examining more rows than this for what it sends reads a table it should find by an
# index (the bench's tables hold 20,000 rows and more; none of its lookups needs more than an org's).
SCAN_ROWS = 500


def root_connection():
    """MariaDB's root account over its socket, or None."""
    for path in SOCKETS:
        if Path(path).exists():
            with contextlib.suppress(pymysql.MySQLError):
                return pymysql.connect(unix_socket=path, user="root", autocommit=True)
    return None


@contextmanager
def slow_log(root):
    """Every statement into mysql.slow_log for the block (read it there); yields the moment it
    began. The server's settings are restored after, and the log table emptied if it was empty before."""
    with root.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"@@GLOBAL.{name}" for name in SETTINGS))
        before = dict(zip(SETTINGS, cursor.fetchone(), strict=True))
        cursor.execute("SELECT COUNT(*) FROM mysql.slow_log")
        was_empty = cursor.fetchone()[0] == 0
        cursor.execute("SELECT NOW(6)")
        began = cursor.fetchone()[0]
        cursor.execute("SET GLOBAL log_output = 'TABLE', GLOBAL long_query_time = 0, GLOBAL slow_query_log = 1")
    try:
        yield began
    finally:
        with root.cursor() as cursor:
            cursor.execute("SET GLOBAL slow_query_log = %s, GLOBAL long_query_time = %s, GLOBAL log_output = %s",
                           (before["slow_query_log"], before["long_query_time"], before["log_output"]))
            if was_empty:
                cursor.execute("TRUNCATE TABLE mysql.slow_log")


def statements(root, began, accounts: dict[str, str]) -> dict[str, list[dict]]:
    """The logged statements since ``began`` by account label ({label: database user})."""
    found: dict[str, list[dict]] = defaultdict(list)
    with root.cursor(pymysql.cursors.DictCursor) as cursor:
        cursor.execute("SELECT user_host, rows_sent, rows_examined, query_time, CONVERT(sql_text USING utf8mb4) AS sql_text"
                       " FROM mysql.slow_log WHERE start_time >= %s", (began,))
        for row in cursor.fetchall():
            user = row["user_host"].split("[", 1)[0].strip()
            for label, account in accounts.items():
                if user == account:
                    found[label].append(row)
    return found


def shape(sql: str) -> str:
    """A statement with its values replaced by '?': statements of one shape differ only in values."""
    sql = re.sub(r"'(?:[^'\\]|\\.|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    sql = re.sub(r"\((?:\s*\?\s*,)+\s*\?\s*\)", "(?, ...)", sql)
    return re.sub(r"\s+", " ", sql).strip()[:300]


def shapes(rows: list[dict]) -> list[dict]:
    """Per shape: how often, rows examined and sent at most, the slowest; worst first."""
    by_shape: dict[str, dict] = {}
    for row in rows:
        entry = by_shape.setdefault(shape(row["sql_text"]), {"count": 0, "max_examined": 0, "max_sent": 0, "max_ms": 0.0})
        entry["count"] += 1
        entry["max_examined"] = max(entry["max_examined"], int(row["rows_examined"]))
        entry["max_sent"] = max(entry["max_sent"], int(row["rows_sent"]))
        entry["max_ms"] = max(entry["max_ms"], round(row["query_time"].total_seconds() * 1000, 2))
    ordered = sorted(by_shape.items(), key=lambda item: (-item[1]["max_examined"], -item[1]["count"]))
    return [{"statement": statement, **entry} for statement, entry in ordered]


def scans(listed: list[dict]) -> list[dict]:
    """The shapes that examined more than SCAN_ROWS rows beyond what they sent."""
    return [entry for entry in listed if entry["max_examined"] - entry["max_sent"] > SCAN_ROWS]


def workload(lab, cold_code: str, apply_code: str) -> dict:
    """Phones of an org nobody used yet register (Asterisk reads them from the database) and again
    (it writes their contacts); one calls another, which is not registered (voicemail answers);
    another org applies."""
    phones = phones_of(lab, cold_code, 10)
    try:
        first = [phone.register().status for phone in phones[2:]]
        again = [phone.register().status for phone in phones[2:]]
    finally:
        for phone in phones:
            phone.close()
    load.apply_now(lab.app, lab.applier, apply_code)
    workdir = Path(lab.workdir) / "slowlog"
    workdir.mkdir(exist_ok=True)
    number = phones[1].username.split("-", 1)[1]
    placed = calls.burst(workdir, phones[0], number, rate=2, seconds=3)
    return {"registered": first.count(200) + again.count(200), "registers": len(first) + len(again),
            "calls_set_up": placed["set_up"], "calls": placed["calls"]}


def database_work(lab, cold_code: str, apply_code: str) -> list[Figure]:
    """The slow log figures: statements per account, and those that scan."""
    root = root_connection()
    if root is None:
        return [Figure("Database statements at a zero slow-log threshold (not measured: MariaDB's root account "
                       "is not reachable over its socket)", float("nan"), "")]
    accounts = {"Asterisk": str(lab.config["ASTERISK_DB_USER"]),
                "LittlePBX": re.sub(r"^.*//([^:@]+).*$", r"\1", str(lab.config["DATABASE_URL"]))}
    try:
        with slow_log(root) as began:
            # The setting reaches new sessions only: Asterisk (restarted) and the app connect again.
            lab.pbx.stop()
            lab.pbx.start()
            db.of(lab.app).dispose()
            done = workload(lab, cold_code, apply_code)
            time.sleep(1)  # Asterisk writes some rows after it answered
            found = statements(root, began, accounts)
    finally:
        root.close()
    figures = []
    for label in accounts:
        listed = shapes(found.get(label, []))
        scanning = scans(listed)
        figures.append(Figure(
            f"{label}'s statements during first and repeated REGISTERs, calls and an Apply: of "
            f"{len(found.get(label, []))} ({len(listed)} shapes), reading more than {SCAN_ROWS} rows beyond what they sent",
            len(scanning), "shapes", "0", detail={"workload": done, "scanning": scanning, "shapes": listed[:40]}))
    return figures
