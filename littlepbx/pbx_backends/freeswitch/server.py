"""The HTTP server FreeSWITCH's mod_xml_curl asks on every registration and call: loopback only,
with a secret path (the directory answers carry phones' passwords: no other local user may ask).

It reads the live rows an Apply commits (lp_fs_plans, lp_upstream_sources), the time
conditions' switches (lp_time_overrides, which a phone's *28 writes through it) and what phones'
users switched and blocked (lp_phone_states, lp_phone_blocks, which their codes write through it)
through its own database engine, and answers with littlepbx.pbx_backends.freeswitch.documents.
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from sqlalchemy import create_engine, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.exc import DBAPIError

from littlepbx.pbx_backends.asterisk import tables as t
from littlepbx.pbx_backends.asterisk.backend import FORWARDS, phone_id, write_time_override
from littlepbx.pbx_backends.audio import call_recordings_dir
from littlepbx.pbx_backends.base import PhoneState

from . import documents
from .esl import ESLClient, ESLError, client_for
from .plans import PlanCache, registering_plans

log = logging.getLogger(__name__)
MAX_REQUEST = 256 * 1024


def xml_path(config: dict) -> str:
    """The path FreeSWITCH posts to (its secret part from FREESWITCH_XML_SECRET)."""
    return f"/freeswitch/{config['FREESWITCH_XML_SECRET']}"


# A parked call is in its slot well within COMING_SECONDS of its #77; mod_valet_parking sweeps the
# tickets of calls that left a slot at a valet_park at least 5 s after its last sweep.
COMING_SECONDS, LEFT_SECONDS = 2, 6


class XMLService:
    """Answers one request's fields with a document, reading the committed rows."""

    def __init__(self, database_url: str, secret: str = "", esl: ESLClient | None = None, recordings: str = "",
                 park_seconds: int = 60):
        self.secret = secret
        self.esl = esl
        self.recordings = recordings
        self.park_seconds = park_seconds
        # (lot, slot): until when it is kept for a call on its way there, or free of one that left it
        self._coming: dict[tuple[str, str], float] = {}
        self._left: dict[tuple[str, str], float] = {}
        self.engine = create_engine(database_url, pool_pre_ping=True, pool_recycle=3600,
                                    isolation_level="READ COMMITTED")
        self.plans = PlanCache()
        self._lock = threading.Lock()

    def answer(self, params: dict[str, str]) -> str:
        section = params.get("section")
        handler = {"directory": documents.directory, "dialplan": documents.dialplan,
                   "configuration": documents.configuration}.get(section)
        if handler is None:
            return documents.not_found()
        with self.engine.connect() as connection:
            lookup = documents.Lookup(plan_of=lambda code: self._plan(connection, code),
                                      org_at=lambda address: _org_at(connection, address),
                                      upstream_addresses=lambda: _addresses(connection),
                                      org_on_line=lambda line: _org_on_line(connection, line),
                                      registering=lambda: self._registering(connection),
                                      contact_of=lambda code: documents.contact_user(self.secret, code),
                                      forced=lambda code, name: _forced(connection, code, name),
                                      force=lambda code, name, state: self._force(code, name, state),
                                      phone_calls=self._phone_calls,
                                      phones=DatabasePhoneSwitches(self.engine, connection),
                                      answered_last=self._answered_last, recordings=self.recordings,
                                      contact=self._contact, parked=self._parked,
                                      park_seconds=self.park_seconds, free_slot=self._free_slot,
                                      slot_left=self._slot_left, queue_waiting=self._queue_waiting,
                                      queue_login=self._queue_login)
            return handler(params, lookup)

    def _ask(self, command: str, what: str) -> str:
        """FreeSWITCH's answer to an API command, "" when it cannot answer (``what`` is logged)."""
        if self.esl is None:
            return ""
        try:
            return self.esl.api(command).strip()
        except ESLError as error:
            log.warning("FreeSWITCH: %s not read: %s", what, error)
            return ""

    def _phone_calls(self, user: str) -> int:
        """The calls the phone ("t1-101") is on, as FreeSWITCH counts them; 0 when it cannot say
        (the phone then rings, as without a busy destination)."""
        answer = self._ask(f"limit_usage hash {documents.PHONE_REALM} {user}", f"{user}'s calls")
        return int(answer) if answer.isdigit() else 0

    def _contact(self, user: str) -> str:
        """Where the phone ("t1-101") is registered, as FreeSWITCH would call it; "" when it is
        not (or FreeSWITCH cannot say)."""
        answer = self._ask(f"sofia_contact {documents.PROFILE}/{user}@{documents.DOMAIN}", f"{user}'s contact")
        return "" if answer.startswith("error/") else answer

    def _parked(self, lot: str) -> list[str]:
        """The slots of parking lot ``lot`` that hold a call (mod_valet_parking's own listing);
        none when FreeSWITCH cannot say."""
        return re.findall(r">([0-9]+)</extension>", self._ask(f"valet_info {lot}", f"parking lot {lot}"))

    def _free_slot(self, lot: str, slots: list[str]) -> str | None:
        """The first slot of ``lot`` that holds no call, that no other #77 took a moment ago (its
        call is on its way there) and that no call left unanswered a moment ago: kept for this
        one for COMING_SECONDS. None: the lot is full."""
        taken = set(self._parked(lot))
        with self._lock:
            now = time.monotonic()
            # A call that arrived in its slot is in the listing: it no longer needs keeping.
            self._coming = {key: until for key, until in self._coming.items()
                            if until > now and not (key[0] == lot and key[1] in taken)}
            self._left = {key: until for key, until in self._left.items() if until > now}
            slot = next((s for s in slots if s not in taken and (lot, s) not in self._coming
                         and (lot, s) not in self._left), None)
            if slot is not None:
                self._coming[(lot, slot)] = now + COMING_SECONDS
            return slot

    def _slot_left(self, lot: str, slot: str) -> None:
        """A parked call left ``slot`` unanswered: mod_valet_parking keeps its ticket there, and
        would put the next call parked in that slot through to it, until its next sweep (at most
        every 5 s, at a valet_park): nobody is parked there for LEFT_SECONDS."""
        with self._lock:
            self._left[(lot, slot)] = time.monotonic() + LEFT_SECONDS

    def _queue_waiting(self, name: str) -> int:
        """The callers waiting in queue ``name`` ("t1-500") now, or being offered to a member;
        0 when FreeSWITCH cannot say (the caller then joins)."""
        listing = self._ask(f"callcenter_config queue list members {name}", f"queue {name}'s callers")
        return sum(1 for line in listing.splitlines()[1:] if re.search(r"\|(Waiting|Trying)\|", line))

    def _queue_login(self, agent: str) -> bool | None:
        """Log a queue's member ("t1-500-101") in, or out when it was in; True: in now. None when
        mod_callcenter does not know it (its queue not loaded yet) or cannot be told."""
        status = self._ask(f"callcenter_config agent get status {agent}", f"{agent}'s login")
        if status not in (documents.AVAILABLE, documents.LOGGED_OUT, "On Break"):
            return None
        now_in = status != documents.AVAILABLE
        answer = self._ask(f"callcenter_config agent set status {agent} "
                           f"'{documents.AVAILABLE if now_in else documents.LOGGED_OUT}'", f"{agent}'s login")
        return now_in if answer.startswith("+OK") else None

    def _answered_last(self, key: str) -> str:
        """The member of ring group ``key`` ("t1-600") who answered last, as FreeSWITCH remembers
        it; "" when it cannot say (the hunt then starts from the first)."""
        answer = self._ask(f"db select/{documents.HUNT_REALM}/{key}", f"ring group {key}'s last answer")
        return "" if answer.startswith("-ERR") else answer

    def _force(self, code: str, name: str, state: str) -> None:
        """A phone's *28 switch: written and committed before the phone hears that it was."""
        with self.engine.begin() as connection:
            write_time_override(connection, code, name, state)

    def _plan(self, connection, code: str):
        with self._lock:
            return self.plans.get(connection, code)

    def _registering(self, connection) -> list:
        with self._lock:
            return registering_plans(connection, self.plans)

    def close(self) -> None:
        self.engine.dispose()
        if self.esl is not None:
            self.esl.close()


