"""The Asterisk backend: one organization's configuration as realtime rows, read live by Asterisk.

Nothing here reloads Asterisk: with no sorcery cache, Asterisk reads the rows on the next
request. Outbound registrations are the one object Asterisk keeps running between requests;
after the commit, the backend asks Asterisk to look up that one org's registration by id
(`pjsip show registration <id>`). A realtime lookup applies the row it finds: a new or
changed registration starts (a changed one unregisters its old binding first), and a lookup
that finds no row drops the running registration, which unregisters. Other orgs'
registrations are not looked at. The credentials' id changes with the credentials and is
part of the registration row, so new credentials are a changed registration too.

The refresh is requested in the Apply's own transaction (lp_registration_refresh) and
cleared once done, so one lost to a crash or to Asterisk not answering is retried by the
worker's housekeeping. Lookups of one org are serialised across processes by a MariaDB
named lock: two concurrent lookups of a changed row would each start a registration.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os.path
import re
import secrets
import shutil
import threading
import time
import zoneinfo
from collections import OrderedDict
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, delete, func, insert, select, text, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.exc import DBAPIError

from littlepbx.pbx_backends.audio import convert_to_wav
from littlepbx.pbx_backends.base import (
    CALL_RECORD_COLUMNS,
    IVR_KEYS,
    NO_ANSWER_FORWARD,
    QUEUE_STRATEGIES,
    RING_STRATEGIES,
    BackendError,
    CallInProgress,
    ConferenceConfig,
    ExtensionConfig,
    IvrConfig,
    OrgPBXConfig,
    PagingGroupConfig,
    PBXBackend,
    PhoneBlock,
    PhoneState,
    QueueConfig,
    QueueFigures,
    RingGroupConfig,
    TimeConditionConfig,
    TrunkConfig,
    result_criterion,
)
from littlepbx.pbx_backends.upstreams import expand, outbound_problem, resolve

from . import console
from . import tables as t
from .ami import AMIClient, AMIError
from .ari import ARIClient, ARIError
from .console import ConsoleError

log = logging.getLogger(__name__)

ORG_CODE = re.compile(r"[a-z0-9]{2,16}")
EXTENSION_NUMBER = re.compile(r"[0-9]{2,6}")
PIN = re.compile(r"[0-9]{4,10}")
DIAL_PATTERN = re.compile(r"[0-9XNZ]{1,20}\.?")
DIAL_PREFIX = re.compile(r"\+?[0-9]{0,15}")
EXTERNAL_NUMBER = re.compile(r"\+?[0-9]{7,15}")
DID_NUMBER = re.compile(r"\+?[0-9]{3,15}")
# What a phone may forward every call to: an internal number or an outside one (the dialplan checks whose).
PHONE_FORWARD = re.compile(r"\+?[0-9]{2,15}")
# The forwards a phone's user switches (PhoneState's fields and lp_phone_states' columns).
FORWARDS = ("forward_to", "forward_busy", "forward_unanswered")
PICKUP_GROUP = re.compile(r"[a-z0-9][a-z0-9-]{0,19}")
PARKING_RANGE = re.compile(r"[1-9][0-9]{1,5}-[1-9][0-9]{1,5}")
# The transport (pjsip.conf) and URI parameter of each transport a phone or an upstream may use.
SIP_TRANSPORTS = {"udp": ("transport-udp", ""), "tcp": ("transport-tcp", ";transport=tcp"),
                       "tls": ("transport-tls", ";transport=tls")}
PHONE_CONTEXT = "lp-phones"

# A context that does not exist: trunk endpoints must never start a call.
NO_CONTEXT = "lp-none"
CODECS = "ulaw,alaw"


# The digest realm phones answer; part of their stored credentials (md5_cred), so it never changes.
SIP_REALM = "littlepbx"


def md5_credentials(username: str, password: str) -> str:
    """What a digest-auth server needs instead of the password: MD5 of "user:realm:password"."""
    return hashlib.md5(f"{username}:{SIP_REALM}:{password}".encode(), usedforsecurity=False).hexdigest()


def phone_id(code: str, number: str) -> str:
    """The PJSIP endpoint, auth and AOR id of an extension (also the SIP username)."""
    return f"{code}-{number}"


TRUNK_SUFFIX = "-trunk-out"
FAILOVER_SUFFIX = "-trunk-failover"
RING_MEMORY = "lprg"  # AstDB family: <tenant>/<group> -> the place of the member who answered last
RETRY_SECONDS = 5      # pending registration refreshes are retried this often
SWEEP_SECONDS = 300    # every registering org is looked up again this often
DIGEST_SECONDS = 3600  # every table of every org is compared again at its next Apply after this


def trunk_id(code: str, direction: str = "outbound") -> str:
    """The PJSIP id of the org's outbound upstream (endpoint, AOR, auth, registration), or of its
    failover upstream ("<code>-trunk-failover": endpoint, AOR, auth)."""
    return f"{code}{TRUNK_SUFFIX if direction == 'outbound' else FAILOVER_SUFFIX}"


def check_code(code: str) -> str:
    """Refuse an org code that could break the ``<code>-`` naming or a LIKE prefix."""
    if not ORG_CODE.fullmatch(code or ""):
        raise BackendError(f"invalid organization code {code!r}")
    return code


def prefix_of(code: str) -> str:
    """The LIKE pattern of every PJSIP id of the org (codes hold no LIKE wildcards)."""
    return f"{check_code(code)}-%"


def clean_display_name(name: str) -> str:
    """A display name that cannot break out of the quoted part of a caller ID."""
    return re.sub(r'["<>\\\r\n]', "", name or "").strip()[:60]


def phone_channel_variables(code: str, parking: str = "701-720") -> tuple[str, ...]:
    """What every channel of a phone of org ``code`` carries (ps_endpoints.set_var, one setting per
    piece, see realtime_value): the in-call keys of features.conf (transfer, park, record), where a
    transfer's number is read (lp-transfer), and the org's own parking lot with its slots
    (``parking``: "701-720") and its context. A lot keeps the slots it was made with as long as
    Asterisk runs, so the slots are part of its name: new slots make a new lot (calls parked in
    the old one still ring back)."""
    check_code(code)
    if not PARKING_RANGE.fullmatch(parking):
        raise BackendError(f"{code}: invalid parking slots {parking!r}")
    return ("CHANNEL(dtmf_features)=TK", "TRANSFER_CONTEXT=lp-transfer", f"PARKINGLOT=lp-{code}-{parking}",
            f"PARKINGDYNCONTEXT=lp-parked-{code}-{parking}", f"PARKINGDYNPOS={parking}", "DYNAMIC_FEATURES=lprecord")


# --- rows of one organization ----------------------------------------------------------------

def pickup_group_of(code: str, ext: ExtensionConfig) -> str:
    """Asterisk's named call and pickup group of a phone (org codes hold no "-": never another's)."""
    if ext.pickup_group and not PICKUP_GROUP.fullmatch(ext.pickup_group):
        raise BackendError(f"{code}: invalid pickup group {ext.pickup_group!r}")
    return f"{code}-{ext.pickup_group}" if ext.pickup_group else code


def phone_rows(code: str, ext: ExtensionConfig, moh_class: str | None, parking: str = "701-720") -> dict[str, dict]:
    """The endpoint, auth and AOR rows of one extension."""
    pjsip_id = phone_id(code, ext.number)
    mailbox = f"{ext.number}@{code}" if ext.voicemail_enabled else None
    transport, _ = SIP_TRANSPORTS[ext.sip_transport]
    endpoint = {
        "id": pjsip_id, "tenantid": code, "transport": transport, "aors": pjsip_id, "auth": pjsip_id,
        "outbound_auth": None, "context": PHONE_CONTEXT, "disallow": "all", "allow": CODECS,
        # SIP MESSAGE would otherwise run the calls dialplan; LittlePBX offers no messaging.
        "message_context": NO_CONTEXT,
        "direct_media": "no", "dtmf_mode": "rfc4733", "force_rport": "yes", "rewrite_contact": "yes",
        "rtp_symmetric": "yes", "callerid": f'"{clean_display_name(ext.display_name)}" <{ext.number}>',
        "mailboxes": mailbox, "moh_suggest": moh_class or "default", "from_user": None,
        "from_domain": None, "send_pai": "no", "trust_id_inbound": "no", "allow_subscribe": "yes",
        "identify_by": "username",
        # No re-INVITE after answer just to update the connected line: phones and sipp need none.
        "send_connected_line": "no",
        # Over TLS the audio is encrypted too (SDES keys travel inside the TLS connection); a call
        # without SRTP is refused rather than sent in the clear.
        "media_encryption": "sdes" if ext.sip_transport == "tls" else "no",
        "media_encryption_optimistic": "no",
        # Pickup (*8) within the organization only: its phones without a pickup group form one
        # group named after it, and each of its pickup groups is "<org>-<group>".
        "named_call_group": pickup_group_of(code, ext), "named_pickup_group": pickup_group_of(code, ext),
        "set_var": phone_channel_variables(code, parking),
    }
    # A digest of the credentials, not the password: Asterisk (and its database account) never
    # holds a phone's password, and a copy of ps_auths lets no one register as the phone elsewhere.
    auth = {"id": pjsip_id, "auth_type": "md5", "username": pjsip_id, "password": None,
            "md5_cred": md5_credentials(pjsip_id, ext.sip_password), "realm": SIP_REALM}
    aor = {"id": pjsip_id, "contact": None, "max_contacts": 1, "remove_existing": "yes",
           "qualify_frequency": 0,
           # No mailboxes on the AOR: Asterisk lets any endpoint SUBSCRIBE to an AOR's mailboxes by
           # naming it. The endpoint's own mailboxes give its phone unsolicited MWI NOTIFYs instead.
           "mailboxes": None}
    return {"endpoint": endpoint, "auth": auth, "aor": aor}


def recording_notice_of(org: OrgPBXConfig) -> str | None:
    """The recording (a converted file) of the announcement outside callers hear before a recorded
    call, or None: none chosen, or its announcement has no recording."""
    name = org.callsettings.recording_notice
    recording = next((a.recording for a in org.announcements if a.name == name and a.recording), None) if name else None
    return recording.removesuffix(".wav") if recording else None  # Playback adds the extension


def extension_plan_row(code: str, ext: ExtensionConfig) -> dict:
    """What the dialplan reads when the extension is called."""
    return {"id": phone_id(code, ext.number), "tenantid": code, "number": ext.number,
            "ring_seconds": max(1, min(int(ext.ring_seconds), 600)), "no_answer": ext.no_answer,
            "forward_to": ext.forward_to if ext.no_answer == NO_ANSWER_FORWARD else None,
            "voicemail": "yes" if ext.voicemail_enabled else "no",
            "when_busy": ext.when_busy, "when_unregistered": ext.when_unregistered,
            "follow_me": "|".join(ext.follow_me) or None, "follow_order": ext.follow_me_order,
            "follow_confirm": "yes" if ext.follow_me_confirm else "no", "caller_id": ext.outbound_caller_id,
            "outside_calls": ext.outside_calls, "record": "yes" if ext.record_calls else "no"}


def ring_group_row(code: str, group: RingGroupConfig, music: set[str] = frozenset()) -> dict:
    """What the dialplan reads when the ring group is called (lp-to-ringgroup)."""
    return {"id": f"{code}-{group.number}", "tenantid": code, "members": "|".join(group.members),
            "strategy": group.strategy, "ring_seconds": max(1, min(int(group.ring_seconds), 600)),
            "cid_prefix": clean_display_name(group.cid_prefix) or None, "no_answer": group.no_answer or "hangup",
            "music": group.music_class if group.music_class in music else None}


def asterisk_hours(rule: str) -> str:
    """"mon-fri 09:00-17:00" as "mon-fri/09:00-16:59": GotoIfTime includes its last minute, an
    office closes when its hours end."""
    days, hours = rule.split(" ")
    start, end = hours.split("-")
    hour, minute = divmod(int(end[:2]) * 60 + int(end[3:]) - 1, 60)
    return f"{days}/{start}-{hour:02d}:{minute:02d}"


def time_condition_row(code: str, condition: TimeConditionConfig) -> dict:
    """What the dialplan reads when a call reaches the time condition (lp-to-timecondition)."""
    return {"id": f"{code}-{condition.name}", "tenantid": code,
            "toggle_id": f"{code}-{condition.toggle_code}" if condition.toggle_code is not None else None,
            "schedule": "|".join(asterisk_hours(rule) for rule in condition.schedule),
            "holidays": "|".join(condition.holidays), "timezone": condition.timezone,
            "open_destination": condition.open_destination or "hangup",
            "closed_destination": condition.closed_destination or "hangup"}


def queue_row(code: str, queue: QueueConfig) -> dict:
    """What app_queue reads of the queue (its realtime "queues" row). No music class here: the
    caller's channel has the org's, or the queue's class (set by lp-to-queue from its checked plan)."""
    return {"name": f"{code}-{queue.number}", "tenantid": code, "strategy": queue.strategy,
            "timeout": queue.ring_seconds, "retry": 2, "wrapuptime": queue.wrapup_seconds,
            "maxlen": queue.max_callers, "musiconhold": "",
            "announce_frequency": queue.announce_seconds, "announce_position": "yes", "announce_holdtime": "no",
            # Callers wait for a member to log in or come free, until the longest wait. A busy
            # phone answers 486 by itself (members' device state is not known: QUEUE_MEMBER_STATE).
            "joinempty": "yes", "leavewhenempty": "no", "ringinuse": "yes"}


