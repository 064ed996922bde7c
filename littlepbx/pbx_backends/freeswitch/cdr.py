"""Call records from FreeSWITCH into the call history (the cdr table the Asterisk backend's
records go to, so the Stats page and the REST API read both alike): every hung-up channel the
dialplan tied to an org (the caller's leg) becomes one row, read from the event socket."""
from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, insert

from littlepbx.pbx_backends.asterisk import tables as t

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
                for event in self._client.events("CHANNEL_HANGUP_COMPLETE"):
                    row = record_of(event)
                    if row:
                        self._write(row)
            except (ESLError, OSError) as error:
                if not self._stopping.is_set():
                    log.debug("call records: event socket: %s; again in a second", error)
                    time.sleep(1)
            finally:
                self._client.close()

    def _write(self, row: dict) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(t.cdr).values(**row))
        except Exception:  # a record lost is logged; the next calls are still recorded
            log.exception("call record of %s not written", row.get("tenantid"))

    def stop(self) -> None:
        self._stopping.set()
        if self._client is not None:
            self._client.interrupt()
        self.join(5)
        self.engine.dispose()
