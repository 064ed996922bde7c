"""A PBX test double for the applier's tests: NOT a product backend.

It keeps its "realtime rows" and the organizations' call counts in real MariaDB
tables, so a worker in another process (which the tests kill with SIGKILL) and
the test itself see the same thing. ``write_delay`` makes write_org pause inside
the applier's transaction, after writing, and touch a marker file first, so a
test knows the worker is mid-transaction.
"""
from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import bindparam, text

from littlepbx.pbx_backends.audio import convert_to_wav
from littlepbx.pbx_backends.base import CALL_RECORD_COLUMNS, PBXBackend

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS test_pbx_rows (org VARCHAR(16) NOT NULL, kind VARCHAR(16) NOT NULL,"
    " name VARCHAR(64) NOT NULL, value VARCHAR(255) NOT NULL, PRIMARY KEY (org, kind, name))",
    "CREATE TABLE IF NOT EXISTS test_pbx_calls (org VARCHAR(40) PRIMARY KEY, calls INT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS test_pbx_controls (org VARCHAR(16) PRIMARY KEY,"
    " write_delay FLOAT NOT NULL DEFAULT 0, fail_message VARCHAR(255) NULL,"
    " marker VARCHAR(255) NULL)",
    "CREATE TABLE IF NOT EXISTS test_pbx_overrides (org VARCHAR(16) NOT NULL, name VARCHAR(20) NOT NULL,"
    " state VARCHAR(8) NOT NULL, PRIMARY KEY (org, name))",
    "CREATE TABLE IF NOT EXISTS test_pbx_queue_figures (org VARCHAR(16) NOT NULL, number VARCHAR(6) NOT NULL,"
    " waiting INT NOT NULL, answered INT NOT NULL, abandoned INT NOT NULL, timed_out INT NOT NULL,"
    " average_wait FLOAT NULL, PRIMARY KEY (org, number))",
    "CREATE TABLE IF NOT EXISTS test_pbx_phone_states (org VARCHAR(16) NOT NULL, number VARCHAR(6) NOT NULL,"
    " dnd BOOL NOT NULL, forward_to VARCHAR(16) NULL, forward_busy VARCHAR(16) NULL,"
    " forward_unanswered VARCHAR(16) NULL, PRIMARY KEY (org, number))",
    "CREATE TABLE IF NOT EXISTS test_pbx_phone_blocks (org VARCHAR(16) NOT NULL, number VARCHAR(16) NOT NULL,"
    " extension VARCHAR(16) NULL, created DATETIME NOT NULL, PRIMARY KEY (org, number))",
    "CREATE TABLE IF NOT EXISTS test_pbx_registrations (org VARCHAR(16) PRIMARY KEY, state VARCHAR(40) NOT NULL)",
    "CREATE TABLE IF NOT EXISTS test_pbx_call_records (id INT AUTO_INCREMENT PRIMARY KEY, org VARCHAR(16) NOT NULL,"
    " calldate DATETIME NOT NULL, answer DATETIME NULL, endtime DATETIME NULL, clid VARCHAR(120) NULL,"
    " src VARCHAR(80) NULL, dst VARCHAR(80) NULL, dstchannel VARCHAR(120) NULL, lastapp VARCHAR(80) NULL,"
    " duration INT NULL, billsec INT NULL, disposition VARCHAR(45) NULL, uniqueid VARCHAR(150) NULL,"
    " dialed VARCHAR(40) NULL, reached VARCHAR(60) NULL)",
]
TABLES = ("test_pbx_rows", "test_pbx_overrides", "test_pbx_phone_states", "test_pbx_phone_blocks", "test_pbx_queue_figures", "test_pbx_calls", "test_pbx_controls",
          "test_pbx_registrations",
          "test_pbx_call_records")