def queue_plan_row(code: str, queue: QueueConfig, music: set[str] = frozenset()) -> dict:
    """What the dialplan reads around Queue() and a member's login (lp-to-queue, lp-queue-login);
    ``music``: the org's classes that have files (another falls back to the org's music)."""
    return {"id": f"{code}-{queue.number}", "tenantid": code, "members": "|".join(queue.members),
            "login": "yes" if queue.login_required else "no", "max_wait": queue.max_wait_seconds,
            "timeout_destination": queue.timeout_destination or "hangup",
            "full_destination": queue.full_destination or "hangup",
            "music": queue.music_class if queue.music_class in music else None,
            "record": "yes" if queue.record_calls else "no"}


def music_rows(code: str, org: OrgPBXConfig) -> tuple[list[dict], list[dict]]:
    """The org's music classes that have files, as musiconhold rows ("<code>-<class>", a playlist)
    and their musiconhold_entry rows (paths without ".wav", in order)."""
    classes, entries = [], []
    for music in org.musicclasses:
        if music.files:
            name = f"{code}-{music.name}"
            classes.append({"name": name, "mode": "playlist", "sort": "random" if music.shuffle else None})
            entries += [{"name": name, "position": position, "entry": path.removesuffix(".wav")}
                        for position, path in enumerate(music.files)]
    return classes, entries


def org_music_class(code: str, org: OrgPBXConfig, classes: list[dict]) -> str | None:
    """The Asterisk class the org's callers hear on hold (and in queues and ring groups without
    one): its chosen music class when that has files, else its uploaded music, else Asterisk's."""
    if not org.moh.enabled:
        return None
    chosen = f"{code}-{org.moh.music_class}"
    if org.moh.music_class and any(row["name"] == chosen for row in classes):
        return chosen
    return code if org.moh.path else None


# A member's device state as app_queue sees it: a custom state nobody sets, so "unknown", which
# app_queue counts as available. PJSIP reports endpoints added through realtime after Asterisk
# started as "Unavailable" (its qualify bookkeeping only knows those it loaded at start), and
# app_queue offers no call while every member is unavailable.
QUEUE_MEMBER_STATE = "Custom:lp-queue-member"


def queue_member_row(code: str, queue_number: str, extension: str) -> dict:
    """One member's row as app_queue reads it (and as lp-queue-login writes it)."""
    name, endpoint = f"{code}-{queue_number}", f"{code}-{extension}"
    return {"id": f"{name}/{endpoint}", "queue_name": name, "interface": f"PJSIP/{endpoint}", "tenantid": code,
            "membername": extension, "state_interface": QUEUE_MEMBER_STATE, "penalty": 0, "paused": 0}


def keep_queue_members(connection, code: str, queues: tuple[QueueConfig, ...]) -> None:
    """Members of queues without login are all there; of queues with login, those logged in stay
    (a phone wrote their row) as long as they are still members; every other row of the org goes."""
    table = t.lp_queue_members
    always = {row["id"]: row for queue in queues if not queue.login_required
              for row in (queue_member_row(code, queue.number, member) for member in queue.members)}
    may_stay = {queue_member_row(code, queue.number, member)["id"] for queue in queues if queue.login_required
                for member in queue.members}
    stale = delete(table).where(table.c.tenantid == code)
    if always or may_stay:
        stale = stale.where(table.c.id.not_in([*always, *may_stay]))
    connection.execute(stale)
    if always:
        connection.execute(mysql_insert(table).prefix_with("IGNORE").values(list(always.values())))


def paging_row(code: str, group: PagingGroupConfig) -> dict:
    """What the dialplan reads when a call reaches the paging group (lp-to-paging)."""
    return {"id": f"{code}-{group.number}", "tenantid": code, "members": "|".join(group.members),
            "seconds": group.seconds}


def pattern_regex(pattern: str) -> str:
    """A dial rule's pattern (digits, X, N, Z, a final ".") as an anchored regular expression."""
    classes = {"X": "[0-9]", "N": "[2-9]", "Z": "[1-9]", ".": "[0-9]+"}
    return "^" + "".join(classes.get(character, character) for character in pattern) + "$"


def dial_rule_rows(code: str, rules) -> list[dict]:
    """The org's dial rules in the order the dialplan tries them: plain numbers first, then the
    longer patterns, open-ended ones ("00X.") last."""
    ordered = sorted(rules, key=lambda r: (r.pattern.endswith("."), -sum(c.isdigit() for c in r.pattern),
                                           -len(r.pattern), r.pattern))
    return [{"id": f"{code}-{position}", "tenantid": code, "regex": pattern_regex(rule.pattern), "strip": rule.strip,
             "prepend": rule.prepend or None, "international": "yes" if rule.international else "no"}
            for position, rule in enumerate(ordered, start=1)]


def conference_row(code: str, room: ConferenceConfig) -> dict:
    """What the dialplan reads when a call reaches the room (lp-to-conference)."""
    return {"id": f"{code}-{room.number}", "tenantid": code, "pin": room.pin or None,
            "moderator_pin": room.moderator_pin or None, "wait_marked": "yes" if room.wait_for_moderator else "no",
            "max_members": room.max_members, "music": room.music_class}


def ivr_row(code: str, org: OrgPBXConfig, ivr: IvrConfig) -> dict:
    """What the dialplan reads when a call reaches the menu (lp-to-ivr)."""
    options = dict(ivr.options)
    prefixes = sorted({number[0] for number in dialable_numbers(org)}) if ivr.direct_dial else []
    return {"id": f"{code}-{ivr.name}", "tenantid": code,
            "greeting": ivr.greeting.removesuffix(".wav") if ivr.greeting else None,
            **{f"opt_{IVR_COLUMNS[key]}": options.get(key) for key in IVR_KEYS},
            "dial_prefixes": "".join(prefixes), "timeout": ivr.timeout_seconds, "repeats": ivr.repeats,
            "timeout_destination": ivr.timeout_destination or "hangup",
            "invalid_destination": ivr.invalid_destination or "hangup"}


def blocked_caller_row(code: str, blocked) -> dict:
    """The dialplan's row of a blocked caller: "<tenant>-e<digits>" (this number) or "-p<digits>"
    (every number beginning so), digits without the "+" (callers' numbers differ on it)."""
    kind = "p" if blocked.match == "prefix" else "e"
    return {"id": f"{code}-{kind}{blocked.number.lstrip('+')}", "tenantid": code,
            "destination": blocked.then_destination}


def keep_switch_rows(connection, table, code: str, ids: list[str], fresh: dict) -> None:
    """One row per id of the org in a table of switches Asterisk updates (what an admin or a
    phone switched): new rows get ``fresh``, existing ones keep their values, others go."""
    stale = delete(table).where(table.c.tenantid == code)
    if ids:
        stale = stale.where(table.c.id.not_in(ids))
    connection.execute(stale)
    if ids:
        statement = mysql_insert(table).values([{"id": row_id, "tenantid": code, **fresh} for row_id in ids])
        connection.execute(statement.on_duplicate_key_update({"tenantid": table.c.tenantid}))


def read_phone_states(connection, code: str) -> dict[str, PhoneState]:
    """{extension: PhoneState} of the org, as its phones' users switched them (lp_phone_states)."""
    table = t.lp_phone_states
    rows = connection.execute(select(table.c.id, table.c.dnd, *(table.c[name] for name in FORWARDS)).where(
        table.c.tenantid == check_code(code)))
    return {row_id[len(code) + 1:]: PhoneState(dnd == "yes", *(value or None for value in forwards))
            for row_id, dnd, *forwards in rows}


def write_phone_state(connection, code: str, number: str, state: PhoneState) -> None:
    """Switch an applied extension's do-not-disturb and forwards (a forward must be a number)."""
    forwards = {name: getattr(state, name) for name in FORWARDS}
    for target in forwards.values():
        if target is not None and not PHONE_FORWARD.fullmatch(target):
            raise BackendError(f"{target!r} is not a number to forward to")
    table = t.lp_phone_states
    changed = connection.execute(update(table).where(
        table.c.id == phone_id(check_code(code), number), table.c.tenantid == code).values(
        dnd="yes" if state.dnd else "no", **forwards))
    if changed.rowcount == 0:
        raise BackendError(f"{code}: extension {number} is not live yet; apply it first")


def read_phone_blocks(connection, code: str) -> list[PhoneBlock]:
    """The callers the org's phones blocked (lp_phone_blocks), newest first."""
    table = t.lp_phone_blocks
    rows = connection.execute(select(table.c.number, table.c.extension, table.c.created).where(
        table.c.tenantid == check_code(code)).order_by(table.c.created.desc(), table.c.id))
    return [PhoneBlock(*row) for row in rows]


def delete_phone_block(connection, code: str, number: str) -> bool:
    """Delete the phones' block of ``number``; whether there was one."""
    table = t.lp_phone_blocks
    digits = "".join(filter(str.isdigit, number))
    return connection.execute(delete(table).where(
        table.c.id == f"{check_code(code)}-{digits}", table.c.tenantid == code)).rowcount > 0


def keep_time_overrides(tables, code: str, names: list[str]) -> None:
    """One forced-state row per time condition of the org: new ones follow their hours ("auto"),
    existing ones keep whatever an admin or a phone set, rows of deleted ones go."""
    tables.keep(t.lp_time_overrides, [f"{code}-{name}" for name in names], {"state": "auto"})