class DatabasePhoneSwitches(documents.PhoneSwitches):
    """The phones' switches and blocks in the database: read in the request's connection, each
    write committed at once (before the phone hears that it was)."""

    def __init__(self, engine, connection):
        self.engine, self.connection = engine, connection

    def _row(self, code: str, number: str):
        table = t.lp_phone_states
        return connection_row(self.connection, table, phone_id(code, number), code)

    def state(self, code: str, number: str) -> PhoneState:
        row = self._row(code, number)
        if row is None:
            return PhoneState()
        return PhoneState(row.dnd == "yes", *(getattr(row, name) or None for name in FORWARDS))

    def switch(self, code: str, number: str, column: str, value: str | None) -> bool:
        return self._update(code, number, {column: value})

    def rang(self, code: str, number: str, caller: str) -> None:
        """Best effort: a call is not lost for want of remembering its caller for *32."""
        try:
            self._update(code, number, {"last_caller": caller})
        except DBAPIError as error:
            log.warning("%s-%s's last caller not kept: %s", code, number, error)

    def last_caller(self, code: str, number: str) -> str | None:
        row = self._row(code, number)
        return row.last_caller if row is not None else None

    def block(self, code: str, number: str, caller: str) -> None:
        digits = "".join(filter(str.isdigit, caller))
        with self.engine.begin() as connection:
            connection.execute(mysql_insert(t.lp_phone_blocks).prefix_with("IGNORE").values(
                id=f"{code}-{digits}", tenantid=code, number=caller, extension=number))

    def blocked(self, code: str, digits: str) -> bool:
        return connection_row(self.connection, t.lp_phone_blocks, f"{code}-{digits}", code) is not None

    def _update(self, code: str, number: str, values: dict) -> bool:
        table = t.lp_phone_states
        with self.engine.begin() as connection:
            return connection.execute(update(table).where(
                table.c.id == phone_id(code, number), table.c.tenantid == code).values(values)).rowcount > 0


