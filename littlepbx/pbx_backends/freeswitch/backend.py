"""The FreeSWITCH 1.10 backend: an Apply writes the org's plan (lp_fs_plans) and upstream
addresses (lp_upstream_sources) in its transaction; LittlePBX's XML server answers FreeSWITCH's
directory and per-call dialplan requests from those rows, so nothing is reloaded for an org;
calls and registrations are read over the event socket.

What the Asterisk backend carries and this one cannot (the checks of validate_for_freeswitch and
check_modules) is refused at Apply by name.
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError

from littlepbx.pbx_backends.asterisk import tables as t
from littlepbx.pbx_backends.asterisk.backend import (
    cdr_history,
    claim_addresses,
    claim_upstream_addresses,
    delete_phone_block,
    export_rows,
    import_rows,
    keep_switch_rows,
    line_rows,
    move_in,
    phone_id,
    queue_figures_from_log,
    read_phone_blocks,
    read_phone_states,
    read_time_overrides,
    replace_rows,
    validate_org,
    write_phone_state,
    write_time_override,
)
from littlepbx.pbx_backends.audio import convert_to_wav
from littlepbx.pbx_backends.base import (
    BackendError,
    CallInProgress,
    OrgPBXConfig,
    PBXBackend,
    PhoneBlock,
    PhoneState,
    QueueFigures,
)
from littlepbx.pbx_backends.upstreams import outbound_problem

from . import documents, plans, voicemail
from .esl import ESLError
from .plans import queueing_plans, registering_plans

log = logging.getLogger(__name__)

def validate_for_freeswitch(org: OrgPBXConfig) -> None:
    """validate_org's checks, then what this backend cannot carry out, said plainly."""
    validate_org(org)
    if org.moh.enabled and org.moh.path and documents.UNSAFE.search(org.moh.path):
        raise BackendError(f"{org.code}: music on hold: {org.moh.path!r} is not a converted file")
    for music in org.musicclasses:
        for path in music.files:
            if documents.UNSAFE.search(path) or "!" in path:
                raise BackendError(f"{org.code}: music class {music.name}: {path!r} is not a converted file")
    for announcement in org.announcements:
        if announcement.recording and documents.UNSAFE.search(announcement.recording):
            raise BackendError(f"{org.code}: announcement {announcement.name}: {announcement.recording!r} "
                               "is not a converted file")
    for ivr in org.ivrs:
        if ivr.greeting and (documents.UNSAFE.search(ivr.greeting) or "!" in ivr.greeting):
            raise BackendError(f"{org.code}: menu {ivr.name}: {ivr.greeting!r} is not a converted file")
    for group in org.ringgroups:
        if documents.UNSAFE.sub("", group.cid_prefix.replace(" ", "")) != group.cid_prefix.replace(" ", "") \
                or ":" in group.cid_prefix:
            raise BackendError(f"{org.code}: ring group {group.number}: FreeSWITCH would read one of "
                               "$ { } [ ] , ^ ' \" \\ < > | ; : in its caller name prefix as syntax")
    for trunk in org.trunks:
        for what, value in (("username", trunk.username), ("password", trunk.password),
                            ("from user", trunk.from_user), ("from domain", trunk.from_domain)):
            if value and documents.UNSAFE.search(value):
                raise BackendError(f"{org.code}: {trunk.direction} upstream {what}: FreeSWITCH would read one of "
                                   "$ { } [ ] , ^ ' \" \\ < > | ; or a space in it as syntax")


# What the PBX keeps of an org that no Apply writes, as a backup names it (Asterisk's names),
# and mod_voicemail's rows of its messages.
STATE_TABLES = {"call_history": t.cdr, "phone_states": t.lp_phone_states, "time_overrides": t.lp_time_overrides,
                "phone_blocks": t.lp_phone_blocks}
VOICEMAIL_INDEX = "voicemail_messages"