def read_time_overrides(connection, code: str) -> dict[str, str]:
    """The org's time conditions forced "open" or "closed", by name."""
    table = t.lp_time_overrides
    rows = connection.execute(select(table.c.id, table.c.state).where(
        table.c.tenantid == check_code(code), table.c.state.in_(("open", "closed"))))
    return {row_id[len(code) + 1:]: state for row_id, state in rows}


def write_time_override(connection, code: str, name: str, state: str) -> None:
    """Force the org's time condition ``name`` "open" or "closed", or return it to its hours
    ("auto"); it must be live (have its row)."""
    if state not in ("open", "closed", "auto"):
        raise BackendError(f"{state!r} is not open, closed or auto")
    table = t.lp_time_overrides
    changed = connection.execute(update(table).where(table.c.id == f"{check_code(code)}-{name}",
                                                     table.c.tenantid == code).values(state=state))
    if changed.rowcount == 0:  # matched rows (SQLAlchemy connects with FOUND_ROWS)
        raise BackendError(f"{code}: time condition {name} is not live yet; apply it first")


def keep_phone_states(tables, code: str, numbers: list[str]) -> None:
    """One state row per extension of the org: new ones ring normally, existing ones keep what
    their user switched, rows of deleted extensions go."""
    tables.keep(t.lp_phone_states, [phone_id(code, number) for number in numbers], {"dnd": "no"})


def music_of(table, code: str):
    """The rows of the org's music: its music on hold ("<code>") and its classes ("<code>-<class>")."""
    return (table.c.name == code) | table.c.name.like(f"{code}-%")


def number_rows(code: str, org: OrgPBXConfig) -> list[dict]:
    """The org's dialable numbers that are not extensions, each with its destination (lp-internal)."""
    return [{"id": f"{code}-{number}", "tenantid": code, "destination": destination}
            for number, destination in dialable_numbers(org).items() if destination != number]


def voicemail_row(code: str, ext: ExtensionConfig) -> dict:
    """The app_voicemail box of an extension, in the org's voicemail context."""
    return {"context": code, "mailbox": ext.number, "password": ext.voicemail_pin or "",
            "fullname": clean_display_name(ext.display_name), "email": ext.voicemail_email or None,
            "attach": "yes"}


def outbound_trunk_rows(code: str, org: OrgPBXConfig, auth_id: str | None = None,
                        contact_user: str | None = None, direction: str = "outbound") -> dict[str, dict | None]:
    """Endpoint, AOR, auth and registration rows of the org's outbound upstream (or, with
    ``direction`` "failover", of the one its calls out try when that one cannot take them,
    which never registers).

    ``auth_id`` names the credentials (see trunk_auth_id); it is part of the registration row,
    so new credentials make a new registration in Asterisk, which registers with them at once.
    ``contact_user`` is the registration's (see contact_user_of)."""
    trunk = org.trunk(direction)
    if trunk is None:
        return {"endpoint": None, "aor": None, "auth": None, "registration": None}
    if trunk.transport.lower() not in SIP_TRANSPORTS:
        raise BackendError(f"{code}: upstream transport {trunk.transport!r} is not supported "
                           f"({', '.join(SIP_TRANSPORTS)})")
    transport, parameter = SIP_TRANSPORTS[trunk.transport.lower()]
    pjsip_id = trunk_id(code, direction)
    has_auth = bool(trunk.username and trunk.password)
    auth_id = auth_id or f"{pjsip_id}-0"
    endpoint = {
        "id": pjsip_id, "tenantid": code, "transport": transport, "aors": pjsip_id, "auth": None,
        "outbound_auth": auth_id if has_auth else None, "context": NO_CONTEXT,
        "message_context": NO_CONTEXT, "disallow": "all",
        "allow": CODECS, "direct_media": "no", "dtmf_mode": "rfc4733", "force_rport": "yes",
        "rewrite_contact": "no", "rtp_symmetric": "yes", "callerid": None, "mailboxes": None,
        "moh_suggest": "default", "from_user": trunk.from_user or None,
        "from_domain": trunk.from_domain or None, "send_pai": "yes", "trust_id_inbound": "no",
        "allow_subscribe": "no",
        # Never identified by a request's From user: only calls we place use this endpoint.
        "identify_by": "ip",
        "send_connected_line": "no",
        # Carriers' audio is plain RTP, whatever their signalling transport.
        "media_encryption": "no", "media_encryption_optimistic": "no",
        # No in-call keys, no pickup: those are phones' (an outside party presses nothing).
        "named_call_group": None, "named_pickup_group": None, "set_var": None,
    }
    server = f"sip:{trunk.host}:{trunk.port}{parameter}"
    aor = {"id": pjsip_id, "contact": server, "max_contacts": 0, "remove_existing": "no",
           "qualify_frequency": 0, "mailboxes": None}
    # The carrier's realm is its own, so the password itself must be kept to answer its challenge.
    auth = ({"id": auth_id, "auth_type": "userpass", "username": trunk.username,
             "password": trunk.password, "md5_cred": None, "realm": None} if has_auth else None)
    registration = None
    if trunk.register and direction == "outbound":
        registration = {
            "id": pjsip_id, "server_uri": server,
            "client_uri": f"sip:{trunk.username or trunk.from_user or code}@{trunk.host}:{trunk.port}",
            "contact_user": contact_user or new_contact_user(), "transport": transport,
            # No endpoint/line: calls on the registration are identified by the contact user
            # and the source address (lp-upstream-line), others by address (lp-upstream).
            "outbound_auth": auth_id if has_auth else None, "endpoint": None, "line": "no",
            "expiration": 3600, "retry_interval": 30, "forbidden_retry_interval": 300,
            "fatal_retry_interval": 300, "max_retries": 100000, "auth_rejection_permanent": "no"}
    return {"endpoint": endpoint, "aor": aor, "auth": auth, "registration": registration}


def upstream_addresses(org: OrgPBXConfig, settings: dict) -> list[str]:
    """The source addresses whose INVITEs are the org's inbound calls: IP literals, every address
    of a source network (at most a /24 each) and the addresses host names resolve to now, which
    the dialplan looks up one by one."""
    trunk = org.trunk("inbound")
    if trunk is None:
        return []
    try:
        return sorted(expand(trunk.source_addresses or (trunk.host,), settings))
    except BackendError as error:
        raise BackendError(f"{org.code}: inbound upstream: {error}") from None


# Call record fields (CALL_RECORD_COLUMNS) that are LittlePBX's own CDR variables in Asterisk.
CDR_COLUMNS = {"dialed": "lp_dialed", "reached": "lp_reached"}


# The contact user of an org's registration: "lp" and 20 hex digits, random, kept while the org
# registers. A carrier sends the registration's calls to it (the DID in the To header).
CONTACT_HEX_DIGITS = 20
CONTACT_USER = re.compile(f"lp[0-9a-f]{{{CONTACT_HEX_DIGITS}}}")


def contact_user_of(registration: dict | None) -> str:
    """The contact user of the org's registration (its row now): the current one, or a new random one."""
    current = (registration or {}).get("contact_user") or ""
    return current if CONTACT_USER.fullmatch(current) else new_contact_user()


def new_contact_user() -> str:
    """A random contact user (CONTACT_USER)."""
    return f"lp{secrets.token_hex(CONTACT_HEX_DIGITS // 2)}"


def line_rows(code: str, org: OrgPBXConfig, contact_user: str, settings: dict) -> list[dict]:
    """Where calls to the registration's contact may come from: the outbound upstream's host and
    its source addresses. Another org may share them (one carrier): the contact user tells whose."""
    trunk = org.trunk("outbound")
    if trunk is None or not trunk.register:
        return []
    try:
        addresses = resolve(trunk.host, settings) | expand(trunk.source_addresses, settings)
    except BackendError as error:
        raise BackendError(f"{code}: outbound upstream: {error}") from None
    return [{"id": f"{contact_user}@{address}", "tenantid": code} for address in sorted(addresses)]


def line_address(row: dict) -> str:
    """The source address of a row of lp_upstream_lines ("<contact user>@<address>")."""
    return row["id"].rpartition("@")[2]


def line_addresses(connection, code: str) -> list[str]:
    """The source addresses of the org's rows of lp_upstream_lines now, sorted."""
    table = t.lp_upstream_lines
    return sorted(line_address({"id": row_id}) for row_id in
                  connection.execute(select(table.c.id).where(table.c.tenantid == code)).scalars())


def did_key(number: str) -> str:
    """A DID as the dialplan looks it up: digits only (upstreams differ on the leading +)."""
    return re.sub(r"[^0-9]", "", number)


def destination_problem(org: OrgPBXConfig, destination: str | None) -> str | None:
    """Why the dialplan could not send a call to ``destination`` in ``org``, or None.

    A destination is written as littlepbx.fields.Destination writes it; what it names must be
    the organization's own (the dialplan checks again: a row may be altered behind LittlePBX)."""
    if destination is None or destination == "hangup":
        return None
    kind, _, key = destination.partition(":")
    if not key:
        if EXTENSION_NUMBER.fullmatch(destination):
            return None if destination in dialable_numbers(org) else f"{destination!r} is not a number of the organization"
        return None if EXTERNAL_NUMBER.fullmatch(destination) else f"{destination!r} is not a destination"
    owners = {"voicemail": {ext.number for ext in org.extensions if ext.voicemail_enabled},
              "ringgroup": {group.number for group in org.ringgroups},
              "timecondition": {condition.name for condition in org.timeconditions},
              "ivr": {ivr.name for ivr in org.ivrs},
              "paging": {group.number for group in org.paginggroups},
              "queue": {queue.number for queue in org.queues},
              "announcement": {announcement.name for announcement in org.announcements},
              "conference": {room.number for room in org.conferences}}
    if kind not in owners:
        return f"{destination!r} is not a kind of destination this PBX knows"
    return None if key in owners[kind] else f"{destination!r} is not one of the organization's"


def dialable_numbers(org: OrgPBXConfig) -> dict[str, str]:
    """Every number the organization's phones dial, with the destination it is: "101" for an
    extension, "ringgroup:600" for a ring group, "paging:700" for a paging group."""
    numbers = {group.number: f"ringgroup:{group.number}" for group in org.ringgroups}
    numbers.update((group.number, f"paging:{group.number}") for group in org.paginggroups)
    numbers.update((queue.number, f"queue:{queue.number}") for queue in org.queues)
    numbers.update((room.number, f"conference:{room.number}") for room in org.conferences)
    numbers.update((ext.number, ext.number) for ext in org.extensions)
    return numbers


def member_problem(org: OrgPBXConfig, member: str) -> str | None:
    """Why a ring group could not ring ``member`` (an extension of the org or an outside number), or None."""
    if EXTENSION_NUMBER.fullmatch(member):
        numbers = {ext.number for ext in org.extensions}
        return None if member in numbers else f"{member!r} is not an extension of the organization"
    return None if EXTERNAL_NUMBER.fullmatch(member) else f"{member!r} is not a phone number"


# How a caller leaves a queue (app_queue's queue_log events), as the stats count it.
QUEUE_ENDINGS = {"CONNECT": "answered", "ABANDON": "abandoned", "EXITWITHTIMEOUT": "timed_out",
                 "EXITEMPTY": "timed_out", "EXITWITHKEY": "abandoned"}
TIME_CONDITION_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,19}")


