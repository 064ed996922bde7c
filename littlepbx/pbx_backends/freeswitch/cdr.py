"""Call records from FreeSWITCH into the call history (the cdr table the Asterisk backend's
records go to, so the Stats page and the REST API read both alike): every hung-up channel the
dialplan tied to an org (the caller's leg) becomes one row, read from the event socket. Queue
callers' comings and goings (mod_callcenter's events) go to the queue log the Asterisk backend's
app_queue writes (lp_queue_log), in app_queue's words, for the queues' figures."""
from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, insert

from littlepbx.pbx_backends.asterisk import tables as t

from . import documents
from .esl import ESLClient, ESLError

log = logging.getLogger(__name__)

BUSY_CAUSES = {"USER_BUSY"}
UNANSWERED_CAUSES = {"NO_ANSWER", "ORIGINATOR_CANCEL", "NO_USER_RESPONSE", "NORMAL_CLEARING"}


def _time(epoch: str | None) -> datetime | None:
    seconds = int(epoch or 0)
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None) if seconds > 0 else None


def record_of(event: dict[str, str]) -> dict | None:
    """The cdr row of a CHANNEL_HANGUP_COMPLETE event, or None for a channel of no org's call
    (a leg the caller's call rang)."""
    code = event.get("variable_lp_org")
    if not code or not event.get("variable_lp_dialed"):
        return None
    started = _time(event.get("variable_start_epoch")) or datetime.now(UTC).replace(tzinfo=None)
    answered = _time(event.get("variable_answer_epoch"))
    cause = event.get("variable_hangup_cause") or event.get("Hangup-Cause") or ""
    if answered:
        disposition = "ANSWERED"
    elif cause in BUSY_CAUSES:
        disposition = "BUSY"
    elif cause in UNANSWERED_CAUSES:
        disposition = "NO ANSWER"
    else:
        disposition = "FAILED"
    number = event.get("Caller-Caller-ID-Number") or ""
    name = event.get("Caller-Caller-ID-Name") or ""
    return {"calldate": started, "answer": answered, "endtime": _time(event.get("variable_end_epoch")),
            "tenantid": code, "clid": f'"{name}" <{number}>'[:120], "src": (event.get("variable_lp_ext") or number)[:80],
            "dst": event["variable_lp_dialed"][:80], "dcontext": event.get("Caller-Context", "")[:80],
            "channel": event.get("Channel-Name", "")[:120], "dstchannel": event.get("variable_bridge_channel", "")[:120],
            "lastapp": event.get("variable_last_app", "")[:80], "lastdata": event.get("variable_last_arg", "")[:255],
            "duration": int(event.get("variable_duration") or 0), "billsec": int(event.get("variable_billsec") or 0),
            "disposition": disposition, "lp_dialed": event["variable_lp_dialed"][:40],
            "lp_reached": (event.get("variable_lp_reached") or "")[:60] or None,
            "uniqueid": event.get("Unique-ID", "")[:150], "linkedid": event.get("Unique-ID", "")[:150]}


# mod_callcenter's reasons a caller left a queue unanswered, as app_queue logs them.
QUEUE_EXITS = {"TIMEOUT": "EXITWITHTIMEOUT", "NO_AGENT_TIMEOUT": "EXITEMPTY", "EXIT_WITH_KEY": "EXITWITHKEY"}


def queue_log_of(event: dict[str, str]) -> dict | None:
    """The lp_queue_log row of a mod_callcenter event (a caller entering a queue, a member
    answering it, the caller leaving unanswered), or None for the other events."""
    queue, action = event.get("CC-Queue", ""), event.get("CC-Action")
    callid = event.get("CC-Member-Session-UUID", "")[:80]
    if not (documents.QUEUE_NAME.fullmatch(queue) and callid):
        return None
    row = {"time": datetime.now(UTC).replace(tzinfo=None), "callid": callid, "queuename": queue, "agent": "NONE"}
    if action == "member-queue-start":
        return dict(row, event="ENTERQUEUE")
    if action == "bridge-agent-start":
        joined, answered = event.get("CC-Member-Joined-Time", ""), event.get("CC-Agent-Answered-Time", "")
        waited = int(answered) - int(joined) if joined.isdigit() and answered.isdigit() else None
        return dict(row, event="CONNECT", agent=event.get("CC-Agent", "")[:80],
                    data1=str(max(waited, 0)) if waited is not None else None)
    if action == "member-queue-end" and event.get("CC-Cause") == "Cancel":
        return dict(row, event=QUEUE_EXITS.get(event.get("CC-Cancel-Reason", ""), "ABANDON"))
    return None


class CdrRecorder(threading.Thread):
    """Reads hang-ups from the event socket and writes their records; reconnects when
    FreeSWITCH restarts. ``stop()`` ends it."""

    def __init__(self, config: dict):
        super().__init__(name="littlepbx-cdr", daemon=True)
        self.config = config
        self.engine = create_engine(config["DATABASE_URL"], pool_pre_ping=True, pool_recycle=3600)
        self._stopping = threading.Event()
        self._client: ESLClient | None = None

    def run(self) -> None:
        while not self._stopping.is_set():
            self._client = ESLClient("127.0.0.1", int(self.config["FREESWITCH_ESL_PORT"]),
                                     self.config["FREESWITCH_ESL_PASSWORD"])
            try:
                for event in self._client.events("CHANNEL_HANGUP_COMPLETE CUSTOM callcenter::info"):
                    if event.get("Event-Name") == "CUSTOM":
                        entry = queue_log_of(event)
                        if entry:
                            self._write(t.lp_queue_log, entry)
                        continue
                    row = record_of(event)
                    if row:
                        self._write(t.cdr, row)
            except (ESLError, OSError) as error:
                if not self._stopping.is_set():
                    log.debug("call records: event socket: %s; again in a second", error)
                    time.sleep(1)
            finally:
                self._client.close()

    def _write(self, table, row: dict) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(table).values(**row))
        except Exception:  # a record lost is logged; the next calls are still recorded
            log.exception("%s row of %s not written", table.name, row.get("tenantid") or row.get("queuename"))

    def stop(self) -> None:
        self._stopping.set()
        if self._client is not None:
            self._client.interrupt()
        self.join(5)
        self.engine.dispose()