# FreeSWITCH's gateway states as the Asterisk backend names registrations' (registration_state).
GATEWAY_STATES = {"REGED": "Registered", "FAILED": "Rejected", "FAIL_WAIT": "Rejected"}

# FreeSWITCH's channel call states as the Asterisk backend names them (CallInProgress.state).
CALL_STATES = {"ACTIVE": "Up", "HELD": "Up", "RINGING": "Ringing", "EARLY": "Ringing", "RING_WAIT": "Ringing"}


class FreeSwitchBackend(PBXBackend):
    name = "freeswitch"

    def __init__(self, config: dict):
        super().__init__(config)
        self._esl = None
        self._gateways: dict[str, tuple[bool, bool]] = {}  # per org: (had one, changed) since its last commit
        self._next_sweep = 0.0
        self._db = None
        self._restored_messages: dict[str, list[dict] | None] = {}
        self._removed_boxes: dict[str, list[str]] = {}  # per org removed: its boxes, for after_remove
        self._had_queues: set[str] = set()  # orgs whose plan had queues before the Apply in hand

    @property
    def esl(self):
        if self._esl is None:
            from .provision import esl  # not at import: `python -m ...provision` imports this package first
            self._esl = esl(self.config)
        return self._esl

    # --- configuration ---------------------------------------------------------------------

    def write_org(self, connection, org: OrgPBXConfig) -> list[str]:
        validate_for_freeswitch(org)
        self.check_modules(org)
        problem = outbound_problem(org.trunks, self.config)
        if problem:
            raise BackendError(f"{org.code}: {problem}")
        notes = claim_upstream_addresses(connection, org, self.config)[2]
        code = org.code
        contact = documents.contact_user(self.config["FREESWITCH_XML_SECRET"], code)
        replace_rows(connection, t.lp_upstream_lines, "id", t.lp_upstream_lines.c.tenantid == code,
                     line_rows(code, org, contact, self.config))
        # What an admin or a phone forced each time condition to survives the Apply.
        keep_switch_rows(connection, t.lp_time_overrides, code,
                         [f"{code}-{condition.name}" for condition in org.timeconditions], {"state": "auto"})
        # ... and what each phone's user switched (*78, *72, ...), as long as the extension exists.
        keep_switch_rows(connection, t.lp_phone_states, code,
                         [phone_id(code, ext.number) for ext in org.extensions], {"dnd": "no"})
        old = plans.read(connection, code)
        old_trunk = old.trunk("outbound") if old else None
        had = bool(old_trunk and old_trunk.register)
        new_trunk = org.trunk("outbound")
        has = bool(new_trunk and new_trunk.register)
        self._gateways[code] = (had, (had or has) and (old_trunk if had else None) != (new_trunk if has else None))
        if old and old.queues:
            self._had_queues.add(code)
        plans.write(connection, org)
        return notes

    def check_modules(self, org: OrgPBXConfig) -> None:
        """Refuse what this host's FreeSWITCH has no module for (provision loads only those it
        finds): paging groups and conference rooms need mod_conference, queues mod_callcenter."""
        from .provision import module_dir, prefix_of
        for module, uses in (("mod_conference", [what for what, used in (("paging groups", org.paginggroups),
                                                                          ("conference rooms", org.conferences))
                                                 if used]),
                             ("mod_callcenter", ["queues"] if org.queues else [])):
            if uses and not (module_dir(prefix_of(self.config)) / f"{module}.so").exists():
                raise BackendError(f"{org.code}: {' and '.join(uses)} need FreeSWITCH's {module}, which this "
                                   "FreeSWITCH lacks: install it (scripts/build-freeswitch.sh builds it) or "
                                   "remove them")

    def after_commit(self, org: OrgPBXConfig) -> None:
        """The XML server reads the committed plan on the next request; only the upstream address
        list is loaded once, so it is loaded again (reloadacl touches no call). Registrations of
        phones the org no longer has are dropped."""
        self._reload_acl()
        self._forget_phones(org.code, {ext.number for ext in org.extensions})
        had, changed = self._gateways.pop(org.code, (False, False))
        if changed:
            self._replace_gateway(org.code, had, bool(org.trunk("outbound") and org.trunk("outbound").register))
        if org.queues or org.code in self._had_queues:
            self._had_queues.discard(org.code)
            self._sync_queues(org.code, org)

    def _sync_queues(self, code: str, org: OrgPBXConfig | None, tiers: list[tuple[str, str]] | None = None) -> None:
        """Make mod_callcenter's queues, agents and tiers of the org those of its plan (None: it
        has none): the tiers and agents it no longer has are deleted (a member taken out is
        logged out), and each of its queues is loaded again from the XML server, which adds its
        new members and changes the rest (a member's login is kept). Waiting callers stay."""
        wanted = {documents.queue_name(code, q.number): {documents.agent_name(code, q.number, m) for m in q.members}
                  for q in (org.queues if org else ())}
        try:
            present = self._tiers() if tiers is None else tiers
            loaded = set(re.findall(r"^([a-z0-9]+-[0-9]+)\|", self.esl.api("callcenter_config queue list"), re.M))
            prefix = f"{code}-"
            for queue, agent in present:
                if queue.startswith(prefix) and agent not in wanted.get(queue, ()):
                    self.esl.api(f"callcenter_config tier del {queue} {agent}")
                    self.esl.api(f"callcenter_config agent del {agent}")
            for queue in sorted({queue for queue in loaded if queue.startswith(prefix)} - set(wanted)):
                self.esl.api(f"callcenter_config queue unload {queue}")
            for queue in sorted(wanted):
                # Loaded again (its new settings, members and tiers), or for the first time.
                answer = self.esl.api(f"callcenter_config queue {'reload' if queue in loaded else 'load'} {queue}")
                if not answer.startswith("+OK"):
                    log.warning("FreeSWITCH: %s's queue %s not loaded: %s", code, queue, answer.strip()[:200])
        except ESLError as error:
            log.warning("FreeSWITCH: %s's queues not brought up to date (the next upkeep tries again): %s",
                        code, error)

    def _tiers(self) -> list[tuple[str, str]]:
        """Every (queue, agent) mod_callcenter has."""
        listing = self.esl.api("callcenter_config tier list")
        rows = [line.split("|") for line in listing.splitlines()[1:] if "|" in line]
        return [(row[0], row[1]) for row in rows if len(row) >= 2]

    def _replace_gateway(self, code: str, had: bool, has: bool) -> None:
        """Stop the org's registration if it had one, and start the new one (sofia's rescan adds
        the gateways it does not run yet; the profile and every other gateway go on)."""
        name = documents.gateway_name(code)
        try:
            if had:
                self.esl.api(f"sofia profile {documents.PROFILE} killgw {name}")
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and "Invalid Gateway" not in self.esl.api(
                        f"sofia status gateway {name}"):
                    time.sleep(0.2)
            if has:
                self.esl.api(f"sofia profile {documents.PROFILE} rescan")
        except ESLError as error:
            log.warning("FreeSWITCH: %s's registration not refreshed: %s", code, error)

    def _forget_phones(self, code: str, keep: set[str]) -> None:
        try:
            for number in (self._registered(code) or set()) - keep:
                self.esl.api(f"sofia profile {documents.PROFILE} flush_inbound_reg {code}-{number}@{documents.DOMAIN}")
        except ESLError as error:
            log.warning("FreeSWITCH: could not drop %s's old registrations: %s", code, error)

    def _reload_acl(self) -> None:
        try:
            self.esl.api("reloadacl")
        except ESLError as error:
            log.warning("FreeSWITCH: reloadacl failed: %s", error)

    def remove_org(self, connection, code: str) -> None:
        claim_addresses(connection, code, [])
        connection.execute(t.lp_upstream_lines.delete().where(t.lp_upstream_lines.c.tenantid == code))
        connection.execute(t.cdr.delete().where(t.cdr.c.tenantid == code))
        for table in (t.lp_time_overrides, t.lp_phone_states, t.lp_phone_blocks):
            connection.execute(table.delete().where(table.c.tenantid == code))
        plan = plans.read(connection, code)
        self._removed_boxes[code] = [ext.number for ext in plan.extensions] if plan else []
        plans.delete(connection, code)

    def after_remove(self, code: str) -> None:
        self._replace_gateway(code, True, False)
        if self._queues_loaded():
            self._sync_queues(code, None)
        self._reload_acl()
        self._forget_phones(code, set())
        # FreeSWITCH itself deletes each box's messages and their index rows (its database is
        # its account's, which the worker may not write); then what is left, as far as we may.
        boxes = self.org_files(code)["voicemail"]
        found = {box.name for box in boxes.iterdir() if box.is_dir()} if boxes.is_dir() else set()
        for box in sorted(found | set(self._removed_boxes.pop(code, []))):
            if box.isdigit():
                try:
                    self.esl.api(f"vm_delete {box}@{code}")
                except ESLError as error:
                    log.warning("FreeSWITCH: %s's box %s not emptied: %s", code, box, error)
        for path in self.org_files(code).values():
            shutil.rmtree(path, ignore_errors=True)
        try:
            voicemail.forget(self._voicemail_db(), code)
        except (BackendError, sqlite3.Error) as error:
            log.warning("FreeSWITCH: %s's voicemail index not cleared here: %s", code, error)

    def retry_after_commit(self) -> None:
        """Nothing is owed: after_commit keeps nothing to retry in this process (housekeeping
        mends the registrations FreeSWITCH runs; the XML server reads the database)."""

    def housekeeping(self, force: bool = False) -> None:
        """Every five minutes (or when forced): the registrations FreeSWITCH runs are made those
        the applied plans ask for, should an Apply's after_commit have been lost (the worker
        killed right after its commit, FreeSWITCH not answering)."""
        if not force and time.monotonic() < self._next_sweep:
            return
        self._next_sweep = time.monotonic() + 300
        try:
            listing = self.esl.api("sofia status")
            running = set(re.findall(rf"^\s*{documents.PROFILE}::(\S+)-trunk-out\s+gateway", listing, re.M))
            with self._engine().connect() as connection:
                wanted = {org.code for org in registering_plans(connection)}
        except (ESLError, DBAPIError) as error:
            log.warning("FreeSWITCH: registrations not checked: %s", error)
            return
        for code in running - wanted:
            self._replace_gateway(code, True, False)
        if wanted - running:
            self._replace_gateway(sorted(wanted - running)[0], False, True)  # one rescan starts them all
        self._sweep_queues()

    def _queues_loaded(self) -> bool:
        from .provision import module_dir, prefix_of
        return (module_dir(prefix_of(self.config)) / "mod_callcenter.so").exists()

    def _sweep_queues(self) -> None:
        """mod_callcenter's tiers made those the applied plans ask for, should an Apply's
        after_commit have been lost: orgs whose tiers differ are brought up to date."""
        if not self._queues_loaded():
            return
        try:
            present = self._tiers()
            with self._engine().connect() as connection:
                queueing = {org.code: org for org in queueing_plans(connection)}
        except (ESLError, DBAPIError) as error:
            log.warning("FreeSWITCH: queues not checked: %s", error)
            return
        found: dict[str, set] = {}
        for queue, agent in present:
            found.setdefault(queue.partition("-")[0], set()).add((queue, agent))
        for code in sorted(set(found) | set(queueing)):
            org = queueing.get(code)
            wanted = {(documents.queue_name(code, q.number), documents.agent_name(code, q.number, m))
                      for q in (org.queues if org else ()) for m in q.members}
            if found.get(code, set()) != wanted:
                try:
                    self._sync_queues(code, org, present)
                except Exception:  # one org's queues are never a reason to skip the others'
                    log.exception("FreeSWITCH: %s's queues not brought up to date (tried again next round)", code)

    def _engine(self):
        if self._db is None:
            self._db = create_engine(self.config["DATABASE_URL"], pool_pre_ping=True, pool_recycle=3600)
        return self._db

    # --- live state ------------------------------------------------------------------------

    def _api(self, command: str) -> str:
        try:
            return self.esl.api(command)
        except ESLError as error:
            raise BackendError(f"FreeSWITCH event socket: {error}") from None

    def active_calls(self, code: str) -> int:
        answer = self._api(f"limit_usage hash {documents.CALLS_REALM} {code}").strip()
        if not answer.isdigit():
            raise BackendError(f"FreeSWITCH could not count {code}'s calls: {answer[:100]}")
        return int(answer)

    def did_calls(self, code: str, numbers: list[str]) -> dict[str, int] | None:
        """Calls arriving now on each DID (the dialplan counts them per org and number)."""
        counts = {}
        try:
            for number in numbers:
                answer = self.esl.api(f"limit_usage hash {documents.DID_REALM} {code}-{re.sub(r'[^0-9]', '', number)}")
                counts[number] = int(answer.strip()) if answer.strip().isdigit() else 0
        except ESLError as error:
            log.warning("FreeSWITCH: cannot count %s's DID calls: %s", code, error)
            return None
        return counts

    def _channels(self) -> list[dict]:
        answer = self._api("show channels as json")
        try:
            return json.loads(answer).get("rows") or []
        except ValueError:
            raise BackendError(f"FreeSWITCH: unreadable channel list: {answer[:100]}") from None

    def current_calls(self, code: str) -> list[CallInProgress] | None:
        """The org's calls: the channels its dialplan named it on (the callers' legs), the caller
        as its extension's number when a phone of the org made the call."""
        calls = []
        for row in self._channels():
            uuid = row.get("uuid", "")
            if not re.fullmatch(r"[0-9a-f-]{36}", uuid) or self._variable(uuid, "lp_org") != code:
                continue
            started = datetime.fromtimestamp(int(row["created_epoch"]), UTC).replace(tzinfo=None) \
                if str(row.get("created_epoch") or "").isdigit() else None
            caller = self._variable(uuid, "lp_ext") or row.get("cid_num") or ""
            reached = self._variable(uuid, "lp_reached")  # the phone or number it rings, as Asterisk says
            callee = reached if reached and reached not in ("refused", "hangup") else row.get("dest") or ""
            calls.append(CallInProgress(caller, callee, CALL_STATES.get(row.get("callstate"), "Ring"), started))
        return calls

    def _variable(self, uuid: str, name: str) -> str:
        value = self._api(f"uuid_getvar {uuid} {name}").strip()
        return "" if value in ("_undef_", "") or value.startswith("-ERR") else value

    def registered_extensions(self, connection, code: str) -> set[str] | None:
        try:
            return self._registered(code)
        except ESLError:
            return None

    def _registered(self, code: str) -> set[str]:
        answer = self.esl.api(f"sofia status profile {documents.PROFILE} reg")
        users = re.findall(r"^User:\s+(\S+)@", answer, re.M)
        prefix = f"{code}-"
        return {user[len(prefix):] for user in users if user.startswith(prefix) and user[len(prefix):].isdigit()}

    def registration_state(self, code: str) -> str | None:
        """The org's registration at its upstream, in the Asterisk backend's words."""
        try:
            answer = self.esl.api(f"sofia status gateway {documents.gateway_name(code)}")
        except ESLError:
            return None
        match = re.search(r"^State\s+(\S+)", answer, re.M)
        if match is None:
            return None
        return GATEWAY_STATES.get(match.group(1), "Unregistered")

    def call_history(self, connection, code, since, until, offset, limit, number=None, result=None):
        """The org's records, which the service's CdrRecorder writes from the event socket."""
        return cdr_history(connection, code, since, until, offset, limit, number, result)

    def health(self) -> dict:
        try:
            status = self.esl.api("status")
            profile = self.esl.api("sofia status")
        except ESLError as error:
            return {"ok": False, "error": str(error)}
        from .provision import profile_running
        return {"ok": profile_running(profile), "status": status.splitlines()[0] if status else ""}

    def phone_states(self, code: str) -> dict[str, PhoneState]:
        """The org's extensions as their users switched them (the XML server writes a phone's codes)."""
        with self._engine().connect() as connection:
            return read_phone_states(connection, code)

    def set_phone_state(self, code: str, number: str, state: PhoneState) -> None:
        with self._engine().begin() as connection:
            write_phone_state(connection, code, number, state)

    def phone_blocks(self, code: str) -> list[PhoneBlock]:
        with self._engine().connect() as connection:
            return read_phone_blocks(connection, code)

    def unblock(self, code: str, number: str) -> bool:
        with self._engine().begin() as connection:
            return delete_phone_block(connection, code, number)

    def time_overrides(self, code: str) -> dict[str, str]:
        """The org's forced time conditions (the XML server reads them on each call)."""
        with self._engine().connect() as connection:
            return read_time_overrides(connection, code)

    def set_time_override(self, code: str, name: str, state: str) -> None:
        with self._engine().begin() as connection:
            write_time_override(connection, code, name, state)

    def queue_figures(self, code: str, since: datetime) -> dict[str, QueueFigures]:
        """From mod_callcenter's events as the call recorder logs them (lp_queue_log, in
        app_queue's words): the same figures as the Asterisk backend's."""
        with self._engine().connect() as connection:
            org = plans.read(connection, code)
            longest = {documents.queue_name(code, q.number): q.max_wait_seconds for q in (org.queues if org else ())}
            return queue_figures_from_log(connection, code, longest, since)

    def export_state(self, connection, code: str) -> dict[str, list[dict]]:
        """The org's call history and forced time conditions, and mod_voicemail's index of its
        messages, for a backup."""
        state = export_rows(connection, code, STATE_TABLES)
        state[VOICEMAIL_INDEX] = voicemail.export(self._voicemail_db(), code, self.org_files(code)["voicemail"])
        return state

    def import_state(self, connection, code: str, state: dict[str, list[dict]]) -> None:
        """The rows into their tables; the voicemail index waits for its files (restore_files,
        after the commit)."""
        state = dict(state)
        self._restored_messages[code] = state.pop(VOICEMAIL_INDEX, None)
        import_rows(connection, code, state, STATE_TABLES, "FreeSWITCH")

    def restore_files(self, code: str, name: str, source: Path) -> None:
        """The org's voicemail directory back, given to FreeSWITCH's account, and its messages
        indexed again for mod_voicemail (from the backup's rows, else from the files)."""
        if name != "voicemail":
            super().restore_files(code, name, source)
        target = self.org_files(code)[name]
        try:
            move_in(target, source)
        except PermissionError:
            raise BackendError(f"{code}: the voicemail is back, but FreeSWITCH cannot change it until it is "
                               "given to its account: run the restore as root") from None
        voicemail.restore(self._voicemail_db(), code, target, self._restored_messages.pop(code, None))

    def _voicemail_db(self) -> Path:
        from .provision import directories
        return directories(self.config)["db"] / "voicemail_default.db"

    # --- files -----------------------------------------------------------------------------

    def org_files(self, code: str) -> dict[str, Path]:
        return {"voicemail": Path(self.config["FREESWITCH_STATE_DIR"]) / "storage" / "voicemail" / "default" / code}

    def convert_audio(self, source: str | os.PathLike, target: str | os.PathLike, max_seconds: int = 600) -> None:
        convert_to_wav(source, target, max_seconds)

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None
        if self._esl is not None:
            self._esl.close()
            self._esl = None