def queue_figures_from_log(connection, code: str, longest: dict[str, int], since: datetime) -> dict[str, QueueFigures]:
    """The org's queues' figures from the queue log (lp_queue_log, UTC, in app_queue's events),
    ``longest``: each queue's longest wait by its name ("t1-500"): callers still waiting
    (entered within the queue's longest wait and not yet answered or gone), and since ``since``
    answered, abandoned and timed-out calls with the average wait of the answered ones."""
    log_table = t.lp_queue_log
    prefix = f"{check_code(code)}-"
    now = datetime.now(UTC).replace(tzinfo=None)
    since = since.replace(tzinfo=None)
    figures = {}
    for queue_name, seconds in longest.items():
        rows = connection.execute(select(log_table.c.callid, log_table.c.event, log_table.c.time, log_table.c.data1)
                                  .where(log_table.c.queuename == queue_name,
                                         log_table.c.time >= min(since, now - timedelta(seconds=seconds + 60))))
        entered, ended, counts, waited = {}, set(), {}, []
        for callid, event, moment, data1 in rows:
            if event == "ENTERQUEUE":
                entered[callid] = moment
            elif event in QUEUE_ENDINGS:
                ended.add(callid)
                if moment >= since:
                    counts[QUEUE_ENDINGS[event]] = counts.get(QUEUE_ENDINGS[event], 0) + 1
                    if event == "CONNECT" and (data1 or "").isdigit():
                        waited.append(int(data1))
        waiting = sum(1 for callid, moment in entered.items()
                      if callid not in ended and moment >= now - timedelta(seconds=seconds + 60))
        figures[queue_name[len(prefix):]] = QueueFigures(
            waiting, counts.get("answered", 0), counts.get("abandoned", 0), counts.get("timed_out", 0),
            round(sum(waited) / len(waited), 1) if waited else None)
    return figures
IVR_COLUMNS = {key: {"*": "star", "#": "hash"}.get(key, key) for key in IVR_KEYS}


def prompt_problem(where: str, name: str, prompt: str | None) -> None:
    """Refuse a name the dialplan would not look up, or a prompt it could not play as one file."""
    if not TIME_CONDITION_NAME.fullmatch(name):
        raise BackendError(f"{where}: the name must be lowercase letters, digits and '-'")
    if prompt is not None and (not prompt.endswith(".wav") or "," in prompt or "&" in prompt
                               or not os.path.isabs(prompt)):
        raise BackendError(f"{where}: {prompt!r} is not a converted file")


def validate_ivrs(org: OrgPBXConfig) -> None:
    """Refuse menus and announcements the dialplan could not play or follow (lp-to-ivr,
    lp-to-announcement)."""
    for announcement in org.announcements:
        where = f"{org.code}: announcement {announcement.name}"
        prompt_problem(where, announcement.name, announcement.recording)
        problem = destination_problem(org, announcement.then_destination)
        if problem:
            raise BackendError(f"{where}: then: {problem}")
    for ivr in org.ivrs:
        where = f"{org.code}: menu {ivr.name}"
        prompt_problem(where, ivr.name, ivr.greeting)
        if not (1 <= ivr.timeout_seconds <= 30 and 0 <= ivr.repeats <= 5):
            raise BackendError(f"{where}: wait 1 to 30 seconds, play again 0 to 5 times")
        checks = [(f"key {key}", destination) for key, destination in ivr.options]
        checks += [("if no key is pressed", ivr.timeout_destination), ("after wrong keys", ivr.invalid_destination)]
        for what, destination in checks:
            if what.startswith("key ") and what[4:] not in IVR_KEYS:
                raise BackendError(f"{where}: {what} is not a key of a phone")
            problem = destination_problem(org, destination)
            if problem:
                raise BackendError(f"{where}: {what}: {problem}")
OPENING_HOURS = re.compile(r"((?:mon|tue|wed|thu|fri|sat|sun)(?:-(?:mon|tue|wed|thu|fri|sat|sun))?) "
                           r"((?:[01][0-9]|2[0-3]):[0-5][0-9])-((?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)")
HOLIDAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def validate_time_conditions(org: OrgPBXConfig) -> None:
    """Refuse time conditions the dialplan could not evaluate (see lp-time-open)."""
    codes = [condition.toggle_code for condition in org.timeconditions if condition.toggle_code is not None]
    if len(set(codes)) != len(codes):
        raise BackendError(f"{org.code}: two time conditions have the same phone switch code")
    for condition in org.timeconditions:
        where = f"{org.code}: time condition {condition.name}"
        if not TIME_CONDITION_NAME.fullmatch(condition.name):
            raise BackendError(f"{where}: the name must be lowercase letters, digits and '-'")
        if condition.timezone not in zoneinfo.available_timezones():
            raise BackendError(f"{where}: unknown time zone {condition.timezone!r}")
        for rule in condition.schedule:
            hours = OPENING_HOURS.fullmatch(rule)
            if not hours or hours[2] >= hours[3]:
                raise BackendError(f"{where}: opening hours {rule!r} are not like 'mon-fri 09:00-17:00'")
        for day in condition.holidays:
            if not HOLIDAY.fullmatch(day):
                raise BackendError(f"{where}: holiday {day!r} is not a date like 2026-12-25")
        for state, destination in (("open", condition.open_destination), ("closed", condition.closed_destination)):
            problem = destination_problem(org, destination)
            if problem:
                raise BackendError(f"{where}: when {state}: {problem}")


def validate_org(org: OrgPBXConfig) -> None:
    """Refuse values that the generic dialplan would refuse anyway, with a clear message."""
    check_code(org.code)
    for ext in org.extensions:
        if not EXTENSION_NUMBER.fullmatch(ext.number):
            raise BackendError(f"{org.code}: extension {ext.number!r} must be 2 to 6 digits")
        if ext.no_answer == NO_ANSWER_FORWARD:
            problem = destination_problem(org, ext.forward_to) if ext.forward_to else "no forward target"
            if problem:
                raise BackendError(f"{org.code}-{ext.number}: forward target: {problem}")
        for when, destination in (("busy", ext.when_busy), ("not connected", ext.when_unregistered)):
            problem = destination_problem(org, destination)
            if problem:
                raise BackendError(f"{org.code}-{ext.number}: if {when}: {problem}")
        strangers = [member for member in ext.follow_me if member_problem(org, member)]
        if strangers:
            raise BackendError(f"{org.code}-{ext.number}: follow me: {member_problem(org, strangers[0])}")
        if ext.outbound_caller_id is not None and ext.outbound_caller_id not in {did.number for did in org.dids}:
            raise BackendError(f"{org.code}-{ext.number}: calls out as {ext.outbound_caller_id}, "
                               "which is not a number of the organization")
        if ext.outside_calls not in ("all", "national", "none"):
            raise BackendError(f"{org.code}-{ext.number}: may call: no such choice {ext.outside_calls!r}")
        if ext.follow_me_order not in ("one_by_one", "together"):
            raise BackendError(f"{org.code}-{ext.number}: follow me: no order {ext.follow_me_order!r}")
        if ext.voicemail_enabled and not (ext.voicemail_pin or "").isdigit():
            raise BackendError(f"{org.code}-{ext.number}: voicemail needs a numeric PIN")
    if org.trunk("failover") and not org.trunk("outbound"):
        raise BackendError(f"{org.code}: a failover upstream is tried when the outbound one fails: "
                           "give the organization an outbound upstream first")
    for blocked in org.blocked_callers:
        if not DID_NUMBER.fullmatch(blocked.number) or blocked.match not in ("exact", "prefix"):
            raise BackendError(f"{org.code}: blocked caller {blocked.number!r} is not a number or prefix")
        problem = destination_problem(org, blocked.then_destination) if blocked.then_destination else None
        if problem:
            raise BackendError(f"{org.code}: blocked caller {blocked.number}: {problem}")
    for number in org.emergency_numbers:
        if not number.isdigit() or number in dialable_numbers(org):
            raise BackendError(f"{org.code}: {number} is an emergency number: no internal number may be it")
    numbers = [ext.number for ext in org.extensions] + [group.number for group in org.ringgroups]
    if len(set(numbers)) != len(numbers):
        raise BackendError(f"{org.code}: a number is both an extension and a ring group")
    for group in org.ringgroups:
        if not EXTENSION_NUMBER.fullmatch(group.number):
            raise BackendError(f"{org.code}: ring group {group.number!r} must be 2 to 6 digits")
        if group.strategy not in RING_STRATEGIES:
            raise BackendError(f"{org.code}: ring group {group.number}: unknown strategy {group.strategy!r}")
        for member in group.members:
            problem = member_problem(org, member)
            if problem:
                raise BackendError(f"{org.code}: ring group {group.number}: member {problem}")
        problem = destination_problem(org, group.no_answer)
        if problem:
            raise BackendError(f"{org.code}: ring group {group.number}: if nobody answers: {problem}")
    validate_time_conditions(org)
    validate_ivrs(org)
    extensions = {ext.number for ext in org.extensions}
    for queue in org.queues:
        where = f"{org.code}: queue {queue.number}"
        if not EXTENSION_NUMBER.fullmatch(queue.number) or queue.strategy not in QUEUE_STRATEGIES:
            raise BackendError(f"{where}: not 2 to 6 digits, or an unknown strategy {queue.strategy!r}")
        strangers = [member for member in queue.members if member not in extensions]
        if strangers:
            raise BackendError(f"{where}: {strangers[0]!r} is not an extension")
        for what, destination in (("after the longest wait", queue.timeout_destination),
                                  ("when full", queue.full_destination)):
            problem = destination_problem(org, destination)
            if problem:
                raise BackendError(f"{where}: {what}: {problem}")
    classes = {music.name for music in org.musicclasses}
    for music in org.musicclasses:
        if not TIME_CONDITION_NAME.fullmatch(music.name):
            raise BackendError(f"{org.code}: music class {music.name!r}: lowercase letters, digits and '-'")
        for path in music.files:
            if not (os.path.isabs(path) and path.endswith(".wav")) or "," in path or "|" in path:
                raise BackendError(f"{org.code}: music class {music.name}: {path!r} is not a converted file")
    for owner, music in [(f"queue {q.number}", q.music_class) for q in org.queues] + \
            [(f"ring group {g.number}", g.music_class) for g in org.ringgroups] + \
            [(f"conference room {c.number}", c.music_class) for c in org.conferences] + \
            [("music on hold", org.moh.music_class)]:
        if music is not None and music not in classes:
            raise BackendError(f"{org.code}: {owner}: no music class {music!r}")
    for group in org.paginggroups:
        if not EXTENSION_NUMBER.fullmatch(group.number):
            raise BackendError(f"{org.code}: paging group {group.number!r} is not 2 to 6 digits")
        strangers = [member for member in group.members if member not in extensions]
        if strangers:
            raise BackendError(f"{org.code}: paging group {group.number}: {strangers[0]!r} is not an extension")
    for rule in org.dialrules:
        if not DIAL_PATTERN.fullmatch(rule.pattern) or not DIAL_PREFIX.fullmatch(rule.prepend or ""):
            raise BackendError(f"{org.code}: dial rule {rule.pattern!r}: not a pattern this PBX reads")
    for room in org.conferences:
        if not EXTENSION_NUMBER.fullmatch(room.number):
            raise BackendError(f"{org.code}: conference room {room.number!r} is not 2 to 6 digits")
        if any(pin is not None and not PIN.fullmatch(pin) for pin in (room.pin, room.moderator_pin)):
            raise BackendError(f"{org.code}: conference room {room.number}: a PIN is 4 to 10 digits")
    for did in org.dids:
        if not DID_NUMBER.fullmatch(did.number):
            raise BackendError(f"{org.code}: DID {did.number!r} is not a phone number")
        problem = destination_problem(org, did.destination)
        if problem:
            raise BackendError(f"{org.code}: DID {did.number}: {problem}")