class RecordingBackend(PBXBackend):
    """Writes one row per extension and DID; calls, registrations and call records come from
    tables the test fills (set_calls, set_registration_state, add_call_record)."""

    name = "recording"

    def __init__(self, config: dict):
        super().__init__(config)
        from sqlalchemy import create_engine
        self.engine = create_engine(config["DATABASE_URL"], pool_pre_ping=True)

    def close(self) -> None:
        self.engine.dispose()

    def housekeeping(self, force: bool = False) -> None:
        self.housekeeping_calls = getattr(self, "housekeeping_calls", 0) + 1

    def retry_after_commit(self) -> None:
        """Nothing to retry: the rows are the PBX."""

    def after_commit(self, org) -> None:
        """Nothing runs between requests in this PBX."""

    def after_remove(self, code: str) -> None:
        """Nothing runs between requests in this PBX."""

    def registered_extensions(self, connection, code: str):
        """This PBX cannot tell."""
        return None

    def current_calls(self, code: str):
        """This PBX cannot tell."""
        return None

    def registration_state(self, code: str):
        with self.engine.connect() as connection:
            return connection.scalar(text("SELECT state FROM test_pbx_registrations WHERE org = :o"), {"o": code})

    def call_history(self, connection, code, since, until, offset, limit, number=None, result=None):
        from sqlalchemy import column, func, or_, select, table

        from littlepbx.pbx_backends.base import result_criterion
        records = table("test_pbx_call_records", *map(column, ("id", "org", *CALL_RECORD_COLUMNS)))
        c = records.c
        criteria = [c.org == code]
        if since:
            criteria.append(c.calldate >= since)
        if until:
            criteria.append(c.calldate < until)
        if number:
            criteria.append(or_(*(c[name].like(f"%{number}%") for name in ("src", "dst", "dialed", "reached"))))
        if result:  # the real backends' condition, on this table's columns
            criteria.append(result_criterion(result, c.reached, c.lastapp, c.disposition))
        total = connection.scalar(select(func.count()).select_from(records).where(*criteria))
        rows = connection.execute(select(*(c[name] for name in CALL_RECORD_COLUMNS)).where(*criteria)
                                  .order_by(c.calldate.desc(), c.id.desc()).offset(offset).limit(limit))
        return [dict(row._mapping) for row in rows], total

    def health(self) -> dict:
        return {"ok": True}

    def convert_audio(self, source, target, max_seconds: int = 600) -> None:
        convert_to_wav(source, target, max_seconds)

    def write_org(self, connection, org) -> list[str]:
        self._remove(connection, org.code)
        rows = [("extension", e.number, f"{e.display_name}|{e.sip_password}|{e.ring_seconds}")
                for e in org.extensions]
        rows += [("did", d.number, d.destination or "") for d in org.dids]
        rows += [("ringgroup", g.number, f"{g.strategy}|{' '.join(g.members)}|{g.no_answer}|{g.cid_prefix}")
                 for g in org.ringgroups]
        rows += [("timecondition", c.name, f"{' '.join(c.schedule)}|{' '.join(c.holidays)}|{c.timezone}|"
                  f"{c.open_destination}|{c.closed_destination}|{c.toggle_code}") for c in org.timeconditions]
        rows += [("ivr", m.name, f"{'greeting' if m.greeting else ''}|{' '.join(f'{k}={d}' for k, d in m.options)}|"
                  f"{'direct' if m.direct_dial else ''}|{m.timeout_seconds}|{m.repeats}|{m.timeout_destination}|"
                  f"{m.invalid_destination}") for m in org.ivrs]
        rows += [("paging", g.number, f"{' '.join(g.members)}|{g.seconds}") for g in org.paginggroups]
        rows += [("queue", q.number, f"{' '.join(q.members)}|{'login' if q.login_required else ''}|{q.strategy}|"
                  f"{q.ring_seconds}|{q.wrapup_seconds}|{q.max_wait_seconds}|{q.timeout_destination}|"
                  f"{q.max_callers}|{q.full_destination}|{q.announce_seconds}|{q.music_class or ''}")
                 for q in org.queues]
        rows += [("musicclass", m.name, f"{len(m.files)} files|{'shuffle' if m.shuffle else ''}")
                 for m in org.musicclasses]
        rows += [("announcement", a.name, f"{'recording' if a.recording else ''}|{a.then_destination}")
                 for a in org.announcements]
        rows += [("blocked", b.number, f"{b.match}|{b.then_destination or 'refuse'}") for b in org.blocked_callers]
        rows += [("conference", c.number, f"{'pin' if c.pin else ''}|{'moderator' if c.moderator_pin else ''}|"
                  f"{'wait' if c.wait_for_moderator else ''}|{c.max_members}|{c.music_class or ''}")
                 for c in org.conferences]
        rows += [("dialrule", r.pattern, f"{r.strip}|{r.prepend}|{'abroad' if r.international else ''}")
                 for r in org.dialrules]
        if org.callsettings != type(org.callsettings)():  # only settings an admin changed
            rows += [("callsettings", "parking", org.callsettings.parking_range),
                     ("callsettings", "recording_notice", org.callsettings.recording_notice or "")]
        names = [c.name for c in org.timeconditions]
        connection.execute(text("DELETE FROM test_pbx_overrides WHERE org = :o"
                                + (" AND name NOT IN :names" if names else "")).bindparams(
            *([bindparam("names", expanding=True)] if names else [])), {"o": org.code, "names": names})
        for name in names:
            connection.execute(text("INSERT IGNORE INTO test_pbx_overrides VALUES (:o, :n, 'auto')"),
                               {"o": org.code, "n": name})
        numbers = [e.number for e in org.extensions]
        connection.execute(text("DELETE FROM test_pbx_phone_states WHERE org = :o"
                                + (" AND number NOT IN :numbers" if numbers else "")).bindparams(
            *([bindparam("numbers", expanding=True)] if numbers else [])), {"o": org.code, "numbers": numbers})
        for number in numbers:
            connection.execute(text("INSERT IGNORE INTO test_pbx_phone_states VALUES (:o, :n, 0, NULL, NULL, NULL)"),
                               {"o": org.code, "n": number})
        for kind, name, value in rows:
            connection.execute(text("INSERT INTO test_pbx_rows VALUES (:o, :k, :n, :v)"),
                               {"o": org.code, "k": kind, "n": name, "v": value})
        delay, fail, marker = self._controls(connection, org.code)
        if marker:
            Path(marker).write_text("inside the transaction")
        if delay:
            time.sleep(delay)
        if fail:
            raise RuntimeError(fail)
        return []

    def remove_org(self, connection, code: str) -> None:
        self._remove(connection, code)
        connection.execute(text("DELETE FROM test_pbx_overrides WHERE org = :o"), {"o": code})
        connection.execute(text("DELETE FROM test_pbx_phone_states WHERE org = :o"), {"o": code})
        connection.execute(text("DELETE FROM test_pbx_phone_blocks WHERE org = :o"), {"o": code})

    def queue_figures(self, code: str, since) -> dict:
        from littlepbx.pbx_backends.base import QueueFigures
        with self.engine.connect() as connection:
            rows = connection.execute(text("SELECT number, waiting, answered, abandoned, timed_out, average_wait"
                                           " FROM test_pbx_queue_figures WHERE org = :o"), {"o": code}).all()
        return {number: QueueFigures(*figures) for number, *figures in rows}

    def time_overrides(self, code: str) -> dict[str, str]:
        with self.engine.connect() as connection:
            return dict(connection.execute(text("SELECT name, state FROM test_pbx_overrides WHERE org = :o"
                                                " AND state <> 'auto'"), {"o": code}).all())

    def set_time_override(self, code: str, name: str, state: str) -> None:
        from littlepbx.pbx_backends.base import BackendError
        with self.engine.begin() as connection:
            changed = connection.execute(text("UPDATE test_pbx_overrides SET state = :s WHERE org = :o AND name = :n"),
                                         {"o": code, "n": name, "s": state})
            if changed.rowcount == 0:
                raise BackendError(f"{code}: time condition {name} is not live yet; apply it first")

    def phone_states(self, code: str) -> dict:
        from littlepbx.pbx_backends.base import PhoneState
        with self.engine.connect() as connection:
            rows = connection.execute(text("SELECT number, dnd, forward_to, forward_busy, forward_unanswered"
                                           " FROM test_pbx_phone_states WHERE org = :o"), {"o": code}).all()
        return {number: PhoneState(bool(dnd), *forwards) for number, dnd, *forwards in rows}

    def set_phone_state(self, code: str, number: str, state) -> None:
        from littlepbx.pbx_backends.base import BackendError
        with self.engine.begin() as connection:
            changed = connection.execute(text("UPDATE test_pbx_phone_states SET dnd = :d, forward_to = :f,"
                                              " forward_busy = :b, forward_unanswered = :u"
                                              " WHERE org = :o AND number = :n"),
                                         {"d": state.dnd, "f": state.forward_to, "b": state.forward_busy,
                                          "u": state.forward_unanswered, "o": code, "n": number}).rowcount
        if not changed:
            raise BackendError(f"{code}: extension {number} is not live yet; apply it first")

    def phone_blocks(self, code: str) -> list:
        from littlepbx.pbx_backends.base import PhoneBlock
        with self.engine.connect() as connection:
            rows = connection.execute(text("SELECT number, extension, created FROM test_pbx_phone_blocks"
                                           " WHERE org = :o ORDER BY created DESC, number"), {"o": code}).all()
        return [PhoneBlock(*row) for row in rows]

    def unblock(self, code: str, number: str) -> bool:
        with self.engine.begin() as connection:
            return connection.execute(text("DELETE FROM test_pbx_phone_blocks WHERE org = :o AND number = :n"),
                                      {"o": code, "n": number}).rowcount > 0

    def system_figures(self, connection) -> dict:
        calls = connection.execute(text("SELECT org, calls FROM test_pbx_calls WHERE org NOT LIKE '%:%'")).all()
        return {"calls": {org: count for org, count in calls if count >= 0}}

    def active_calls(self, code: str) -> int:
        with self.engine.connect() as connection:
            calls = connection.scalar(text("SELECT calls FROM test_pbx_calls WHERE org = :o"),
                                      {"o": code})
        if calls is not None and calls < 0:
            raise ConnectionError("the test PBX does not answer")
        return calls or 0

    def did_calls(self, code: str, numbers: list[str]) -> dict[str, int]:
        """Per-DID counts set by set_calls(engine, "<code>:<number>", n)."""
        return {number: self.active_calls(f"{code}:{number}") for number in numbers}

    @staticmethod
    def _remove(connection, code: str) -> None:
        connection.execute(text("DELETE FROM test_pbx_rows WHERE org = :o"), {"o": code})

    @staticmethod
    def _controls(connection, code: str):
        row = connection.execute(text("SELECT write_delay, fail_message, marker FROM"
                                      " test_pbx_controls WHERE org = :o"), {"o": code}).first()
        return tuple(row) if row else (0, None, None)