def connection_row(connection, table, row_id: str, code: str):
    """The org's row ``row_id`` of ``table``, or None (a row of another org is none)."""
    return connection.execute(select(table).where(table.c.id == row_id, table.c.tenantid == code)).first()


def _org_at(connection, address: str) -> str | None:
    try:
        address = str(ipaddress.ip_address(address))
    except ValueError:
        return None
    table = t.lp_upstream_sources
    return connection.execute(select(table.c.tenantid).where(table.c.address == address)).scalar()


def _forced(connection, code: str, name: str) -> str:
    """What the org's time condition ``name`` is forced to: "open", "closed" or "auto"."""
    table = t.lp_time_overrides
    state = connection.execute(select(table.c.state).where(table.c.id == f"{code}-{name}",
                                                           table.c.tenantid == code)).scalar()
    return state or "auto"


def _addresses(connection) -> list[str]:
    """Every upstream address: inbound upstreams' sources and the hosts orgs register with."""
    lines = connection.execute(select(t.lp_upstream_lines.c.id)).scalars()
    return sorted(set(connection.execute(select(t.lp_upstream_sources.c.address)).scalars())
                  | {line.rpartition("@")[2] for line in lines})


def _org_on_line(connection, line: str) -> str | None:
    table = t.lp_upstream_lines
    return connection.execute(select(table.c.tenantid).where(table.c.id == line)).scalar()


def handler_for(service: XMLService, path: str):
    class Handler(BaseHTTPRequestHandler):
        server_version = "littlepbx-xml"

        def do_POST(self):
            started = time.monotonic()
            if not hmac.compare_digest(self.path.encode(), path.encode()):
                return self._reply(404, b"not found\n", "text/plain")
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST:
                return self._reply(413, b"too large\n", "text/plain")
            params = dict(parse_qsl(self.rfile.read(length).decode(errors="replace"), keep_blank_values=True))
            try:
                body = service.answer(params)
            except Exception:
                log.exception("xml_curl %s request failed", params.get("section"))
                body = documents.not_found()
            self._reply(200, body.encode(), "text/xml")
            log.debug("xml_curl %s %s in %.1f ms", params.get("section"), params.get("Hunt-Destination-Number", ""),
                      (time.monotonic() - started) * 1000)

        def _reply(self, status: int, body: bytes, content_type: str):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            return

    return Handler


def make_server(config: dict, port: int | None = None) -> ThreadingHTTPServer:
    """The server bound to 127.0.0.1 (FREESWITCH_XML_PORT, or ``port``; 0 picks a free one)."""
    service = XMLService(config["DATABASE_URL"], config["FREESWITCH_XML_SECRET"], client_for(config),
                         str(call_recordings_dir(str(config["DATA_DIR"]))), int(config.get("PARK_SECONDS", 60)))
    server = ThreadingHTTPServer(("127.0.0.1", config["FREESWITCH_XML_PORT"] if port is None else port),
                                 handler_for(service, xml_path(config)))
    server.daemon_threads = True
    server.service = service
    return server


def serve_in_thread(config: dict, port: int | None = None) -> ThreadingHTTPServer:
    """Start the server in a daemon thread (tests, and the worker when it serves it); returns it."""
    server = make_server(config, port)
    threading.Thread(target=server.serve_forever, name="littlepbx-xml", daemon=True).start()
    return server