# --- writing -------------------------------------------------------------------------------------

def realtime_value(value):
    """A value as Asterisk's ODBC realtime driver must find it to read back exactly ``value``.

    The driver splits every value it reads at ';' (each piece a separate setting) and decodes
    "^XX" hex escapes; Asterisk itself writes ';' and '^' as ^3B and ^5E. Written the same way, a
    display name, a password or any other text an admin or integrator chose reaches Asterisk as
    exactly the text that was checked, and never as escapes or extra settings of its own. A tuple
    is a setting given several times (set_var): its pieces, each escaped, joined with ';'."""
    if isinstance(value, tuple):
        return ";".join(realtime_value(piece) for piece in value)
    if not isinstance(value, str):
        return value
    return value.replace("^", "^5E").replace(";", "^3B")


def realtime_row(row: dict) -> dict:
    """Every value of ``row`` as realtime_value writes it."""
    return {name: realtime_value(value) for name, value in row.items()}


def replace_rows(connection, table, key: str, scope, rows: list[dict], old: dict[str, dict] | None = None) -> set:
    """Make the rows of ``table`` in ``scope`` exactly ``rows`` (every value written the way
    Asterisk's realtime driver reads it back unchanged); returns the keys of the rows that were
    there before and are now changed or gone.

    The rows there (``old``, by key, when the caller knows them) are read first and only what
    differs is written: an Apply usually changes a few rows of a few tables, and deleting and
    upserting all of them cost most of its time."""
    return write_realtime_rows(connection, table, key, scope, [realtime_row(row) for row in rows], old)


def write_realtime_rows(connection, table, key: str, scope, rows: list[dict], old: dict[str, dict] | None) -> set:
    """replace_rows of rows already as realtime_row makes them."""
    new = {row[key]: row for row in rows}
    if old is None:
        names = dict.fromkeys(name for row in rows for name in row) or {key: None}
        old = {row[key]: row for row in connection.execute(select(*(table.c[name] for name in names))
                                                           .where(scope)).mappings()}
    gone = [row_key for row_key in old if row_key not in new]
    for start in range(0, len(gone), 500):
        connection.execute(delete(table).where(scope, table.c[key].in_(gone[start:start + 500])))
    changed = [row for row_key, row in new.items() if row_key not in old or (
        old[row_key] != row  # rows this process wrote are equal as they are; rows read need _text
        and any(_text(old[row_key].get(name)) != _text(value) for name, value in row.items()))]
    for columns in dict.fromkeys(tuple(row) for row in changed):
        connection.execute(upsert_statement(table, key, columns), [row for row in changed if tuple(row) == columns])
    return set(gone) | {row[key] for row in changed if row[key] in old}


class WrittenRows:
    """The rows this process last wrote to each organization's realtime table, with their digest
    (as OrgTables keeps it in lp_row_digests): while the digest there is the same, the table holds
    exactly these rows, and an Apply compares its new rows with them instead of reading the table.
    A rolled back write, or anyone else's, left another digest there. At most ``size`` tables,
    the least recently used dropped first; shared by the worker's threads."""

    def __init__(self, size: int = 50_000):
        self.size = size
        self._rows: OrderedDict[tuple[str, str], tuple[str, dict[str, dict]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, code: str, table: str, digest: str | None) -> dict[str, dict] | None:
        with self._lock:
            kept = self._rows.get((code, table))
            if kept is None or digest is None or kept[0] != digest:
                return None
            self._rows.move_to_end((code, table))
            return kept[1]

    def put(self, code: str, table: str, digest: str, rows: dict[str, dict]) -> None:
        with self._lock:
            self._rows[(code, table)] = (digest, rows)
            self._rows.move_to_end((code, table))
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)


class OrgTables:
    """One organization's realtime tables as one write_org replaces them: a table whose rows come
    out exactly as the last Apply wrote them (its digest in lp_row_digests, in the same
    transaction as the rows) is neither read nor written; one whose rows this process wrote last
    (``written``) is compared with those, not read. Only for tables LittlePBX alone writes (and
    for which rows a table of switches has: ``keep``)."""

    def __init__(self, connection, code: str, written: WrittenRows):
        self.connection = connection
        self.code = code
        self.written = written
        digests = t.lp_row_digests
        self.before = dict(connection.execute(select(digests.c.table_name, digests.c.digest)
                                              .where(digests.c.code == code)).all())
        self.after: dict[str, str] = {}

    def replace(self, table, key: str, scope, rows: list[dict]) -> set:
        """replace_rows, unless the rows are those of the last Apply; returns its changed keys."""
        digest = hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()
        self.after[table.name] = digest
        before = self.before.get(table.name)
        if before == digest:
            return set()
        known = self.written.get(self.code, table.name, before)
        rows = [realtime_row(row) for row in rows]
        changed = write_realtime_rows(self.connection, table, key, scope, rows, known)
        self.written.put(self.code, table.name, digest, {row[key]: row for row in rows})
        return changed

    def keep(self, table, ids: list[str], fresh: dict) -> None:
        """keep_switch_rows, unless the org has the same rows (ids) as at the last Apply: Asterisk
        changes their values, never which rows there are."""
        if self.changed(f"{table.name}:ids", sorted(ids)):
            keep_switch_rows(self.connection, table, self.code, ids, fresh)

    def changed(self, name: str, value) -> bool:
        """Whether ``value`` (made JSON) differs from what the last Apply noted as ``name``."""
        self.after[name] = hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()
        return self.before.get(name) != self.after[name]

    def noted(self, name: str) -> bool:
        """Whether the last Apply noted ``name`` (changed or replace); the notes are forgotten hourly."""
        return name in self.before

    def save(self) -> None:
        """Keep the digests of what this Apply wrote (call it last, in the same transaction)."""
        changed = [{"code": self.code, "table_name": name, "digest": digest}
                   for name, digest in self.after.items() if self.before.get(name) != digest]
        if changed:
            statement = mysql_insert(t.lp_row_digests)
            self.connection.execute(statement.on_duplicate_key_update(digest=statement.inserted.digest), changed)


def _text(value) -> str | None:
    """A column's value as text, to tell whether a row changes (True and 1 alike)."""
    if value is None:
        return None
    return str(int(value)) if isinstance(value, bool) else str(value)


@functools.cache
def upsert_statement(table, key: str, columns: tuple[str, ...]):
    """INSERT ... ON DUPLICATE KEY UPDATE of ``columns``, made once per table and columns and run
    with the rows as parameters (PyMySQL sends them as one multi-row INSERT). SQLAlchemy compiled
    the same upsert built with .values(rows) anew at every Apply: ~10 ms per table."""
    quoted = [f"`{name}`" for name in columns]
    updates = ", ".join(f"`{name}` = VALUES(`{name}`)" for name in columns if name != key)
    return text(f"INSERT INTO `{table.name}` ({', '.join(quoted)}) VALUES ({', '.join(':' + n for n in columns)})"
                f" ON DUPLICATE KEY UPDATE {updates}")


# PJSIP objects Asterisk keeps in a sorcery memory cache (sorcery.conf): an Apply that changes or
# deletes one tells Asterisk to forget it once the rows are committed (new ones are read on first use).
CACHES = {"ps_endpoints": "lp_endpoints", "ps_auths": "lp_auths", "ps_aors": "lp_aors"}
# Every upstream source address as an "identify" object (the view lp_upstream_identifies), cached
# whole: read again (EVERY_OBJECT) after an Apply that changed an org's addresses.
IDENTIFIES_CACHE = "lp_identifies"
EVERY_OBJECT = ""


# What Asterisk writes of an organization, which no Apply rebuilds: what a backup keeps of it.
STATE_TABLES = {"call_history": t.cdr, "phone_states": t.lp_phone_states, "time_overrides": t.lp_time_overrides,
                "queue_agents": t.lp_queue_members, "phone_blocks": t.lp_phone_blocks}


def _is_serial(column) -> bool:
    """A number the database hands out (a restored row gets a new one)."""
    return column.autoincrement is True


def move_in(target: Path, source: Path) -> bool:
    """Make the directory ``source`` the directory ``target`` (what was there is deleted), owned
    by whoever owns target's parent (the PBX's account); False when that parent was new (nobody
    to give it to). PermissionError when the files cannot be given away (not root)."""
    owner = target.parent.stat() if target.parent.is_dir() else None
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".{target.name}.replaced")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    shutil.move(str(source), str(target))
    shutil.rmtree(old, ignore_errors=True)
    if owner is None:
        return False
    for path in (target, *target.rglob("*")):
        os.chown(path, owner.st_uid, owner.st_gid)
    return True


def export_rows(connection, code: str, tables: dict) -> dict[str, list[dict]]:
    """The org's rows of each of ``tables`` (by name), serial numbers left out: a backup's state."""
    state = {}
    for name, table in tables.items():
        columns = [c for c in table.columns if not _is_serial(c)]
        rows = connection.execute(select(*columns).where(table.c.tenantid == check_code(code)))
        state[name] = [dict(row._mapping) for row in rows]
    return state


def import_rows(connection, code: str, state: dict[str, list[dict]], tables: dict, pbx: str) -> None:
    """Replace the org's rows of each table ``state`` names (export_rows' form) with its rows; a
    name ``tables`` lacks (with rows: another PBX's empty ones are nothing), or a row of another
    org, is refused before anything is written."""
    state = {name: rows for name, rows in state.items() if name in tables or rows}
    unknown = set(state) - set(tables)
    if unknown:
        raise BackendError(f"{code}: cannot restore {', '.join(sorted(unknown))} into {pbx}")
    for name, rows in state.items():
        # Each row the org's, and named as the org's: an id of another org's ("t2-101") would
        # take that org's row (a phone's switches, a block) when it next writes it.
        if any(row.get("tenantid") != code or not str(row.get("id", f"{code}-")).startswith(f"{code}-")
               for row in rows):
            raise BackendError(f"{code}: the {name.replace('_', ' ')} to restore belong to another organization")
    for name, rows in state.items():
        table = tables[name]
        connection.execute(delete(table).where(table.c.tenantid == code))
        if rows:
            connection.execute(insert(table), rows)


def claim_upstream_addresses(connection, org: OrgPBXConfig, settings: dict) -> tuple[list[str], list[str], list[str]]:
    """Claim the addresses of the org's inbound upstream: (the addresses it held, those it holds
    now, notes for the Apply's message).

    A conflict on an address never holds up the rest of the Apply: an address another org
    holds stays that org's, and a host name that does not resolve leaves the org the addresses
    it had; each is said in a note. Claimed again only when the org does not hold exactly these
    addresses now (a row never changes owner; one read instead of the claim's three statements)."""
    table = t.lp_upstream_sources
    held = sorted(connection.execute(select(table.c.address).where(table.c.tenantid == org.code)).scalars())
    try:
        wanted = upstream_addresses(org, settings)
    except BackendError as error:
        return held, held, [f"{error}; its calls are still known by the addresses it had "
                            f"({', '.join(held) or 'none'})"]
    if held == wanted:
        return held, wanted, []
    taken = claim_addresses(connection, org.code, wanted)
    if not taken:
        return held, wanted, []
    return held, sorted(set(wanted) - set(taken)), [
        f"upstream address(es) {', '.join(sorted(taken))} not claimed: calls from there belong to another organization"]