def set_calls(engine, code: str, calls: int) -> None:
    """Pretend the organization has ``calls`` calls up (-1: the PBX does not answer);
    ``code`` "<org>:<DID>" sets the calls arriving on one DID."""
    with engine.begin() as connection:
        connection.execute(text("REPLACE INTO test_pbx_calls VALUES (:o, :c)"),
                           {"o": code, "c": calls})


def set_controls(engine, code: str, write_delay: float = 0, fail_message: str | None = None,
                 marker: str | None = None) -> None:
    """Make write_org of ``code`` pause, fail, or leave a marker file."""
    with engine.begin() as connection:
        connection.execute(text("REPLACE INTO test_pbx_controls VALUES (:o, :d, :f, :m)"),
                           {"o": code, "d": write_delay, "f": fail_message, "m": marker})


def set_registration_state(engine, code: str, state: str) -> None:
    """Pretend the organization's outbound upstream registration is in ``state``."""
    with engine.begin() as connection:
        connection.execute(text("REPLACE INTO test_pbx_registrations VALUES (:o, :s)"), {"o": code, "s": state})


def add_phone_block(engine, code: str, number: str, extension: str, minutes_ago: int = 0) -> None:
    """A caller a phone of the organization blocked (*32), as the PBX would have written it."""
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO test_pbx_phone_blocks VALUES (:o, :n, :e,"
                                " UTC_TIMESTAMP() - INTERVAL :m MINUTE)"),
                           {"o": code, "n": number, "e": extension, "m": minutes_ago})


def add_call_record(engine, code: str, **values) -> None:
    """One call record of the organization, as the PBX would have written it."""
    columns = ["org", *values]
    with engine.begin() as connection:
        connection.execute(text(f"INSERT INTO test_pbx_call_records ({', '.join(columns)}) VALUES "
                                f"({', '.join(':' + c for c in columns)})"), {"org": code, **values})


def pbx_rows(engine, code: str) -> dict[tuple[str, str], str]:
    """The organization's rows as the PBX would read them now."""
    with engine.connect() as connection:
        return {(k, n): v for k, n, v in connection.execute(
            text("SELECT kind, name, value FROM test_pbx_rows WHERE org = :o"), {"o": code})}


def set_queue_figures(engine, org: str, number: str, waiting=0, answered=0, abandoned=0, timed_out=0,
                      average_wait=None) -> None:
    """What the recording backend answers as one queue's figures."""
    with engine.begin() as connection:
        connection.execute(text("REPLACE INTO test_pbx_queue_figures VALUES (:o, :n, :w, :a, :b, :t, :v)"),
                           {"o": org, "n": number, "w": waiting, "a": answered, "b": abandoned, "t": timed_out,
                            "v": average_wait})