def claim_addresses(connection, code: str, addresses: list[str]) -> list[str]:
    """Make ``addresses`` the org's upstream sources; return those another org holds.

    The claim is one INSERT that never changes a row's owner, followed by a read: a
    concurrent Apply claiming the same address waits on the first one's row lock until it
    commits or rolls back, so of two orgs claiming one address at once exactly one gets it.
    The addresses returned stay their owner's: the org holds the others.
    """
    table = t.lp_upstream_sources
    stale = delete(table).where(table.c.tenantid == code)
    if addresses:
        stale = stale.where(table.c.address.not_in(addresses))
    connection.execute(stale)
    if not addresses:
        return []
    claim = mysql_insert(table).values([{"address": a, "tenantid": code} for a in sorted(addresses)])
    connection.execute(claim.on_duplicate_key_update(tenantid=table.c.tenantid))
    # A locking read sees the latest committed owner whatever the isolation level.
    return list(connection.execute(select(table.c.address).where(table.c.address.in_(addresses),
                                                                 table.c.tenantid != code)
                                   .with_for_update()).scalars())


def cdr_history(connection, code: str, since, until, offset: int, limit: int, number=None,
                result: str | None = None) -> tuple[list[dict], int]:
    """PBXBackend.call_history from the cdr table (either PBX writes it: the org in tenantid, the
    number dialled and where the call ended in lp_dialed and lp_reached)."""
    table = t.cdr
    criteria = [table.c.tenantid == check_code(code)]
    if since is not None:
        criteria.append(table.c.calldate >= since)
    if until is not None:
        criteria.append(table.c.calldate < until)
    if number:
        pattern = f"%{''.join(ch for ch in number if ch.isdigit())}%"
        criteria.append(table.c.src.like(pattern) | table.c.dst.like(pattern)
                        | table.c.lp_dialed.like(pattern) | table.c.lp_reached.like(pattern))
    if result:
        criteria.append(result_criterion(result, table.c.lp_reached, table.c.lastapp, table.c.disposition))
    total = connection.scalar(select(func.count()).select_from(table).where(*criteria))
    columns = [table.c[CDR_COLUMNS.get(name, name)].label(name) for name in CALL_RECORD_COLUMNS]
    rows = connection.execute(select(*columns).where(*criteria)
                              .order_by(table.c.calldate.desc(), table.c.id.desc())
                              .offset(offset).limit(limit))
    return [dict(row._mapping) for row in rows], total


REGISTRATION_STATES = ("Registered", "Unregistered", "Rejected", "Stopping", "Stopped")


def registration_status_of(cli_output: str, registration: str) -> str | None:
    """The status column of ``registration``'s row in `pjsip show registration` output, or None."""
    for line in cli_output.splitlines():
        words = line.split()
        if words and words[0].startswith(registration + "/"):
            return next((word for word in words[1:] if word in REGISTRATION_STATES), None)
    return None


def trunk_auth_id(connection, code: str, trunk: TrunkConfig | None, direction: str = "outbound") -> str:
    """The id of the org's outbound (or failover) credentials: kept while they stay the same, new
    when they change.

    A random suffix, not a digest: the id is shown in Asterisk and must not help guess a password."""
    table = t.ps_auths
    pjsip_id = trunk_id(code, direction)
    current = connection.execute(select(table.c.id, table.c.username, table.c.password)
                                 .where(table.c.id.like(f"{pjsip_id}-%"))).first()
    if current and trunk and (current.username, current.password) == (realtime_value(trunk.username),
                                                                       realtime_value(trunk.password)):
        return current.id
    return f"{pjsip_id}-{secrets.token_hex(4)}"


def registration_row(connection, code: str) -> dict | None:
    """The org's outbound registration row as it is now, if it has one."""
    table = t.ps_registrations
    row = connection.execute(select(table).where(table.c.id == trunk_id(code))).mappings().first()
    return dict(row) if row else None


def same_registration(old: dict | None, new: dict | None) -> bool:
    """Whether the row Asterisk would read is the same (only the columns LittlePBX writes count)."""
    if old is None or new is None:
        return old is None and new is None
    return all((old.get(key) is None) if value is None else str(old.get(key)) == str(value)
               for key, value in realtime_row(new).items())


def request_refresh(connection, code: str) -> None:
    """Note, in the caller's transaction, that the org's registration must be looked up again."""
    table = t.lp_registration_refresh
    statement = mysql_insert(table).values(code=code, version=1)
    connection.execute(statement.on_duplicate_key_update(version=table.c.version + 1))


def sip_probe(host: str, port: int, timeout: float = 2.0) -> str:
    """Send one OPTIONS over UDP and say whether, and what, Asterisk answered."""
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect((host, port))
        local, local_port = sock.getsockname()
        tag = secrets.token_hex(6)
        sock.send((f"OPTIONS sip:{host}:{port} SIP/2.0\r\nVia: SIP/2.0/UDP {local}:{local_port};rport;"
                   f"branch=z9hG4bK{tag}\r\nFrom: <sip:health@{local}>;tag={tag}\r\nTo: <sip:{host}:{port}>\r\n"
                   f"Call-ID: {tag}@littlepbx\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                   "Content-Length: 0\r\n\r\n").encode())
        try:
            status = sock.recv(4096).decode("utf8", "replace").split("\r\n", 1)[0]
        except OSError as error:
            return f"no answer on {host}:{port}/udp: {error.strerror or error}"
    return f"answers on {host}:{port}/udp ({status})"


def calls_per_tenant(group_listing: str) -> dict[str, int]:
    """{org: calls} from `group show channels` (channel, group, category per line): the calls an
    org started carry its code as their "tenant" group."""
    counts: dict[str, int] = {}
    for line in group_listing.splitlines():
        words = line.split()
        if len(words) == 3 and words[2] == "tenant" and ORG_CODE.fullmatch(words[1]):
            counts[words[1]] = counts.get(words[1], 0) + 1
    return counts


def calls_of_tenant(channels: list[dict], code: str) -> list[CallInProgress]:
    """One entry per call of the tenant: the channel that started it (a phone's or an upstream's)
    with whom it reached. The channels a Dial() created run Asterisk's AppDial: they are the
    called side of a call already listed."""
    calls = []
    for channel in channels:
        dialplan = channel.get("dialplan") or {}
        if channel.get("tenantid") != code or dialplan.get("app_name") == "AppDial":
            continue
        caller = (channel.get("caller") or {}).get("number") or ""
        connected = (channel.get("connected") or {}).get("number") or ""
        callee = connected or str(dialplan.get("app_name") or dialplan.get("exten") or "").lower()
        calls.append(CallInProgress(caller=caller, callee=callee, state=channel.get("state", ""),
                                    started_at=_ari_time(channel.get("creationtime"))))
    return calls


def _ari_time(value: str | None):
    """An ARI timestamp ('2026-11-27T10:00:00.123+0000') as a naive UTC datetime."""
    if not value:
        return None
    try:
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None)


class AsteriskBackend(PBXBackend):
    """Writes an org's realtime rows in the applier's transaction; counts calls through AMI."""

    name = "asterisk"

    def __init__(self, config: dict):
        super().__init__(config)
        self._lock = threading.Lock()
        self._engine = None
        self._next_retry = self._next_sweep = self._next_digest_reset = 0.0
        self._stale: dict[str, set[tuple[str, str]]] = {}  # per org: (cache, id) Asterisk must forget
        self._refreshing: set[str] = set()  # orgs whose registration an Apply asked to refresh
        self._uncommitted: dict[str, set[tuple[str, str]]] = {}  # _stale, until the transaction commits
        self._written = WrittenRows()  # what this process's Applies wrote last (OrgTables)

    def write_org(self, connection, org: OrgPBXConfig) -> list[str]:
        """Replace the org's rows (contacts of extensions that remain are kept: phones stay registered)."""
        validate_org(org)
        code = org.code
        problem = outbound_problem(org.trunks, self.config)
        if problem:
            raise BackendError(f"{code}: {problem}")
        held, addresses, notes = claim_upstream_addresses(connection, org, self.config)
        tables = OrgTables(connection, code, self._written)
        old_registration = registration_row(connection, code)
        classes, entries = music_rows(code, org)
        moh_class = org_music_class(code, org, classes)
        phones = [phone_rows(code, ext, moh_class, org.callsettings.parking_range) for ext in org.extensions]
        contact_user = contact_user_of(old_registration)
        trunk = outbound_trunk_rows(code, org, trunk_auth_id(connection, code, org.trunk("outbound")), contact_user)
        failover = outbound_trunk_rows(code, org, trunk_auth_id(connection, code, org.trunk("failover"), "failover")
                                       if org.trunk("failover") else None, direction="failover")
        lines = line_rows(code, org, contact_user, self.config)
        identity = [addresses, sorted(line_address(row) for row in lines)]
        # Asterisk reads every org's addresses again: only when this org's change. Without the
        # last Apply's note (the worker just started, or its hourly forgetting) the rows tell;
        # else every org's next Apply would have Asterisk read them all (1,000 orgs: 1,000 times).
        if tables.changed("upstream addresses", identity) and (
                tables.noted("upstream addresses") or identity != [held, line_addresses(connection, code)]):
            self._forget_later(code, {(IDENTIFIES_CACHE, EVERY_OBJECT)})
        tables.replace(t.lp_upstream_lines, "id", t.lp_upstream_lines.c.tenantid == code, lines)
        prefix = prefix_of(code)

        def rows(kind: str) -> list[dict]:
            return [p[kind] for p in phones] + [upstream[kind] for upstream in (trunk, failover) if upstream.get(kind)]

        self._replace_cached(tables.replace, code, rows)
        tables.replace(t.ps_registrations, "id", t.ps_registrations.c.id.like(prefix),
                     [trunk["registration"]] if trunk["registration"] else [])
        self._delete_stale_contacts(connection, code, [p["aor"]["id"] for p in phones])
        replace_rows(connection, t.voicemail, "mailbox", t.voicemail.c.context == code,
                     [voicemail_row(code, e) for e in org.extensions if e.voicemail_enabled])
        tables.replace(t.musiconhold, "name", music_of(t.musiconhold, code),
                     ([self._moh_row(code, org)] if org.moh.enabled and org.moh.path else []) + classes)
        if tables.changed(t.musiconhold_entry.name, entries):
            connection.execute(delete(t.musiconhold_entry).where(music_of(t.musiconhold_entry, code)))
            if entries:
                connection.execute(insert(t.musiconhold_entry).values(entries))
        music = {row["name"][len(code) + 1:] for row in classes}
        tables.replace(t.lp_extension_plans, "id", t.lp_extension_plans.c.tenantid == code,
                     [extension_plan_row(code, e) for e in org.extensions])
        tables.replace(t.lp_did_routes, "id", t.lp_did_routes.c.tenantid == code,
                     [{"id": f"{code}-{did_key(d.number)}", "tenantid": code, "number": d.number,
                       "destination": d.destination, "record": "yes" if d.record_calls else "no"}
                      for d in org.dids])
        tables.replace(t.lp_ring_groups, "id", t.lp_ring_groups.c.tenantid == code,
                     [ring_group_row(code, group, music) for group in org.ringgroups])
        tables.replace(t.lp_numbers, "id", t.lp_numbers.c.tenantid == code, number_rows(code, org))
        conditions = [time_condition_row(code, condition) for condition in org.timeconditions]
        if tables.changed(t.lp_time_conditions.name, conditions):
            # Cleared first: a toggle code moving from one condition to another must not collide.
            connection.execute(delete(t.lp_time_conditions).where(t.lp_time_conditions.c.tenantid == code))
            replace_rows(connection, t.lp_time_conditions, "id", t.lp_time_conditions.c.tenantid == code, conditions)
        keep_time_overrides(tables, code, [condition.name for condition in org.timeconditions])
        keep_phone_states(tables, code, [ext.number for ext in org.extensions])
        tables.replace(t.lp_ivrs, "id", t.lp_ivrs.c.tenantid == code,
                     [ivr_row(code, org, ivr) for ivr in org.ivrs])
        tables.replace(t.lp_announcements, "id", t.lp_announcements.c.tenantid == code,
                     [{"id": f"{code}-{a.name}", "tenantid": code,
                       "recording": a.recording.removesuffix(".wav") if a.recording else None,
                       "then_destination": a.then_destination or "hangup"} for a in org.announcements])
        tables.replace(t.lp_blocked_callers, "id", t.lp_blocked_callers.c.tenantid == code,
                     [blocked_caller_row(code, blocked) for blocked in org.blocked_callers])
        tables.replace(t.lp_paging_groups, "id", t.lp_paging_groups.c.tenantid == code,
                     [paging_row(code, group) for group in org.paginggroups])
        tables.replace(t.lp_conferences, "id", t.lp_conferences.c.tenantid == code,
                     [conference_row(code, room) for room in org.conferences])
        tables.replace(t.lp_dial_rules, "id", t.lp_dial_rules.c.tenantid == code,
                     dial_rule_rows(code, org.dialrules))
        tables.replace(t.lp_queues, "name", t.lp_queues.c.tenantid == code,
                     [queue_row(code, queue) for queue in org.queues])
        tables.replace(t.lp_queue_plans, "id", t.lp_queue_plans.c.tenantid == code,
                     [queue_plan_row(code, queue, music) for queue in org.queues])
        # Phones write the rows of queues with login: with no queues, only a row left there (a
        # login racing the Apply that removed its queue, a restore) needs the delete.
        members = t.lp_queue_members
        if org.queues or connection.execute(select(members.c.id).where(members.c.tenantid == code).limit(1)).first():
            keep_queue_members(connection, code, org.queues)
        tables.replace(t.lp_org_plans, "code", t.lp_org_plans.c.code == code,
                     [self._org_plan_row(org, moh_class, trunk["endpoint"] is not None)])
        tables.save()
        if not same_registration(old_registration, trunk["registration"]):
            request_refresh(connection, code)
            with self._lock:
                self._refreshing.add(code)
        return notes

    def after_commit(self, org: OrgPBXConfig) -> None:
        """Make Asterisk forget the cached objects the Apply changed or deleted; start, change or
        stop the org's outbound registration if the Apply changed it (a refresh this process did
        not request, or whose commit it did not see, is the upkeep's). Nothing else is needed."""
        self._committed(org.code)
        self._forget_cached(org.code)
        with self._lock:
            refresh = org.code in self._refreshing
            self._refreshing.discard(org.code)
        if refresh:
            self.refresh_registration(org.code)

    def _replace_cached(self, replace, code: str, rows_of) -> None:
        """Make the org's endpoints, auths and AORs ``rows_of("endpoint")``, ``("auth")`` and
        ``("aor")`` with ``replace`` (replace_rows' arguments after the connection), and note
        those changed or gone for Asterisk to forget after the commit."""
        prefix = prefix_of(code)
        for table, scope, kind in ((t.ps_endpoints, t.ps_endpoints.c.tenantid == code, "endpoint"),
                                   (t.ps_auths, t.ps_auths.c.id.like(prefix), "auth"),
                                   (t.ps_aors, t.ps_aors.c.id.like(prefix), "aor")):
            changed = replace(table, "id", scope, rows_of(kind))
            self._forget_later(code, {(CACHES[table.name], object_id) for object_id in changed})

    def retry_after_commit(self) -> None:
        """The cached objects this process's Applies could not have Asterisk forget."""
        self._forget_cached()

    def _forget_later(self, code: str, stale: set[tuple[str, str]]) -> None:
        """Note what the org's transaction made stale: Asterisk forgets it once it is committed
        (forgotten before, the upkeep could have Asterisk read the old rows again and keep them)."""
        with self._lock:
            self._uncommitted.setdefault(code, set()).update(stale)

    def _committed(self, code: str) -> None:
        """The org's transaction committed: what it made stale may be forgotten now."""
        with self._lock:
            self._stale.setdefault(code, set()).update(self._uncommitted.pop(code, set()))

    def _forget_cached(self, code: str | None = None) -> None:
        """Expire the cached objects written stale for ``code`` (every org's: None) in Asterisk's
        memory caches (a whole cache's EVERY_OBJECT: read it all again). If Asterisk does not answer they are tried again at the next upkeep (and
        a cached object lives provision.PJSIP_CACHE_SECONDS at most in any case)."""
        with self._lock:
            codes = [code] if code is not None else list(self._stale)
            pending = {c: self._stale.pop(c) for c in codes if self._stale.get(c)}
        if not pending:
            return
        populated: set[str] = set()
        try:
            for c in list(pending):
                for cache, object_id in sorted(pending[c]):
                    if object_id != EVERY_OBJECT:
                        self.console(f"sorcery memory cache expire {cache} {object_id}")
                    elif cache not in populated:
                        answer = self.console(f"sorcery memory cache populate {cache}")
                        if "has been populated" not in answer:
                            raise ConsoleError(f"populating {cache}: {answer.strip() or 'no answer'}")
                        populated.add(cache)
                del pending[c]
        except ConsoleError as error:
            log.warning("could not expire %d cached PJSIP object(s) in Asterisk (tried again at the next "
                        "upkeep): %s", sum(map(len, pending.values())), error)
            with self._lock:
                for c, stale in pending.items():
                    self._stale.setdefault(c, set()).update(stale)

    def remove_org(self, connection, code: str) -> None:
        """Delete every row of the org, contacts and registrations included."""
        prefix = prefix_of(code)
        self._forget_later(code, {(IDENTIFIES_CACHE, EVERY_OBJECT)})
        if registration_row(connection, code):
            request_refresh(connection, code)
            with self._lock:
                self._refreshing.add(code)
        self._replace_cached(functools.partial(replace_rows, connection), code, lambda kind: [])
        connection.execute(delete(t.lp_row_digests).where(t.lp_row_digests.c.code == code))
        for table in (t.ps_contacts, t.ps_registrations):
            connection.execute(delete(table).where(table.c.id.like(prefix)))
        connection.execute(delete(t.voicemail).where(t.voicemail.c.context == code))
        connection.execute(delete(t.musiconhold).where(music_of(t.musiconhold, code)))
        connection.execute(delete(t.musiconhold_entry).where(music_of(t.musiconhold_entry, code)))
        for table in (t.lp_extension_plans, t.lp_did_routes, t.lp_upstream_sources, t.lp_upstream_lines,
                      t.lp_numbers, t.lp_ring_groups,
                      t.lp_time_conditions, t.lp_time_overrides, t.lp_phone_states, t.lp_phone_blocks, t.lp_ivrs,
                      t.lp_paging_groups, t.lp_queues,
                      t.lp_queue_plans, t.lp_queue_members, t.lp_announcements, t.lp_blocked_callers,
                      t.lp_conferences, t.lp_dial_rules):
            connection.execute(delete(table).where(table.c.tenantid == code))
        connection.execute(delete(t.lp_org_plans).where(t.lp_org_plans.c.code == code))
        # Call history too: a later organization may reuse the code.
        connection.execute(delete(t.cdr).where(t.cdr.c.tenantid == code))

    def after_remove(self, code: str) -> None:
        """After remove_org's commit: stop the org's outbound registration, delete its voicemail
        and what Asterisk remembers of it (the member of each ring group who answered last)."""
        self._committed(code)
        self._forget_cached(code)
        shutil.rmtree(self.org_files(code)["voicemail"], ignore_errors=True)
        self.refresh_registration(code)
        try:
            self.console(f"database deltree {RING_MEMORY} {code}")
        except ConsoleError as error:
            log.warning("%s: Asterisk did not forget the org's ring group memory: %s", code, error)

    def export_state(self, connection, code: str) -> dict[str, list[dict]]:
        """The org's call history, its phones' do-not-disturb, forwards and blocked callers, its
        forced time conditions and the agents logged in to its queues (serial numbers left out)."""
        return export_rows(connection, code, STATE_TABLES)

    def import_state(self, connection, code: str, state: dict[str, list[dict]]) -> None:
        """Replace the org's rows of each table export_state names with the given ones."""
        import_rows(connection, code, state, STATE_TABLES, "Asterisk")

    def org_files(self, code: str) -> dict[str, Path]:
        """Its voicemail boxes (app_voicemail keeps them as files in the spool)."""
        from littlepbx.pbx_backends.asterisk.provision import VOICEMAIL_SPOOL, in_root
        return {"voicemail": in_root(self.config, f"{VOICEMAIL_SPOOL}/{check_code(code)}")}

    def restore_files(self, code: str, name: str, source: Path) -> None:
        """Move ``source`` in as the org's voicemail, owned like the spool's voicemail directory
        (Asterisk's account, DATA_DIR's group: provision.share_with_data_group). Asterisk counts
        a box's messages from its files whenever asked."""
        if name not in self.org_files(code):
            super().restore_files(code, name, source)
        target = self.org_files(code)[name]
        try:
            if move_in(target, source):
                from littlepbx.pbx_backends.asterisk.provision import share_with_data_group
                share_with_data_group(self.config, target)
        except PermissionError:
            raise BackendError(f"{code}: the voicemail is back, but Asterisk cannot change it until it is "
                               f"given to its account: run the restore as root") from None

    def queue_figures(self, code: str, since: datetime) -> dict[str, QueueFigures]:
        """From app_queue's log (lp_queue_log): queue_figures_from_log."""
        plans = t.lp_queue_plans
        with self._database().connect() as connection:
            longest = dict(connection.execute(select(plans.c.id, plans.c.max_wait).where(plans.c.tenantid == code)).all())
            return queue_figures_from_log(connection, code, longest, since)

    def phone_states(self, code: str) -> dict[str, PhoneState]:
        """The org's extensions as their users switched them (lp_phone_states; phones write it)."""
        with self._database().connect() as connection:
            return read_phone_states(connection, code)

    def set_phone_state(self, code: str, number: str, state: PhoneState) -> None:
        """Write the state; the next call to the extension reads it."""
        with self._database().begin() as connection:
            write_phone_state(connection, code, number, state)

    def phone_blocks(self, code: str) -> list[PhoneBlock]:
        """The callers the org's phones blocked (lp_phone_blocks; Asterisk inserts them)."""
        with self._database().connect() as connection:
            return read_phone_blocks(connection, code)

    def unblock(self, code: str, number: str) -> bool:
        """Delete the block of ``number``: its next call rings again."""
        with self._database().begin() as connection:
            return delete_phone_block(connection, code, number)

    def time_overrides(self, code: str) -> dict[str, str]:
        """The org's forced time conditions, from lp_time_overrides (phones write it too)."""
        with self._database().connect() as connection:
            return read_time_overrides(connection, code)

    def set_time_override(self, code: str, name: str, state: str) -> None:
        """Write the forced state; the next call reaching the condition reads it."""
        with self._database().begin() as connection:
            write_time_override(connection, code, name, state)

    def convert_audio(self, source, target, max_seconds: int = 600) -> None:
        """8 kHz mono WAV, which Asterisk plays without transcoding (see pbx_backends.audio)."""
        convert_to_wav(source, target, max_seconds)

    def call_history(self, connection, code: str, since, until, offset: int, limit: int, number=None,
                     result: str | None = None):
        """The org's CDR rows (cdr_adaptive_odbc writes them with the channel's tenantid, and the
        dialplan's lp_dialed and lp_reached variables)."""
        return cdr_history(connection, code, since, until, offset, limit, number, result)

    def current_calls(self, code: str) -> list[CallInProgress] | None:
        """The org's calls now, from ARI's channel list (each channel carries its tenantid)."""
        check_code(code)
        try:
            channels = self.ari().get("channels")
        except ARIError as error:
            log.warning("ARI did not list the channels: %s", error)
            return None
        return calls_of_tenant(channels, code)

    def registered_extensions(self, connection, code: str) -> set[str] | None:
        """Extensions with an unexpired contact: Asterisk writes REGISTERs into ps_contacts."""
        table = t.ps_contacts
        endpoints = connection.execute(
            select(table.c.endpoint).where(table.c.endpoint.like(prefix_of(code)),
                                           table.c.expiration_time > int(time.time()))).scalars()
        return {endpoint[len(code) + 1:] for endpoint in endpoints}

    def active_calls(self, code: str) -> int:
        """Calls the org started (phones and its upstream), from the dialplan's GROUP counter."""
        try:
            with self.ami() as ami:
                value = ami.getvar(f"GROUP_COUNT({check_code(code)}@tenant)")
        except (OSError, AMIError) as error:
            raise BackendError(f"Asterisk did not answer on AMI: {error}") from None
        return int(value or 0)

    def did_calls(self, code: str, numbers: list[str]) -> dict[str, int] | None:
        """Calls up on each DID, from the GROUP the dialplan sets when an upstream call matches it."""
        check_code(code)
        try:
            with self.ami() as ami:
                return {number: int(ami.getvar(f"GROUP_COUNT({code}-{number.lstrip('+')}@did)") or 0)
                        for number in numbers}
        except (OSError, AMIError) as error:
            raise BackendError(f"Asterisk did not answer on AMI: {error}") from None

    def health(self) -> dict:
        """Whether Asterisk answers on AMI, runs this account's CLI commands on its control
        socket, and answers a SIP OPTIONS on its SIP port."""
        report = {}
        try:
            with self.ami() as ami:
                ami.action("Ping")
            report["ami"] = "answers"
        except (OSError, AMIError) as error:
            report["ami"] = f"no answer: {error}"
        try:
            self.console("group show channels")
            report["console"] = "answers"
        except ConsoleError as error:
            report["console"] = f"no answer: {error}"
        host = str(self.config.get("ASTERISK_SIP_HOST") or "127.0.0.1")
        report["sip"] = sip_probe("127.0.0.1" if host == "0.0.0.0" else host, int(self.config["ASTERISK_SIP_PORT"]))
        answering = report["ami"] == report["console"] == "answers"
        return {"ok": answering and report["sip"].startswith("answers"), **report}

    def system_figures(self, connection) -> dict[str, dict[str, int]]:
        """Calls per org (channels in the dialplan's "tenant" group, one CLI listing) and phones
        registered per org (unexpired contacts)."""
        table = t.ps_contacts
        tenant = func.substring_index(table.c.endpoint, "-", 1)
        registered = dict(connection.execute(select(tenant, func.count()).where(
            table.c.expiration_time > int(time.time())).group_by(tenant)).all())
        figures = {"registered": {code: int(count) for code, count in registered.items()}}
        try:
            figures["calls"] = calls_per_tenant(self.console("group show channels"))
        except ConsoleError as error:
            log.warning("Asterisk did not list the call groups: %s", error)
        return figures

    def registration_state(self, code: str) -> str | None:
        """The org's outbound registration status ('Registered', 'Rejected', ...), or None if it has none.

        Asks for this org's registration only (never the list of every org's)."""
        with self._registration_lock(code):
            output = self._look_up_registration(code)
        return registration_status_of(output, trunk_id(code))

    def refresh_registration(self, code: str) -> None:
        """Carry out the org's pending registration refresh, if there is one (see the module doc)."""
        table = t.lp_registration_refresh
        with self._registration_lock(code) as connection:
            version = connection.scalar(select(table.c.version).where(table.c.code == code))
            if version is None:
                return
            self._look_up_registration(code)
            # A refresh requested meanwhile (a newer version) stays for the next round.
            connection.execute(delete(table).where(table.c.code == code, table.c.version == version))
            connection.commit()

    def housekeeping(self, force: bool = False) -> None:
        """Called by the worker every tick: every few seconds, retry pending registration
        refreshes; every few minutes, also look every registering org up again, which restarts
        a registration Asterisk dropped while it could not read its row. Asterisk or the
        database found unreachable before the lot ends the round."""
        now = time.monotonic()
        if not force and now < self._next_retry:
            return
        self._next_retry = now + RETRY_SECONDS
        self._forget_cached()
        if now >= self._next_digest_reset:
            self.forget_digests()
        sweep = force or now >= self._next_sweep
        try:
            with self._database().connect() as connection:
                pending = list(connection.execute(select(t.lp_registration_refresh.c.code)).scalars())
                registering = [row_id[:-len(TRUNK_SUFFIX)] for row_id in connection.execute(
                    select(t.ps_registrations.c.id).where(t.ps_registrations.c.id.like(f"%{TRUNK_SUFFIX}")))
                    .scalars()] if sweep else []
            if not pending and not registering:
                return
            console.probe(self.console_socket)
            for code in pending:
                self._for_one_org(code, self.refresh_registration, code)
            for code in registering:
                self._for_one_org(code, self._sweep_registration, code)
            if sweep:
                self._next_sweep = now + SWEEP_SECONDS
        except (BackendError, ConsoleError, DBAPIError) as error:
            log.warning("PBX housekeeping stopped for this round (it is retried): %s", error)

    def forget_digests(self) -> None:
        """Forget what the Applies wrote (OrgTables): the next Apply of each organization compares
        every table with its rows again, and so mends whatever else changed them. The worker does
        it when it starts and then hourly."""
        try:
            with self._database().begin() as connection:
                connection.execute(delete(t.lp_row_digests))
            self._next_digest_reset = time.monotonic() + DIGEST_SECONDS
        except DBAPIError as error:
            log.warning("could not forget the Applies' row digests (tried again at the next upkeep): %s", error)

    @staticmethod
    def _for_one_org(code: str, job, *args) -> None:
        """One organization's part of the upkeep: its failure is logged, and the others go on."""
        try:
            job(*args)
        except BackendError as error:
            log.warning("PBX upkeep of %s failed (tried again next round): %s", code, error)
        except Exception:  # its own rows or lock, say: never a reason to skip the others
            log.exception("PBX upkeep of %s failed (tried again next round)", code)

    def _sweep_registration(self, code: str) -> None:
        """Look the org's registration up again (restarts one Asterisk dropped)."""
        with self._registration_lock(code):
            self._look_up_registration(code)

    def _look_up_registration(self, code: str) -> str:
        """Have Asterisk look the org's registration up, which applies its row; the CLI output."""
        try:
            return self.console(f"pjsip show registration {trunk_id(check_code(code))}")
        except ConsoleError as error:
            raise BackendError(f"{code}: could not refresh the outbound registration: {error}") from error

    @contextmanager
    def _registration_lock(self, code: str):
        """A connection holding the org's registration lock (MariaDB GET_LOCK, all processes)."""
        engine = self._database()
        key = hashlib.sha256(f"{engine.url.database}/{check_code(code)}".encode()).hexdigest()[:40]
        name = f"lp.reg.{key}"  # MariaDB lock names are at most 64 characters
        with engine.connect() as connection:
            if connection.scalar(text("SELECT GET_LOCK(:name, 10)"), {"name": name}) != 1:
                raise BackendError(f"{code}: the registration is busy; try again")
            connection.commit()
            try:
                yield connection
            finally:
                try:
                    connection.rollback()
                    connection.execute(text("DO RELEASE_LOCK(:name)"), {"name": name})
                    connection.commit()
                except DBAPIError:
                    pass  # a lost connection has released the lock already

    def close(self) -> None:
        """Dispose of the backend's own database pool."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def _database(self):
        """An engine on the database Asterisk reads (created on first use)."""
        with self._lock:
            if self._engine is None:
                self._engine = create_engine(self.config["DATABASE_URL"], pool_size=2, max_overflow=4,
                                             pool_pre_ping=True, pool_recycle=3600,
                                             isolation_level="READ COMMITTED")
            return self._engine

    def ari(self) -> ARIClient:
        """The ARI client of the configured Asterisk (HTTP on loopback)."""
        return ARIClient(int(self.config["ASTERISK_ARI_PORT"]), str(self.config["ASTERISK_ARI_USER"]),
                         str(self.config["ASTERISK_ARI_PASSWORD"]))

    @property
    def console_socket(self) -> Path:
        """Asterisk's control socket, as this host sees it (in its root, if it has one)."""
        return Path(str(self.config.get("ASTERISK_ROOT") or "/")) / console.SOCKET.lstrip("/")

    def console(self, command: str) -> str:
        """Run one of the CLI commands LittlePBX uses (console.COMMANDS) through the control socket."""
        return console.run(self.console_socket, command)

    def ami(self) -> AMIClient:
        """A fresh AMI connection to the configured Asterisk."""
        return AMIClient("127.0.0.1", int(self.config["ASTERISK_AMI_PORT"]), str(self.config["ASTERISK_AMI_USER"]),
                         str(self.config["ASTERISK_AMI_SECRET"]))

    @staticmethod
    def _delete_stale_contacts(connection, code: str, aor_ids: list[str]) -> None:
        """Delete registrations of extensions the org no longer has.

        Contact ids are '<aor>;@<hash>', stored by realtime with ';' escaped as '^3B'.
        """
        table = t.ps_contacts
        statement = delete(table).where(table.c.id.like(prefix_of(code)))
        if aor_ids:
            aor_of_contact = func.substring_index(func.substring_index(table.c.id, "^3B@", 1), ";@", 1)
            statement = statement.where(aor_of_contact.not_in(aor_ids))
        connection.execute(statement)

    @staticmethod
    def _moh_row(code: str, org: OrgPBXConfig) -> dict:
        """The org's MoH class: every file in the directory of its converted upload."""
        return {"name": code, "mode": "files", "directory": os.path.dirname(org.moh.path), "sort": "alpha"}

    @staticmethod
    def _org_plan_row(org: OrgPBXConfig, moh_class: str | None, has_outbound: bool) -> dict:
        """What the dialplan reads about the org when a call starts."""
        caller_id = org.dids[0].number if org.dids else None
        return {"code": org.code, "max_calls": max(0, int(org.max_concurrent_calls)), "caller_id": caller_id,
                "moh_class": moh_class, "has_outbound": "yes" if has_outbound else "no",
                "emergency": "-".join(org.emergency_numbers) or None,
                "emergency_cid": org.emergency_caller_id or caller_id, "dial_rules": len(org.dialrules),
                "country_code": org.country_code or None, "parking": org.callsettings.parking_range,
                "record_notice": recording_notice_of(org)}
