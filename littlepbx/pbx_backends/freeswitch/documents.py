"""What LittlePBX answers FreeSWITCH's mod_xml_curl: the directory (a phone's credentials and
mailbox), the upstream address list (acl.conf) and, for every call, a dialplan made for that call
alone from the organization's applied plan.

Pure functions of the request's fields and the plans (``Lookup``), so they are tested without
FreeSWITCH. The isolation rules are the Asterisk dialplan's:
- the organization of a phone's call comes from the directory user FreeSWITCH authenticated
  (the channel variables ``lp_org``/``lp_ext`` our directory answer gave it), never from headers;
  that of an upstream call from its source address alone (lp_upstream_sources);
- a dialled string is used only when it is wholly digits, ``*`` and ``+``; a call reaches only the
  org's own extensions, mailboxes and outbound upstream;
- every value placed in an action is one of ours (digits, codes, validated hosts) or refused by
  write_org: FreeSWITCH expands ``${...}`` in application data, so nothing a caller sends is ever
  put there.
"""
from __future__ import annotations

import hashlib
import hmac
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import quoteattr
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from littlepbx.pbx_backends.asterisk.backend import (
    EXTENSION_NUMBER,
    EXTERNAL_NUMBER,
    PHONE_FORWARD,
    dialable_numbers,
    pattern_regex,
    pickup_group_of,
    recording_notice_of,
)
from littlepbx.pbx_backends.base import (
    NO_ANSWER_FORWARD,
    NO_ANSWER_VOICEMAIL,
    QUEUE_LOGIN_PREFIX,
    ExtensionConfig,
    OrgPBXConfig,
    PhoneState,
)
from littlepbx.pbx_backends.freeswitch.plans import DIGEST
from littlepbx.pbx_backends.hours import is_open

# The one SIP profile (phones and upstreams), the dialplan contexts of its calls, and the domain
# every phone registers in (the profile forces it, whatever host the phone was given).
PROFILE = "lp"
PHONE_CONTEXT = "lp-phones"
UPSTREAM_CONTEXT = "lp-upstream"
# Where a menu sends a call once the caller pressed (or did not press) a key: the channel goes on
# in this context with what happened as its number ("k<key>", "n<number typed>", "t": no key);
# its org and menu are channel variables our own plan set (lp_org, lp_menu).
MENU_CONTEXT = "lp-menu"
MENU_STEP = re.compile(r"k[0-9*#]|n[0-9*]{1,6}|t")
# Where an extension's call goes on when its phone could not take it and the extension says where
# such calls go: the channel goes on in this context with FreeSWITCH's reason as its number
# (originate_failed_cause, e.g. USER_NOT_REGISTERED: the cause of the phone's leg, which failed
# the bridge at once although pickup spaces rang beside it); its org and extension are channel
# variables our own plan set (lp_org, lp_ringing).
AFTER_CONTEXT = "lp-after"
# Where a queue's caller goes on when mod_callcenter lets go of it: "q" and its reason
# (cc_cancel_reason: TIMEOUT after the longest wait, NONE when a member answered); its org and
# queue are channel variables our own plan set (lp_org, lp_queue).
QUEUE_CONTEXT = "lp-queue"
QUEUE_EXIT = re.compile(r"q[A-Z_]{0,32}")
QUEUE_TIMEOUTS = {"qTIMEOUT", "qNO_AGENT_TIMEOUT"}
# A queue (mod_callcenter) is "<org>-<number>"; each of its members an agent of that queue alone,
# "<org>-<number>-<extension>", so that a member logs in to one queue and rests after its calls.
QUEUE_NAME = re.compile(r"([a-z0-9]{1,16})-([0-9]{2,6})")
# app_queue's strategies as mod_callcenter names them.
CALLCENTER_STRATEGIES = {"ringall": "ring-all", "rrmemory": "round-robin", "leastrecent": "longest-idle-agent",
                         "fewestcalls": "agent-with-fewest-calls", "random": "random"}
# No recorded prompts: a waiting caller hears two short beeps where Asterisk tells the position.
QUEUE_ANNOUNCEMENT = "tone_stream://%(250,150,660);%(250,0,660)"
QUEUE_RETRY_SECONDS = 2  # a member who did not answer, refused or was busy rests this long (app_queue's retry)
AVAILABLE, LOGGED_OUT = "Available", "Logged Out"
# The keys a phone presses during a call (the Asterisk backend's features.conf): **1<number>#
# transfers the other party, **0<number># consults <number> first (hanging up completes it), #77
# parks the other party in the org's lot (mod_valet_parking), **3 records the call (again: stops).
# FreeSWITCH's digit machine sends what a phone typed to KEYS_CONTEXT-<org>-<number>, whose plan
# runs on the phone's own leg; a transferred call goes on in TRANSFER_CONTEXT-<org>-<number>, a
# parked one in PARK_CONTEXT-<org>-<number>, one nobody took in ORBIT_CONTEXT-<org>-<number>.
# Each names the phone that pressed: only our plans send calls there.
KEYS_CONTEXT = "lp-keys"
TRANSFER_CONTEXT = "lp-transfer"
PARK_CONTEXT = "lp-park"
ORBIT_CONTEXT = "lp-orbit"
PARK, RECORD = "#77", "**3"
# "=": each acts the moment it is typed (without it, beside others, only after KEY_WAIT_MS).
KEYS = (r"=~^\*\*[01][0-9]+#$", f"={PARK}", f"={RECORD}")
CALL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # a channel's uuid
TRANSFER_KEYS = re.compile(r"\*\*([01])([0-9]{1,32})#")
KEY_WAIT_MS = 3000  # between two keys of one sequence (Asterisk's transferdigittimeout)
CAUSE = re.compile(r"[A-Z_]{1,48}")
NOT_CONNECTED = frozenset({"USER_NOT_REGISTERED", "SUBSCRIBER_ABSENT"})
# An outside follow-me number takes the call only by pressing 1 after this (in FreeSWITCH's
# sounds directory, written by provision), so its voicemail never does.
CONFIRM_FILE = "lp-confirm.wav"
CONFIRM_WAIT_MS = 8000
# A page is a conference of its own (mod_conference, this profile): the phone paging speaks, the
# members' phones, called with the auto-answer headers, listen; it ends when the pager hangs up.
CONFERENCE_PROFILE = "lp"
# A conference room is a conference of this profile (music while alone or waiting for the
# moderator, from the org's music on hold), named lp-<org>-<room>.
ROOM_PROFILE = "lp-room"
# What a caller finding the room full hears before it hangs up: a busy tone.
ROOM_FULL = "tone_stream://%(500,500,480,620);loops=3"
# Where the PIN a caller typed for a room is decided: the call goes on in this context with "p"
# and the digits as its number; its org and room are channel variables our own plan set
# (lp_org, lp_room), and how many times it was asked (lp_tries).
ROOM_CONTEXT = "lp-room"
ROOM_STEP = re.compile(r"p[0-9]{0,10}")
PIN_TRIES = 3
PIN_WAIT_MS = 6000
# What tells a phone to answer on its speaker at once (both usual forms, as Asterisk sends them).
AUTO_ANSWER = ("sip_h_Call-Info=<sip:127.0.0.1>;answer-after=0,"
               "sip_h_Alert-Info=<http://127.0.0.1>;info=alert-autoanswer;delay=0")
DOMAIN = "littlepbx"
# The realm the limit app counts an org's calls in (``limit_usage hash lp_calls <code>``).
CALLS_REALM = "lp_calls"
# ... and each DID's calls (``limit_usage hash lp_dids <code>-<digits>``).
DID_REALM = "lp_dids"
# ... and, for each ring group hunting with memory, the member who answered last
# (``db select/lp_hunt/<code>-<group>``: mod_db keeps it in FreeSWITCH's core database, so a restart
# forgets nothing, as Asterisk's AstDB does).
HUNT_REALM = "lp_hunt"
# ... and the calls each phone is on, made or answered (``limit_usage hash lp_phones t1-101``):
# a phone on one is busy.
PHONE_REALM = "lp_phones"
ACL_NAME = "lp-upstreams"
MAX_HOPS = 8
# Dialled from a phone: *28 then a time condition's switch code forces it (or returns it to its hours).
TIME_SWITCH = "*28"
# The codes a phone's user switches its own extension with, at once: do not disturb on/off, and
# the forwards (every call, busy calls, unanswered calls: the code then the number; off), as
# lp_phone_states' columns; *32 blocks the last outside caller that rang the phone.
DND_ON, DND_OFF = "*78", "*79"
FORWARD_ON = {"*72": "forward_to", "*90": "forward_busy", "*52": "forward_unanswered"}
FORWARD_OFF = {"*73": "forward_to", "*91": "forward_busy", "*53": "forward_unanswered"}
BLOCK_LAST = "*32"
# **<number> answers a call ringing on that phone of the org; *8 one ringing in the phone's group.
PICKUP, GROUP_PICKUP = "**", "*8"
# What a phone hears after switching: a rising pair of beeps (on, forced now), a falling one (off,
# back to its hours). FreeSWITCH ships no sound files here; tones need none.
SWITCHED_ON = "tone_stream://%(200,50,600);%(200,0,900)"
SWITCHED_OFF = "tone_stream://%(200,50,900);%(200,0,600)"
# A menu without a greeting of its own: two beeps; a wrong key: two low ones, then the menu.
MENU_PROMPT = "tone_stream://%(300,100,440);%(300,0,440)"
WRONG_KEY = "tone_stream://%(150,50,300);%(150,0,300)"
# How long a caller may pause between the digits of a number typed in a menu (as Asterisk's).
DIGIT_WAIT_MS = 3000


class PhoneSwitches:
    """What the org's phones' users switched (do not disturb, forwards: PhoneState) and blocked,
    which a call's plan reads and a phone's code writes at once. This one: nothing switched,
    nothing kept; the XML server's reads and writes the database."""

    def state(self, code: str, number: str) -> PhoneState:
        return PhoneState()

    def switch(self, code: str, number: str, column: str, value: str | None) -> bool:
        """Set "dnd" ("yes"/"no") or a forward (a number, None: off) of the extension; whether it
        was (an extension not applied yet has nothing to switch)."""
        return False

    def rang(self, code: str, number: str, caller: str) -> None:
        """An outside caller (digits, "+") is about to ring the extension's phone."""

    def last_caller(self, code: str, number: str) -> str | None:
        return None

    def block(self, code: str, number: str, caller: str) -> None:
        """The extension's user blocks ``caller`` on every number of the org."""

    def blocked(self, code: str, digits: str) -> bool:
        """Whether a phone of the org blocked the caller with these digits."""
        return False


def ring_time(seconds: int) -> int:
    """A ring time as FreeSWITCH must be given it: it counts whole seconds of the clock, so a
    timeout of N ends between N-1 and N seconds after the INVITE; one more keeps the N."""
    return seconds + 1

DIALLED = re.compile(r"[*+0-9]{1,32}")
# The org's own numbers, and outside ones, as the Asterisk backend's validation reads them.
INTERNAL, OUTSIDE = EXTENSION_NUMBER, EXTERNAL_NUMBER
PHONE_USER = re.compile(r"([a-z0-9]{1,16})-([0-9]{2,6})")
# The contact user of an org's registration at its upstream ("lp" and 20 hex digits, as the
# Asterisk backend's), to which the carrier sends the org's calls.
CONTACT_USER = re.compile(r"lp[0-9a-f]{20}")
# What FreeSWITCH would read as syntax in a value: variable expansion, dial-string separators.
UNSAFE = re.compile(r"[${}\[\],^'\"\\<>|;\s]")


def not_found() -> str:
    """Tells FreeSWITCH this server has nothing (a directory user nobody has, a file we leave to it)."""
    return ('<document type="freeswitch/xml"><section name="result">'
            '<result status="not found"/></section></document>')


def _document(section: str, body: str) -> str:
    return f'<document type="freeswitch/xml"><section name="{section}">{body}</section></document>'


def params_xml(values: dict) -> str:
    """``<param name=... value=.../>`` for each item, quoted."""
    return "".join(f"<param name={quoteattr(str(k))} value={quoteattr(str(v))}/>" for k, v in values.items())


def safe_name(name: str) -> str:
    """A display name with nothing FreeSWITCH would read as syntax."""
    return re.sub(r"\s+", " ", UNSAFE.sub(" ", name)).strip()[:60] or "Phone"


def contact_user(secret: str, code: str) -> str:
    """The org's registration contact user: unguessable without the server's secret, and the
    same at every Apply and restart (the carrier keeps sending calls to it)."""
    return "lp" + hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()[:20]


def gateway_name(code: str) -> str:
    return f"{code}-trunk-out"


@dataclass
class Lookup:
    """What the answers read: an org's applied plan by code; the org owning a source address; the
    org whose registration's contact user calls from an address ("<contact>@<address>"); the
    upstream addresses (with those of registrations); the orgs that register; contact users; what
    an org's time condition is forced to ("open", "closed", "auto") and how to force it; the time;
    how many calls a phone ("t1-101") is on; what phones switched and blocked; which member of a
    ring group ("t1-600") answered last; the directory of recorded calls ("": none are recorded);
    where a phone ("t1-101") is registered (FreeSWITCH's dial string of its contact, "": nowhere);
    the slots of a parking lot that hold a call, how long a parked call waits, the first free
    slot of a lot (kept for the call about to park there), and that a parked call left its slot
    unanswered (FreeSWITCH forgets it there only a few seconds later); how many callers wait in a
    queue ("t1-500"), and a member's login switched (an agent, "t1-500-101": True logged in now,
    False out, None when FreeSWITCH could not say)."""

    plan_of: Callable[[str], OrgPBXConfig | None]
    org_at: Callable[[str], str | None]
    upstream_addresses: Callable[[], list[str]] = field(default=list)
    org_on_line: Callable[[str], str | None] = field(default=lambda line: None)
    registering: Callable[[], list[OrgPBXConfig]] = field(default=list)
    contact_of: Callable[[str], str] = field(default=lambda code: "")
    forced: Callable[[str, str], str] = field(default=lambda code, name: "auto")
    phone_calls: Callable[[str], int] = field(default=lambda user: 0)
    force: Callable[[str, str, str], None] = field(default=lambda code, name, state: None)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    phones: PhoneSwitches = field(default_factory=PhoneSwitches)
    answered_last: Callable[[str], str] = field(default=lambda key: "")
    recordings: str = ""
    contact: Callable[[str], str] = field(default=lambda user: "")
    parked: Callable[[str], list[str]] = field(default=lambda lot: [])
    park_seconds: int = 60
    free_slot: Callable[[str, list[str]], str | None] = field(default=lambda lot, slots: slots[0] if slots else None)
    slot_left: Callable[[str, str], None] = field(default=lambda lot, slot: None)
    queue_waiting: Callable[[str], int] = field(default=lambda name: 0)
    queue_login: Callable[[str], bool | None] = field(default=lambda agent: None)


def phone_of(lookup: Lookup, user: str, domain: str = "") -> tuple[OrgPBXConfig, ExtensionConfig] | None:
    """The org and extension a directory user names: "t1-101" (what phones authenticate as), or
    "101" in domain "t1" (how the org's mailboxes are named)."""
    match = PHONE_USER.fullmatch(user or "")
    code, number = match.groups() if match else (domain, user)
    if not (code and INTERNAL.fullmatch(number or "")):
        return None
    org = lookup.plan_of(code)
    ext = next((e for e in org.extensions if e.number == number), None) if org else None
    return (org, ext) if ext else None


def gateways(lookup: Lookup) -> str:
    """The registrations at upstreams (sofia asks at start and at each `rescan`): one gateway per
    org whose outbound upstream wants it, registering with the org's contact user."""
    items = []
    for org in lookup.registering():
        trunk = org.trunk("outbound")
        host = f"[{trunk.host}]" if ":" in trunk.host else trunk.host
        # Over TCP or TLS, the proxy says so too: FreeSWITCH sends to the proxy as its URI says.
        proxy = f"{host}:{trunk.port}" + (f";transport={trunk.transport}" if trunk.transport != "udp" else "")
        values = {"username": trunk.username or "", "password": trunk.password or "", "realm": trunk.host,
                  "proxy": proxy, "register-proxy": proxy, "register": "true",
                  "register-transport": trunk.transport, "from-user": trunk.from_user or trunk.username or "",
                  "from-domain": trunk.from_domain or trunk.host, "extension": lookup.contact_of(org.code),
                  "extension-in-contact": "true", "expire-seconds": "600", "retry-seconds": "30",
                  "context": UPSTREAM_CONTEXT}
        items.append(f"<gateway name={quoteattr(gateway_name(org.code))}>{params_xml(values)}</gateway>")
    return _document("directory", f"<domain name={quoteattr(DOMAIN)}><params/><groups><group name='upstreams'>"
                                  f"<users><user id='lp-upstreams'><gateways>{''.join(items)}</gateways></user>"
                                  "</users></group></groups></domain>")


def directory(params: dict[str, str], lookup: Lookup) -> str:
    """A phone's credentials, mailbox settings and the channel variables that tie its calls to
    its org; only ever the one user asked for. (With ``purpose=gateways``: the registrations.)"""
    if params.get("purpose") == "gateways":
        return gateways(lookup)
    user = params.get("user", "")
    if params.get("action") == "sip_auth" and not PHONE_USER.fullmatch(user):
        return not_found()  # phones authenticate as "<org>-<number>" only
    found = phone_of(lookup, user, params.get("domain", ""))
    if found is None:
        return not_found()
    org, ext = found
    domain = params.get("domain") or params.get("key_value") or DOMAIN
    secret = ext.sip_password  # plans.DIGEST and the digest, or (a plan from before) the password
    credential = {"a1-hash": secret[len(DIGEST):]} if secret.startswith(DIGEST) else {"password": secret}
    settings = {**credential,
                "vm-password": ext.voicemail_pin or "", "vm-enabled": "true" if ext.voicemail_enabled else "false",
                "vm-email-all-messages": "true" if ext.voicemail_email else "false",
                "vm-mailto": ext.voicemail_email or "", "vm-attach-file": "true"}
    variables = {"lp_org": org.code, "lp_ext": ext.number, "user_context": PHONE_CONTEXT,
                 "effective_caller_id_name": safe_name(ext.display_name),
                 "effective_caller_id_number": ext.number}
    if ext.sip_transport == "tls":  # its calls' audio encrypted (SRTP keys in its TLS signalling), or refused
        variables["rtp_secure_media"] = "mandatory"
    variables_xml = "".join(f"<variable name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in variables.items())
    return _document("directory", f"<domain name={quoteattr(domain)}><params/><groups><group name='default'>"
                                  f"<users><user id={quoteattr(user)}><params>{params_xml(settings)}</params>"
                                  f"<variables>{variables_xml}</variables></user></users></group></groups>"
                                  "</domain>")


def configuration(params: dict[str, str], lookup: Lookup) -> str:
    """acl.conf: the list of upstream source addresses whose calls are let in without a login
    (which org a call is, its address alone says, in the dialplan); callcenter.conf asked for one
    queue: that queue (callcenter_queue); everything else from files."""
    if params.get("key_value") == "callcenter.conf" and params.get("CC-Queue"):
        return callcenter_queue(params["CC-Queue"], lookup)
    if params.get("key_value") != "acl.conf":
        return not_found()
    nodes = "".join(f'<node type="allow" cidr="{address}/{128 if ":" in address else 32}"/>'
                    for address in lookup.upstream_addresses())
    lists = (f'<network-lists><list name="{ACL_NAME}" default="deny">{nodes}</list>'
             '<list name="lp-loopback" default="deny"><node type="allow" cidr="127.0.0.0/8"/></list>'
             '</network-lists>')
    return _document("configuration", f'<configuration name="acl.conf" description="LittlePBX">{lists}'
                                      '</configuration>')


class Plan:
    """The actions of one call, built step by step (``lookup``: the live state it may read)."""

    def __init__(self, org: OrgPBXConfig, lookup: Lookup | None = None):
        self.org = org
        self.lookup = lookup or Lookup(plan_of=lambda code: None, org_at=lambda address: None)
        self.actions: list[tuple[str, str]] = []
        self.hops = 0
        self.caller: str | None = None  # the extension of the org's phone that called, if one did
        self.outside_caller: str | None = None  # the number an outside caller presented (digits, "+")
        self.from_upstream = False  # an outside call (its org's upstream's)
        self.recording = False  # the call is recorded already
        self.phone: str | None = None  # the org's phone this channel is the leg of ("t1-101"), if one
        self.keys_bound: set[str] = set()  # whose in-call keys this plan bound already ("self", "peer")

    def add(self, application: str, data: str = "") -> Plan:
        self.actions.append((application, data))
        return self

    def refuse(self, cause: str = "UNALLOCATED_NUMBER") -> Plan:
        return self.add("set", "lp_reached=refused").add("hangup", cause)

    def reached(self, where: str) -> Plan:
        """Where the call goes now, for its call record (a destination as LittlePBX writes one)."""
        return self.add("set", f"lp_reached={where}")

    def xml(self, context: str, dialled: str | None) -> str:
        """The document: the actions for exactly ``dialled`` (None: whatever was dialled)."""
        actions = "".join(f"<action application={quoteattr(a)} data={quoteattr(d)}/>" if d else
                          f"<action application={quoteattr(a)}/>" for a, d in self.actions)
        expression = "^.*$" if dialled is None else "^" + re.escape(dialled) + "$"
        return _document("dialplan", f"<context name={quoteattr(context)}><extension name='lp'>"
                                     f"<condition field='destination_number' expression={quoteattr(expression)}>"
                                     f"{actions}</condition></extension></context>")


def refusal(context: str, cause: str = "UNALLOCATED_NUMBER") -> str:
    """A dialplan that ends the call at once, whatever was dialled (a 404 by default)."""
    return Plan(OrgPBXConfig("", 0)).refuse(cause).xml(context, None)


def dialplan(params: dict[str, str], lookup: Lookup) -> str:
    """The plan of one call: a phone's (its org from the directory variables FreeSWITCH set when it
    authenticated) or an upstream's (its org from the source address)."""
    context = params.get("Hunt-Context", "")
    dialled = params.get("Hunt-Destination-Number", "")
    if context == MENU_CONTEXT:
        return menu_step(params, lookup).xml(context, dialled)
    if context == AFTER_CONTEXT:
        return after_ringing(params, lookup).xml(context, dialled)
    if context == QUEUE_CONTEXT:
        return after_queue(params, lookup).xml(context, dialled)
    if context == ROOM_CONTEXT:
        return room_step(params, lookup).xml(context, dialled)
    if context.startswith(KEYS_CONTEXT + "-"):
        return key_step(context[len(KEYS_CONTEXT) + 1:], dialled, params, lookup).xml(context, dialled)
    if context.startswith(TRANSFER_CONTEXT + "-"):
        return transferred(context[len(TRANSFER_CONTEXT) + 1:], dialled, params, lookup).xml(context, dialled)
    if context.startswith(PARK_CONTEXT + "-"):
        return parked_here(context[len(PARK_CONTEXT) + 1:], dialled, params, lookup).xml(context, dialled)
    if context.startswith(ORBIT_CONTEXT + "-"):
        return unparked(context[len(ORBIT_CONTEXT) + 1:], params, lookup).xml(context, dialled)
    if not (DIALLED.fullmatch(dialled) or context == UPSTREAM_CONTEXT and CONTACT_USER.fullmatch(dialled)):
        return refusal(context)
    if context == PHONE_CONTEXT:
        found = phone_of(lookup, f"{params.get('variable_lp_org', '')}-{params.get('variable_lp_ext', '')}")
        if found is None:
            return refusal(context, "CALL_REJECTED")
        org, ext = found
        if ext.sip_transport == "tls" and params.get("variable_sip_via_protocol", "").lower() != "tls":
            return refusal(context, "CALL_REJECTED")  # a phone on TLS calls over TLS only
        return phone_call(org, ext, dialled, lookup).xml(context, dialled)
    if context == UPSTREAM_CONTEXT:
        address = params.get("variable_sip_network_ip", "")
        if CONTACT_USER.fullmatch(dialled):
            # A carrier calling the contact an org registered: the contact user and the address
            # together say whose; the DID is the To header's user.
            code = lookup.org_on_line(f"{dialled}@{address}")
            number = params.get("variable_sip_to_user", "")
        else:
            code, number = lookup.org_at(address), dialled
        org = lookup.plan_of(code) if code else None
        if org is None or not DIALLED.fullmatch(number):
            return refusal(context, "CALL_REJECTED")
        return upstream_call(org, number, params.get("Caller-Caller-ID-Number", ""), lookup).xml(context, dialled)
    return refusal(context, "CALL_REJECTED")


def admit(plan: Plan, dialled: str, counted: bool = False) -> Plan:
    """Name the call's org on the channel, count it, and refuse it (busy) over the org's limit;
    a call the org had taken already (``counted``: sent on by a transfer or from parking) is
    counted but never refused."""
    org = plan.org
    plan.add("set", f"lp_org={org.code}").add("set", f"lp_dialed={dialled}")
    music = org_music(org)
    if music:
        plan.add("export", f"hold_music={music}")  # both legs: whoever is held hears it
    limit = f"hash {CALLS_REALM} {org.code}"
    if counted or org.max_concurrent_calls <= 0:
        return plan.add("limit", limit)
    return plan.add("limit", f"{limit} {org.max_concurrent_calls} !USER_BUSY")


def phone_call(org: OrgPBXConfig, ext: ExtensionConfig, dialled: str, lookup: Lookup | None = None) -> Plan:
    """What a phone of ``org`` dialled: an emergency number (before any limit), its voicemail
    (*97), a time condition's switch (*28<code>), its own switches (do not disturb, forwards,
    blocking the last caller), one of the org's numbers, or an outside number through the org's
    own upstream."""
    plan = Plan(org, lookup)
    plan.caller = ext.number
    plan.phone = f"{org.code}-{ext.number}"
    on_a_call = f"hash {PHONE_REALM} {org.code}-{ext.number}"  # the phone is busy while it calls
    if dialled in org.emergency_numbers:
        plan.add("set", f"lp_org={org.code}").add("limit", f"hash {CALLS_REALM} {org.code}").add("limit", on_a_call)
        return outside(plan, dialled, org.emergency_caller_id or first_did(org))
    admit(plan, dialled).add("limit", on_a_call)
    if dialled == "*97":
        return plan.add("answer").add("voicemail", f"check default {org.code} {ext.number}")
    if dialled.startswith(TIME_SWITCH):
        return time_switch(plan, dialled[len(TIME_SWITCH):])
    if dialled in (DND_ON, DND_OFF, BLOCK_LAST, *FORWARD_OFF) or dialled[:3] in FORWARD_ON:
        return phone_switch(plan, ext, dialled)
    if dialled == GROUP_PICKUP or dialled.startswith(PICKUP):
        return pickup(plan, ext, dialled)
    if dialled.startswith(QUEUE_LOGIN_PREFIX):
        return queue_login(plan, ext, dialled[len(QUEUE_LOGIN_PREFIX):])
    if dialled in parking_slots(org) and not number_of(org, dialled):
        return take_parked(plan, dialled)
    if ext.record_calls:
        record(plan)
    return dial(plan, ext, dialled)


def dial(plan: Plan, ext: ExtensionConfig, dialled: str) -> Plan:
    """A number the extension's phone dialled (or transfers a call to): one of the org's numbers,
    or an outside one through its own upstream as its dial rules and outside calls allow."""
    target = reachable(plan.org, ext, dialled)
    if target is None:
        return plan.refuse()
    number, internal = target
    if internal:
        return destination(plan, number)
    return outside(plan, number, ext.outbound_caller_id or first_did(plan.org))


def reachable(org: OrgPBXConfig, ext: ExtensionConfig, dialled: str) -> tuple[str, bool] | None:
    """Where the extension's phone reaches by dialling ``dialled`` (no feature code): (the org's
    number, True), (the outside number a dial rule made of it, False), or None."""
    if INTERNAL.fullmatch(dialled) and number_of(org, dialled):
        return dialled, True
    routed = dial_rule(org, dialled)
    if routed is None and not OUTSIDE.fullmatch(dialled):
        return None
    number, abroad = routed or (dialled, None)
    if not may_call(org, ext, number, abroad) or org.trunk("outbound") is None:
        return None
    return number, False


def dial_rule(org: OrgPBXConfig, dialled: str) -> tuple[str, bool] | None:
    """The number the org's first dial rule matching ``dialled`` sends out, and whether that
    calls abroad; None when no rule matches."""
    for rule in org.dialrules:
        if re.fullmatch(pattern_regex(rule.pattern).strip("^$"), dialled):
            return (rule.prepend or "") + dialled[rule.strip:], rule.international
    return None


def may_call(org: OrgPBXConfig, ext: ExtensionConfig, number: str, abroad: bool | None = None) -> bool:
    """The extension's outside_calls, as the Asterisk dialplan reads them: "all"; "national": a "+"
    number of the org's calling code, or one a dial rule not marked abroad made that begins
    neither 00 nor 011; "none" (or anything else): emergency numbers only."""
    if ext.outside_calls == "all":
        return True
    if ext.outside_calls != "national" or not org.country_code or abroad:
        return False
    if number.startswith("+"):
        return number[1:].startswith(org.country_code)
    return abroad is False and not number.startswith(("00", "011"))


def upstream_call(org: OrgPBXConfig, dialled: str, caller: str = "", lookup: Lookup | None = None) -> Plan:
    """A call from the org's upstream (from ``caller``) to ``dialled``, which must be one of its
    DIDs; a caller the org blocks is refused or goes where the org sends such callers."""
    plan = Plan(org, lookup)
    digits = dialled.lstrip("+")
    did = next((d for d in org.dids if d.number.lstrip("+") == digits), None)
    if did is None or not digits.isdigit():
        return plan.refuse()
    admit(plan, did.number)
    plan.add("limit", f"hash {DID_REALM} {org.code}-{digits}")
    plan.from_upstream = True
    plan.add("set", "lp_from_upstream=yes")
    caller_digits = re.sub(r"[^0-9]", "", caller)
    blocked = blocked_rule(org, caller_digits)
    if blocked is not None:
        if blocked.then_destination is None:
            return plan.reached("blocked").add("hangup", "CALL_REJECTED")
        return destination(plan, blocked.then_destination)
    if caller_digits and plan.lookup.phones.blocked(org.code, caller_digits):
        return plan.reached("blocked").add("hangup", "CALL_REJECTED")
    shown = caller.strip()
    if caller_digits and re.fullmatch(r"\+?[0-9]{1,15}", shown):
        # Kept on the channel for the plans of its later steps (a menu's key, ...): a phone it
        # rings remembers it for *32.
        plan.outside_caller = shown
        plan.add("set", f"lp_outside_caller={shown}")
    if did.record_calls:
        record(plan)
    return destination(plan, did.destination or "hangup")


def record(plan: Plan) -> Plan:
    """Record the call from now on, once, both sides mixed, into the directory of recorded calls
    as "lp-<org>-<unix time>-<call>.wav" (the call's id in the call history: its channel's
    uuid); an outside caller first hears the org's recording notice, if it chose one."""
    if plan.recording or not plan.lookup.recordings:
        return plan
    plan.recording = True
    notice = recording_notice_of(plan.org)
    if notice and plan.from_upstream:
        plan.add("answer").add("playback", f"{notice}.wav")
    started = int(plan.lookup.now().timestamp())
    # Exported: the legs the call rings know it too (their **3 leaves it alone).
    plan.add("export", "lp_recording=yes").add("set", "RECORD_STEREO=false")
    return plan.add("record_session", f"{plan.lookup.recordings}/lp-{plan.org.code}-{started}-${{uuid}}.wav")


def blocked_rule(org: OrgPBXConfig, caller_digits: str):
    """The org's rule for a caller: its number exactly, else the longest prefix of it (of 3 digits
    or more) the org blocks; None when it blocks neither."""
    if not caller_digits:
        return None
    rules = [(rule, re.sub(r"[^0-9]", "", rule.number)) for rule in org.blocked_callers]
    exact = [rule for rule, digits in rules if rule.match == "exact" and digits == caller_digits]
    prefixes = sorted(((rule, digits) for rule, digits in rules if rule.match == "prefix" and len(digits) >= 3
                       and caller_digits.startswith(digits)), key=lambda item: -len(item[1]))
    return exact[0] if exact else prefixes[0][0] if prefixes else None


def number_of(org: OrgPBXConfig, number: str) -> str | None:
    """What one of the org's numbers is: "101" (an extension), "ringgroup:600", "paging:700",
    "conference:850"; None."""
    return dialable_numbers(org).get(number)


def playlist(org: OrgPBXConfig, name: str | None) -> str | None:
    """What FreeSWITCH plays for the org's music class ``name``: its one file, or its files one
    after the other (a new random order for each call when it shuffles); None: no such class."""
    music = next((m for m in org.musicclasses if m.name == name), None) if name else None
    if music is None or not music.files:
        return None
    files = list(music.files)
    if music.shuffle:
        random.shuffle(files)
    return files[0] if len(files) == 1 else "file_string://" + "!".join(files)


def org_music(org: OrgPBXConfig) -> str | None:
    """The org's music on hold, when on: its music class, else its file."""
    if not org.moh.enabled:
        return None
    return playlist(org, org.moh.music_class) or org.moh.path


def first_did(org: OrgPBXConfig) -> str | None:
    return org.dids[0].number if org.dids else None


def destination(plan: Plan, where: str) -> Plan:
    """Send the call to a destination as LittlePBX writes one: "101", "voicemail:101", "+1415...",
    "hangup"; the org's own only (the kinds this backend carries; write_org refuses the rest)."""
    plan.hops += 1
    org = plan.org
    if plan.hops > MAX_HOPS or not where:
        return plan.refuse()
    if where == "hangup":
        return plan.reached("hangup").add("hangup", "NORMAL_CLEARING")
    kind, _, key = where.partition(":")
    if kind == "voicemail":
        ext = next((e for e in org.extensions if e.number == key and e.voicemail_enabled), None)
        return voicemail(plan, ext) if ext else plan.refuse()
    if kind == "ringgroup":
        group = next((g for g in org.ringgroups if g.number == key), None)
        return ring_group(plan, group) if group else plan.refuse()
    if kind == "paging":
        group = next((g for g in org.paginggroups if g.number == key), None)
        return page(plan, group) if group else plan.refuse()
    if kind == "queue":
        found = next((q for q in org.queues if q.number == key), None)
        return queue(plan, found) if found else plan.refuse()
    if kind == "ivr":
        ivr = next((m for m in org.ivrs if m.name == key), None)
        return menu(plan, ivr) if ivr else plan.refuse()
    if kind == "conference":
        room = next((r for r in org.conferences if r.number == key), None)
        return conference(plan, room) if room else plan.refuse()
    if kind == "timecondition":
        condition = next((c for c in org.timeconditions if c.name == key), None)
        if condition is None:
            return plan.refuse()
        opened = time_open(plan, condition)
        return destination(plan, condition.open_destination if opened else condition.closed_destination)
    if kind == "announcement":
        announcement = next((a for a in org.announcements if a.name == key), None)
        if announcement is None:
            return plan.refuse()
        plan.reached(where).add("answer")
        if announcement.recording:
            plan.add("playback", announcement.recording)
        return destination(plan, announcement.then_destination or "hangup")
    if key:
        return plan.refuse()
    if OUTSIDE.fullmatch(where):
        return outside(plan, where, None)
    if INTERNAL.fullmatch(where) and number_of(org, where) not in (None, where):
        return destination(plan, number_of(org, where))
    ext = next((e for e in org.extensions if e.number == where), None)
    return ring(plan, ext) if ext else plan.refuse()


def menu(plan: Plan, ivr, plays: int = 1, wrong: bool = False) -> Plan:
    """Play the menu (after a wrong key: the wrong-key beeps first) and wait for one key; the call
    goes on in MENU_CONTEXT with the key pressed ("k<key>") or none ("t")."""
    plan.reached(f"ivr:{ivr.name}").add("answer")
    plan.add("set", f"lp_menu={ivr.name}").add("set", f"lp_plays={plays}").add("set", f"lp_hops={plan.hops}")
    wait = max(ivr.timeout_seconds, 1) * 1000
    prompt = ivr.greeting or MENU_PROMPT
    if wrong:  # one prompt, so that a key during the beeps counts too
        prompt = f"file_string://{WRONG_KEY}!{prompt}"
    # One key of 0-9 * # ("+#": a # is the key itself, not the end of input); none: "t".
    plan.add("play_and_get_digits", f"1 1 1 {wait} +# {prompt} silence_stream://1 lp_key ^[0-9*#]$ {wait} "
                                    f"'t XML {MENU_CONTEXT}'")
    return plan.add("transfer", f"k${{lp_key}} XML {MENU_CONTEXT}")


def menu_step(params: dict[str, str], lookup: Lookup) -> Plan:
    """Where the key a caller pressed in a menu leads, as the Asterisk dialplan decides it (lp-to-ivr):
    an option's destination; with direct dial, a digit that begins one of the org's numbers waits
    for the rest (ended by # or a 3 s pause; nothing more: the key is an option) and the org's
    number typed rings; a wrong key or none plays the menu again, at most ``repeats`` times, then
    goes to the menu's invalid or timeout destination."""
    found = resumed(params, lookup, MENU_STEP, "lp_menu", lambda org, name: next(
        (m for m in org.ivrs if m.name == name), None))
    if found is None:
        return Plan(OrgPBXConfig("", 0)).refuse()
    plan, ivr, step = found
    plays = int(params.get("variable_lp_plays", "")) if params.get("variable_lp_plays", "").isdigit() else MAX_HOPS
    kind, typed = step[0], step[1:]
    if kind == "t":
        return menu(plan, ivr, plays + 1) if plays <= ivr.repeats else destination(plan, ivr.timeout_destination)
    if kind == "k" and ivr.direct_dial and typed.isdigit() and any(
            number.startswith(typed) for number in own_numbers(plan.org)):
        plan.add("play_and_get_digits", f"0 5 1 {DIGIT_WAIT_MS} # silence_stream://1 silence_stream://1 lp_more "
                                        f"^[0-9*]{{0,5}}$ {DIGIT_WAIT_MS} 'n{typed} XML {MENU_CONTEXT}'")
        return plan.add("transfer", f"n{typed}${{lp_more}} XML {MENU_CONTEXT}")
    options = dict(ivr.options)
    plan.hops = 0  # the caller chose: a new route
    if len(typed) == 1 and typed in options:
        return destination(plan, options[typed])
    if kind == "n" and len(typed) > 1 and INTERNAL.fullmatch(typed) and number_of(plan.org, typed):
        return destination(plan, typed)
    return menu(plan, ivr, plays + 1, wrong=True) if plays <= ivr.repeats else destination(plan, ivr.invalid_destination)


def resumed(params: dict[str, str], lookup: Lookup, shape: re.Pattern, variable: str, find) -> tuple | None:
    """A call our own plan sent on into a follow-up context (a menu's key, a phone's failure):
    its new plan (the org from lp_org, the hops so far from lp_hops), the item ``find`` gives for
    the org and the channel variable ``variable`` (a menu, an extension), and its number, which
    must have ``shape``; None when any is missing or wrong."""
    step = params.get("Hunt-Destination-Number", "")
    org = lookup.plan_of(params.get("variable_lp_org", ""))
    item = find(org, params.get(f"variable_{variable}", "")) if org else None
    if item is None or not shape.fullmatch(step):
        return None
    plan = resumed_plan(org, params, lookup)
    hops = params.get("variable_lp_hops", "")
    plan.hops = int(hops) if hops.isdigit() else MAX_HOPS
    return plan, item, step


def resumed_plan(org: OrgPBXConfig, params: dict[str, str], lookup: Lookup) -> Plan:
    """A new plan of ``org`` for a call our plans sent on: an outside caller stays one (and keeps
    the number it showed), a recorded call is not recorded twice, and the org's phone a leg rang
    shows its own number and keeps its keys."""
    plan = Plan(org, lookup)
    caller = params.get("variable_lp_outside_caller", "")
    plan.outside_caller = caller if re.fullmatch(r"\+?[0-9]{1,15}", caller) else None
    plan.from_upstream = params.get("variable_lp_from_upstream") == "yes"
    plan.recording = params.get("variable_lp_recording") == "yes"
    callee = params.get("variable_lp_callee", "")
    found = phone_of(lookup, callee) if params.get("Channel-Name", "").startswith(f"sofia/{PROFILE}/") else None
    if found and found[0].code == org.code:
        # A phone of the org this call rang, the call now sent on (transferred, parked): its keys
        # were the other leg's, and its leg still bears the number it was rung at
        # ("t1-102%littlepbx"), no caller a SIP URI can show.
        plan.phone = callee
        plan.add("set", f"effective_caller_id_number={found[1].number}")
        plan.add("set", f"effective_caller_id_name={safe_name(found[1].display_name)}")
    return plan


def own_numbers(org: OrgPBXConfig) -> list[str]:
    """The org's numbers a caller may type in a menu with direct dial (as Asterisk's: every one
    its phones dial)."""
    return list(dialable_numbers(org))


def conference(plan: Plan, room, tries: int = 1) -> Plan:
    """Answer and, when the room has a PIN or a moderator PIN, ask for one (up to 10 digits ended
    by # or a pause): the call goes on in ROOM_CONTEXT, where the PIN decides; else join."""
    if tries == 1:
        plan.reached(f"conference:{room.number}").add("answer").add("sleep", "500")
    if not (room.pin or room.moderator_pin):
        return join_room(plan, room, moderator=False)
    plan.add("set", f"lp_room={room.number}").add("set", f"lp_tries={tries}").add("set", f"lp_hops={plan.hops}")
    prompt = MENU_PROMPT if tries == 1 else f"file_string://{WRONG_KEY}!{MENU_PROMPT}"
    plan.add("play_and_get_digits", f"1 10 1 {PIN_WAIT_MS} # {prompt} silence_stream://1 lp_pin ^[0-9]+$ "
                                    f"{PIN_WAIT_MS} 'p XML {ROOM_CONTEXT}'")
    return plan.add("transfer", f"p${{lp_pin}} XML {ROOM_CONTEXT}")


def room_step(params: dict[str, str], lookup: Lookup) -> Plan:
    """What the PIN a caller typed for a room does, as the Asterisk dialplan decides it
    (lp-to-conference): the moderator PIN joins as the moderator, the PIN (or anything, in a room
    with only a moderator PIN) as a member; a wrong one asks again, three times in all."""
    found = resumed(params, lookup, ROOM_STEP, "lp_room", lambda org, number: next(
        (r for r in org.conferences if r.number == number), None))
    if found is None:
        return Plan(OrgPBXConfig("", 0)).refuse()
    plan, room, step = found
    entered = step[1:]
    if room.moderator_pin and entered == room.moderator_pin:
        return join_room(plan, room, moderator=True)
    if not room.pin or entered == room.pin:
        return join_room(plan, room, moderator=False)
    tries = params.get("variable_lp_tries", "")
    tries = int(tries) if tries.isdigit() else PIN_TRIES
    return conference(plan, room, tries + 1) if tries < PIN_TRIES else plan.add("hangup", "NORMAL_CLEARING")


def join_room(plan: Plan, room, moderator: bool) -> Plan:
    """Into the org's room: at most its members (a caller finding it full is hung up on), music
    while alone or, where members wait for the moderator, until the moderator is in."""
    org = plan.org
    plan.add("set", f"conference_max_members={room.max_members}")
    music = playlist(org, room.music_class) or org_music(org)
    if music:
        plan.add("set", f"conference_moh_sound={music}")
    if room.wait_for_moderator:
        plan.add("set", "conference_flags=wait-mod")  # read when the room opens; the moderator's entry ends it
    flags = "+flags{moderator}" if moderator else ""
    plan.add("conference", f"lp-{org.code}-{room.number}@{ROOM_PROFILE}{flags}")
    return plan.add("hangup", "NORMAL_CLEARING")


def page(plan: Plan, group) -> Plan:
    """Call every member phone of the group but the caller's with the auto-answer headers into a
    conference of this call alone, where they listen and the caller speaks, for at most the
    group's time; the page ends when the caller hangs up."""
    org = plan.org
    members = [number for number in group.members if number != plan.caller and
               any(ext.number == number for ext in org.extensions) and secure_enough(plan.lookup, org, number)]
    plan.reached(f"paging:{group.number}").add("answer")
    plan.add("sched_hangup", f"+{max(group.seconds, 1)} ALLOTTED_TIMEOUT")
    plan.add("set", "conference_auto_outcall_delimiter=|").add("set", "conference_auto_outcall_timeout=10")
    plan.add("set", "conference_utils_auto_outcall_flags=mute")
    for number in members:
        variables, target = phone_leg(org, number)
        headers = AUTO_ANSWER
        plan.add("conference_set_auto_outcall", f"{{{variables},{headers}}}{target}")
    return plan.add("conference", f"lp-page-${{uuid}}@{CONFERENCE_PROFILE}+flags{{endconf|moderator}}")


def follow_me(plan: Plan, ext: ExtensionConfig) -> Plan:
    """Ring the extension's follow-me numbers (the org's phones, outside numbers through its
    upstream), one by one for its ring time each or all together; an outside number, when the
    extension asks for confirmation, takes the call only by pressing 1 once it answers."""
    legs_of = []  # (number, its leg)
    for number in ext.follow_me:
        leg = member_leg(plan.org, number, plan.lookup)
        if leg is None:
            continue
        options = [f"leg_timeout={ring_time(ext.ring_seconds)}"]
        if ext.follow_me_confirm and OUTSIDE.fullmatch(number):
            options += ["group_confirm_key=1", f"group_confirm_file={CONFIRM_FILE}",
                        f"group_confirm_read_timeout={CONFIRM_WAIT_MS}"]
        variables, _, target = leg[1:].partition("]")
        legs_of.append((number, "[" + ",".join(filter(None, (*options, variables))) + "]" + target))
    if not legs_of:
        return plan
    plan.add("set", "continue_on_fail=true").add("set", "hangup_after_bridge=true")
    in_call_keys(plan, peer=True)
    return ring_members(plan, legs_of, together=ext.follow_me_order == "together")


def hours_open(condition, moment: datetime) -> bool:
    """Whether the condition's hours and holidays say open at ``moment``, in its time zone (one
    FreeSWITCH cannot name reads as UTC, as Asterisk reads it)."""
    try:
        zone = ZoneInfo(condition.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return is_open(condition.schedule, condition.holidays, moment.astimezone(zone))


def time_open(plan: Plan, condition) -> bool:
    """Whether the org's time condition sends calls to its open destination now: as an admin or
    a phone forced it, else by its hours."""
    forced = plan.lookup.forced(plan.org.code, condition.name)
    if forced in ("open", "closed"):
        return forced == "open"
    return hours_open(condition, plan.lookup.now())


def time_switch(plan: Plan, code: str) -> Plan:
    """*28<code>: the org's time condition with that switch code is forced to the opposite of what
    its hours say now, or, when forced, returns to its hours; the phone hears which."""
    org = plan.org
    condition = next((c for c in org.timeconditions if c.toggle_code is not None and str(c.toggle_code) == code),
                     None)
    if condition is None:
        return plan.refuse()
    if plan.lookup.forced(org.code, condition.name) in ("open", "closed"):
        state = "auto"
    else:
        state = "closed" if hours_open(condition, plan.lookup.now()) else "open"
    plan.lookup.force(org.code, condition.name, state)
    return acknowledged(plan.reached(f"timecondition:{condition.name}"), state != "auto")


def phone_switch(plan: Plan, ext: ExtensionConfig, dialled: str) -> Plan:
    """The calling phone's own switches, at once: do not disturb (*78 on, *79 off), a forward
    (*72 every call, *90 busy ones, *52 unanswered ones, then the number; *73, *91, *53 off; to
    one of the org's numbers, or an outside one this phone may call), *32 blocking the last
    outside caller that rang it. The phone hears rising beeps (on), falling ones (off); a
    forward it may not set is refused; *32 with no caller known beeps low twice."""
    org, phones = plan.org, plan.lookup.phones
    if dialled == BLOCK_LAST:
        last = phones.last_caller(org.code, ext.number)
        if not (last and any(c.isdigit() for c in last)):  # no caller to block: two low beeps
            return plan.add("answer").add("playback", WRONG_KEY).add("hangup", "NORMAL_CLEARING")
        phones.block(org.code, ext.number, last)
        on = True
    elif dialled in (DND_ON, DND_OFF):
        on = dialled == DND_ON
        if not phones.switch(org.code, ext.number, "dnd", "yes" if on else "no"):
            return plan.refuse()
    elif dialled in FORWARD_OFF:
        on = False
        if not phones.switch(org.code, ext.number, FORWARD_OFF[dialled], None):
            return plan.refuse()
    else:
        target, on = dialled[3:], True
        outside_number = target.startswith("+") or len(target) >= 7
        if not PHONE_FORWARD.fullmatch(target) or target == ext.number or \
                outside_number and not may_call(org, ext, target):
            return plan.refuse()
        if not phones.switch(org.code, ext.number, FORWARD_ON[dialled[:3]], target):
            return plan.refuse()
    return acknowledged(plan, on)


def acknowledged(plan: Plan, on: bool) -> Plan:
    """Answer, beep what a switch now is (rising: on, falling: off), hang up."""
    plan.add("answer").add("playback", SWITCHED_ON if on else SWITCHED_OFF)
    return plan.add("hangup", "NORMAL_CLEARING")


def secure_enough(lookup: Lookup, org: OrgPBXConfig, number: str) -> bool:
    """Whether the org's phone may be rung: any phone but one set to TLS, which only while
    registered over TLS (its audio's keys would cross the network in the clear)."""
    ext = next((e for e in org.extensions if e.number == number), None)
    return ext is None or ext.sip_transport != "tls" or \
        ";transport=tls" in lookup.contact(f"{org.code}-{number}").lower()


def member_leg(org: OrgPBXConfig, member: str, lookup: Lookup) -> str | None:
    """How to ring a ring group's member: one of the org's phones (one set to TLS only while
    registered over TLS), or an outside number through the org's upstream showing the org's
    number; None for anything else."""
    if INTERNAL.fullmatch(member) and any(ext.number == member for ext in org.extensions):
        if not secure_enough(lookup, org, member):
            return None
        variables, target = phone_leg(org, member)
        return f"[{variables}]{target}"
    trunk = org.trunk("outbound")
    if not (OUTSIDE.fullmatch(member) and trunk):
        return None
    shown = f"origination_caller_id_number={first_did(org)}" if first_did(org) else ""
    if trunk.register:
        return f"[{shown}]sofia/gateway/{gateway_name(org.code)}/{member}"
    leg = dial_string(trunk, member)
    options, brace, rest = leg.partition("}")
    if not brace:
        return f"[{shown}]{leg}"
    return "[" + ",".join(filter(None, (options[1:], shown))) + "]" + rest


def member_pickups(org: OrgPBXConfig, member: str, lookup: Lookup) -> tuple[str, ...]:
    """Where a call ringing a group's member also waits to be picked up (**<number>, *8), as a
    call ringing the phone directly does: only for a member that is a phone and registered (a
    phone not connected fails at once, and its pickup spaces would ring on instead)."""
    ext = next((e for e in org.extensions if e.number == member), None)
    if ext is None or not lookup.contact(f"{org.code}-{member}"):
        return ()
    return tuple(f"pickup/{key}" for key in pickup_keys(org.code, ext))


def ring_members(plan: Plan, legs_of: list[tuple[str, str]], together: bool) -> Plan:
    """Ring ``legs_of`` (number, leg) all at once or one after the other. Beside a registered
    phone among them, the call waits where the org's phones pick it up (member_pickups); one
    by one, the phone's refusal still ends its turn at once, as in ring()."""
    if not legs_of:
        return plan
    pickups_of = {number: member_pickups(plan.org, number, plan.lookup) for number, _ in legs_of}
    if together:
        pickups = sorted({key for keys in pickups_of.values() for key in keys})
        return plan.add("bridge", ",".join([leg for _, leg in legs_of] + pickups))
    for number, leg in legs_of:
        pickups = pickups_of[number]
        plan.add("bridge", f"{{fail_on_single_reject=true}}{','.join((leg, *pickups))}" if pickups else leg)
    return plan


def ring_group(plan: Plan, group) -> Plan:
    """Ring the group's members all at once or one after the other (with memory: from the one
    after the member who answered last), each for the group's ring time, then its no-answer
    destination."""
    org = plan.org
    members = list(group.members)
    key = f"{org.code}-{group.number}"
    if group.strategy == "memoryhunt":
        last = plan.lookup.answered_last(key)
        if last in members:
            after = members.index(last) + 1
            members = members[after:] + members[:after]
    legs_of = []  # (member, its leg)
    for member in members:
        leg = member_leg(org, member, plan.lookup)
        if leg and group.strategy == "memoryhunt":
            # The member who answers is remembered (mod_db, realm HUNT_REALM).
            leg = f"[execute_on_answer_lp_hunt=db insert/{HUNT_REALM}/{key}/{member}" + \
                  ("," if not leg.startswith("[]") else "") + leg[1:]
        if leg:
            legs_of.append((member, leg))
    plan.reached(f"ringgroup:{group.number}").add("set", "continue_on_fail=true").add("set", "hangup_after_bridge=true")
    music = playlist(org, group.music_class)
    if music:  # callers hear it instead of ringing
        plan.add("set", f"ringback={music}").add("set", "instant_ringback=true")
    if group.cid_prefix:
        plan.add("set", f"effective_caller_id_name={group.cid_prefix} ${{caller_id_name}}")
    seconds = ring_time(group.ring_seconds)
    plan.add("set", f"call_timeout={seconds}")
    # Each member rings the ring time from its own INVITE (leg_timeout), not from the call's start.
    legs_of = [(member, f"[leg_timeout={seconds}" + ("," if not leg.startswith("[]") else "") + leg[1:])
               for member, leg in legs_of]
    in_call_keys(plan, peer=True)
    ring_members(plan, legs_of, together=group.strategy == "ringall")
    if music:  # the group's music was for its own ringing only
        plan.add("unset", "ringback").add("unset", "instant_ringback")
    return destination(plan, group.no_answer or "hangup")


def queue_name(code: str, number: str) -> str:
    return f"{code}-{number}"


def agent_name(code: str, number: str, member: str) -> str:
    return f"{code}-{number}-{member}"


def queue(plan: Plan, found) -> Plan:
    """The caller waits in the queue (mod_callcenter) with the queue's music (else the org's),
    while its members are offered the call; a full queue sends it to its full destination at
    once, the longest wait to its timeout destination (after_queue)."""
    org = plan.org
    name = queue_name(org.code, found.number)
    if found.max_callers and plan.lookup.queue_waiting(name) >= found.max_callers:
        return destination(plan, found.full_destination or "hangup")
    plan.reached(f"queue:{found.number}")
    if found.record_calls:
        record(plan)
    music = playlist(org, found.music_class) or org_music(org)
    if music:
        plan.add("set", f"cc_moh_override={music}")
    plan.add("set", f"lp_queue={found.number}").add("set", f"lp_hops={plan.hops}")
    plan.add("set", "hangup_after_bridge=true").add("answer").add("callcenter", name)
    return plan.add("transfer", f"q${{cc_cancel_reason}} XML {QUEUE_CONTEXT}")


def after_queue(params: dict[str, str], lookup: Lookup) -> Plan:
    """Where a queue's caller goes once mod_callcenter let go of it: after the longest wait (or
    with nobody to take it), the queue's timeout destination; else (answered, hung up) nowhere."""
    found = resumed(params, lookup, QUEUE_EXIT, "lp_queue", lambda org, number: next(
        (q for q in org.queues if q.number == number), None))
    if found is None:
        return Plan(OrgPBXConfig("", 0)).refuse()
    plan, waited_in, step = found
    if step in QUEUE_TIMEOUTS:
        return destination(plan, waited_in.timeout_destination or "hangup")
    return plan.add("hangup", "NORMAL_CLEARING")


def queue_login(plan: Plan, ext: ExtensionConfig, number: str) -> Plan:
    """*45<queue>: a member of one of the org's queues with login logs in, or out when it was in
    (rising beeps: in, falling: out); anyone else, or another org's queue, is refused."""
    found = next((q for q in plan.org.queues if q.number == number), None)
    if found is None or not found.login_required or ext.number not in found.members:
        return plan.refuse()
    now_in = plan.lookup.queue_login(agent_name(plan.org.code, number, ext.number))
    if now_in is None:
        return plan.refuse("TEMPORARY_FAILURE")
    return acknowledged(plan, now_in)


def callcenter_queue(name: str, lookup: Lookup) -> str:
    """callcenter.conf as mod_callcenter asks it for one queue ("t1-500", when it first needs it
    and at each Apply's `queue reload`): the queue, its members as agents reached at the org's
    own phones only, and their tiers. A member's status is given only where the queue has no
    login (always in); with login, mod_callcenter keeps what the member last dialled."""
    match = QUEUE_NAME.fullmatch(name or "")
    org = lookup.plan_of(match.group(1)) if match else None
    found = next((q for q in org.queues if q.number == match.group(2)), None) if org else None
    if found is None:
        return not_found()
    params = {"strategy": CALLCENTER_STRATEGIES.get(found.strategy, "ring-all"),
              "max-wait-time": found.max_wait_seconds, "max-wait-time-with-no-agent": 0,
              "tier-rules-apply": "false", "discard-abandoned-after": 60, "abandoned-resume-allowed": "false",
              "skip-agents-with-external-calls": "true", "agent-no-answer-status": AVAILABLE,
              "time-base-score": "queue"}
    if found.announce_seconds:
        params.update({"announce-sound": QUEUE_ANNOUNCEMENT, "announce-frequency": found.announce_seconds})
    queue_xml = f"<queue name={quoteattr(name)}>{params_xml(params)}</queue>"
    agents, tiers = [], []
    for position, member in enumerate(found.members, start=1):
        if not any(ext.number == member for ext in org.extensions):
            continue
        agent = agent_name(org.code, found.number, member)
        variables, target = phone_leg(org, member)
        attributes = {"name": agent, "type": "callback",
                      "contact": f"[leg_timeout={ring_time(found.ring_seconds)},{variables}]{target}",
                      "max-no-answer": "0", "wrap-up-time": str(found.wrapup_seconds),
                      "reject-delay-time": str(QUEUE_RETRY_SECONDS), "busy-delay-time": str(QUEUE_RETRY_SECONDS),
                      "no-answer-delay-time": str(QUEUE_RETRY_SECONDS)}
        if not found.login_required:
            attributes["status"] = AVAILABLE
        agents.append("<agent " + " ".join(f"{k}={quoteattr(v)}" for k, v in attributes.items()) + "/>")
        tiers.append(f"<tier agent={quoteattr(agent)} queue={quoteattr(name)} level='1' position='{position}'/>")
    return _document("configuration", f'<configuration name="callcenter.conf" description="LittlePBX">'
                                      f"<settings/><queues>{queue_xml}</queues><agents>{''.join(agents)}</agents>"
                                      f"<tiers>{''.join(tiers)}</tiers></configuration>")


def voicemail(plan: Plan, ext: ExtensionConfig) -> Plan:
    return plan.reached(f"voicemail:{ext.number}").add("answer").add("voicemail", f"default {plan.org.code} {ext.number}").add("hangup")


def phone_leg(org: OrgPBXConfig, number: str) -> tuple[str, str]:
    """How to ring the org's phone: the variables of its leg (whose phone it is; once answered,
    a call the phone is on; a phone on TLS: its audio encrypted, or no call) and the dial string."""
    user = f"{org.code}-{number}"
    variables = f"lp_callee={user},execute_on_answer=limit hash {PHONE_REALM} {user}"
    if any(ext.number == number and ext.sip_transport == "tls" for ext in org.extensions):
        variables += ",rtp_secure_media=mandatory"
    return variables, f"sofia/{PROFILE}/{user}%{DOMAIN}"


def ring(plan: Plan, ext: ExtensionConfig) -> Plan:
    """Ring the extension's registered phone for its ring time, then what it does unanswered; a
    phone on a call goes at once where the extension sends busy calls, if it says; a phone that
    is not connected fails at once, and then goes where the extension sends such calls, if it
    says (decided in AFTER_CONTEXT by FreeSWITCH's reason)."""
    user = f"{plan.org.code}-{ext.number}"
    state = plan.lookup.phones.state(plan.org.code, ext.number)
    if state.forward_to:
        return phone_forward(plan, ext, state.forward_to)
    if state.dnd:
        return unanswered(plan, ext, follow=False)
    if (state.forward_busy or ext.when_busy) and plan.lookup.phone_calls(user) > 0:
        return busy(plan, ext, state)
    if not secure_enough(plan.lookup, plan.org, ext.number):
        # Registered over anything but TLS (or not at all): not rung, as not connected; the
        # audio's keys would cross the network in the clear.
        if ext.when_unregistered:
            return destination(plan, ext.when_unregistered)
        return unanswered(plan, ext, follow=False)
    if plan.outside_caller:
        plan.lookup.phones.rang(plan.org.code, ext.number, plan.outside_caller)
    if ext.record_calls:
        record(plan)
    plan.reached(ext.number).add("set", f"call_timeout={ring_time(ext.ring_seconds)}").add("set", "continue_on_fail=true")
    plan.add("set", "hangup_after_bridge=true")
    decide_after = bool(ext.when_unregistered or ext.when_busy or state.forward_busy)
    if decide_after:
        plan.add("set", f"lp_ringing={ext.number}").add("set", f"lp_hops={plan.hops}")
    variables, target = phone_leg(plan.org, ext.number)
    # Beside the phone, the call waits where the org's phones pick it up (**<number>, *8); the
    # phone's refusal (not connected, busy) still ends the ringing at once.
    pickups = ",".join(f"pickup/{key}" for key in pickup_keys(plan.org.code, ext))
    in_call_keys(plan, peer=True)
    plan.add("bridge", f"{{fail_on_single_reject=true}}[{variables}]{target},{pickups}")
    if decide_after:
        return plan.add("transfer", f"${{originate_failed_cause}} XML {AFTER_CONTEXT}")
    return unanswered(plan, ext)


def pickup_keys(code: str, ext: ExtensionConfig) -> tuple[str, str]:
    """Where a call ringing the extension's phone waits to be picked up (mod_dptools' pickup,
    one space for the whole server): by its number ("lp-p-t1-102", for **102) and by its pickup
    group ("lp-g-t1" the org's own, "lp-g-t1-sales", for *8). No two orgs' keys are alike: an
    org code holds no dash."""
    return f"lp-p-{code}-{ext.number}", f"lp-g-{pickup_group_of(code, ext)}"


def pickup(plan: Plan, ext: ExtensionConfig, dialled: str) -> Plan:
    """**<number>: the phone answers a call ringing on that phone of its own org; *8: one ringing
    on a phone of its own pickup group. Nothing ringing there: refused, as a number nobody has."""
    org = plan.org
    if dialled == GROUP_PICKUP:
        key = pickup_keys(org.code, ext)[1]
        plan.reached("pickup")
    else:
        number = dialled[len(PICKUP):]
        if not INTERNAL.fullmatch(number):
            return plan.refuse()
        key = f"lp-p-{org.code}-{number}"
        plan.reached(f"pickup:{number}")
    # The picked-up call's in-call keys (bound on its caller's leg for the phone that answers)
    # know this leg as the phone's.
    plan.add("set", f"lp_callee={org.code}-{ext.number}")
    return plan.add("pickup", key).refuse()


def in_call_keys(plan: Plan, peer: bool = False) -> Plan:
    """Let the phones in the call press the in-call keys (KEYS): the phone of this channel, if it
    is one (``plan.phone``), and with ``peer`` the org's phone that answers (its leg names it:
    lp_callee). An outside caller or upstream gets none. The keys are caught by FreeSWITCH's digit
    machine on this channel (each binding once) and sent to KEYS_CONTEXT on the leg that pressed
    them; a key that is none of them goes on to the other party."""
    bind = []
    if plan.phone and "self" not in plan.keys_bound:
        bind.append(("self", plan.phone))
    if peer and "peer" not in plan.keys_bound:
        bind.append(("peer", "\\${lp_callee}"))  # expanded when pressed, on the leg that answered
    if bind:
        plan.add("set", f"bind_digit_digit_timeout={KEY_WAIT_MS}")
    for leg, phone in bind:
        plan.keys_bound.add(leg)
        for keys in KEYS:
            plan.add("bind_digit_action", f"lp,{keys},exec:execute_extension,"
                                          f"\\${{last_matching_digits}} XML {KEYS_CONTEXT}-{phone},{leg},{leg}")
    return plan


def pressed_by(user: str, params: dict[str, str]) -> bool:
    """Whether the leg asking is the phone ``user``'s: a leg our plan rang it on (lp_callee), or
    the leg it called on (lp_org and lp_ext, from the directory)."""
    own = f"{params.get('variable_lp_org', '')}-{params.get('variable_lp_ext', '')}"
    return user in (params.get("variable_lp_callee"), own)


def key_step(user: str, pressed: str, params: dict[str, str], lookup: Lookup) -> Plan:
    """What the keys the org's phone ``user`` pressed during a call do, on its own leg: **1 sends
    the other party to the number, **0 calls the number first (the other party on hold; hanging
    up completes the transfer, as FreeSWITCH's att_xfer does). The number is read as the phone
    dials it (its org's numbers, outside ones as it may call them); any other, or keys that are
    none, play the wrong-key tone and the call goes on. #77 parks the other party (park), **3
    records the call (record_toggle)."""
    found = phone_of(lookup, user) if pressed_by(user, params) else None
    keys = TRANSFER_KEYS.fullmatch(pressed)
    if found is None or (keys is None and pressed not in (PARK, RECORD)):
        return Plan(OrgPBXConfig("", 0)).add("playback", WRONG_KEY)
    org, ext = found
    plan = Plan(org, lookup)
    if pressed == PARK:
        return park(plan, ext)
    if pressed == RECORD:
        return record_toggle(plan, params)
    kind, number = keys.groups()
    if reachable(org, ext, number) is None:
        return plan.add("playback", WRONG_KEY)
    if kind == "1":
        return plan.add("transfer", f"-bleg {number} XML {TRANSFER_CONTEXT}-{user}")
    # The consultation's loopback pair stays (no "bowout"): att_xfer joins the other party to it.
    return plan.add("att_xfer", f"{{loopback_bowout=false}}loopback/{number}/{TRANSFER_CONTEXT}-{user}")


def record_toggle(plan: Plan, params: dict[str, str]) -> Plan:
    """**3 pressed by the org's phone: its call is recorded from now on, both sides mixed, as its
    configuration's recordings are (named after the call's first leg: the call history's id), or
    no more when **3 started it; a recording its configuration asks for goes on."""
    prefix = f"{plan.lookup.recordings}/lp-{plan.org.code}-"
    running = params.get("variable_lp_on_demand", "")
    if running:
        if not (running.startswith(prefix) and re.fullmatch(r"[0-9]+-[0-9a-f-]{36}\.wav", running[len(prefix):])):
            return plan.add("playback", WRONG_KEY)
        return plan.add("stop_record_session", running).add("unset", "lp_on_demand")
    if params.get("variable_lp_recording") == "yes":
        return plan
    # The leg a call rang knows the caller's leg as its originator.
    call = params.get("variable_originator") or params.get("Unique-ID", "")
    if not plan.lookup.recordings or not CALL_ID.fullmatch(call):
        return plan.add("playback", WRONG_KEY)
    path = f"{prefix}{int(plan.lookup.now().timestamp())}-{call}.wav"
    return plan.add("set", "RECORD_STEREO=false").add("set", f"lp_on_demand={path}").add("record_session", path)


def parking_lot(org: OrgPBXConfig) -> str:
    """The org's own parking lot, named as Asterisk's: "lp-t1-701-720"."""
    return f"lp-{org.code}-{org.callsettings.parking_range}"


def parking_slots(org: OrgPBXConfig) -> list[str]:
    first = org.callsettings.parking_first
    return [str(slot) for slot in range(first, first + org.callsettings.parking_slots)]


def park(plan: Plan, ext: ExtensionConfig) -> Plan:
    """#77 pressed by the extension's phone: the other party goes to PARK_CONTEXT to wait in the
    first free slot of the org's lot (the XML server keeps it for that call), and the phone is
    out of the call. A full lot: the wrong-key tone, and the call goes on."""
    slot = plan.lookup.free_slot(parking_lot(plan.org), parking_slots(plan.org))
    if slot is None:
        return plan.add("playback", WRONG_KEY)
    return plan.add("transfer", f"-bleg {slot} XML {PARK_CONTEXT}-{plan.org.code}-{ext.number}")


def parked_here(user: str, slot: str, params: dict[str, str], lookup: Lookup) -> Plan:
    """The call the org's phone ``user`` parked, into ``slot`` of the org's lot, with the org's
    music (mod_valet_parking). Nobody takes it within PARK_SECONDS: it goes on in ORBIT_CONTEXT
    (unparked)."""
    found = phone_of(lookup, user)
    if found is None or slot not in parking_slots(found[0]):
        return Plan(OrgPBXConfig("", 0)).refuse()
    org, ext = found
    plan = admit(resumed_plan(org, params, lookup), slot, counted=True).reached(f"parked:{slot}")
    plan.add("set", f"valet_parking_timeout={lookup.park_seconds}")
    plan.add("set", f"valet_parking_orbit_exten={ext.number}").add("set", "valet_parking_orbit_dialplan=XML")
    plan.add("set", f"valet_parking_orbit_context={ORBIT_CONTEXT}-{org.code}-{ext.number}")
    plan.add("valet_park", f"{parking_lot(org)} {slot}")
    return plan.add("hangup", "NORMAL_CLEARING")


def take_parked(plan: Plan, slot: str) -> Plan:
    """A phone of the org dialled one of its parking slots: the call parked there, if one is
    (FreeSWITCH would park the caller itself in an empty slot: then it waits 1 s, and is refused)."""
    plan.reached(f"parked:{slot}")
    if slot not in plan.lookup.parked(parking_lot(plan.org)):
        return plan.refuse()
    plan.add("set", "valet_parking_timeout=1")
    plan.add("valet_park", f"{parking_lot(plan.org)} {slot}")
    return plan.refuse()


def unparked(user: str, params: dict[str, str], lookup: Lookup) -> Plan:
    """A parked call nobody took: it rings the phone that parked it (``user``), then goes where
    that extension's unanswered calls go (as a call to its number, of the call's own org)."""
    found = phone_of(lookup, user)
    if found is None:
        return Plan(OrgPBXConfig("", 0)).refuse()
    org, ext = found
    slot = params.get("variable_valet_lot_extension", "")
    if slot in parking_slots(org):
        lookup.slot_left(parking_lot(org), slot)
    plan = resumed_plan(org, params, lookup)
    return destination(admit(plan, ext.number, counted=True), ext.number)


def transferred(user: str, dialled: str, params: dict[str, str], lookup: Lookup) -> Plan:
    """A call the org's phone ``user`` transferred (or the consultation call of an attended
    transfer): on to ``dialled`` as that phone dials it. The call stays the org's (counted once);
    an outside caller stays one; the org's phone on this leg, if it is one, keeps its keys."""
    found = phone_of(lookup, user)
    if found is None or not DIALLED.fullmatch(dialled):
        return Plan(OrgPBXConfig("", 0)).refuse()
    org, ext = found
    return dial(admit(resumed_plan(org, params, lookup), dialled, counted=True), ext, dialled)


def after_ringing(params: dict[str, str], lookup: Lookup) -> Plan:
    """Where a call goes on after the extension's phone did not take it, by FreeSWITCH's reason:
    not connected, or busy (the phone said so), where the extension sends such calls if it says;
    else as unanswered."""
    found = resumed(params, lookup, CAUSE, "lp_ringing", lambda org, number: next(
        (e for e in org.extensions if e.number == number), None))
    if found is None:
        return Plan(OrgPBXConfig("", 0)).refuse()
    plan, ext, cause = found
    if cause in NOT_CONNECTED and ext.when_unregistered:
        return destination(plan, ext.when_unregistered)
    state = plan.lookup.phones.state(plan.org.code, ext.number)
    if cause == "USER_BUSY" and (state.forward_busy or ext.when_busy):
        return busy(plan, ext, state)
    return unanswered(plan, ext)


def busy(plan: Plan, ext: ExtensionConfig, state: PhoneState) -> Plan:
    """A call finding the extension's phone busy: where its user forwards busy calls, else where
    the admin sends them."""
    plan.reached(f"busy:{ext.number}")
    return phone_forward(plan, ext, state.forward_busy) if state.forward_busy else destination(plan, ext.when_busy)


def phone_forward(plan: Plan, ext: ExtensionConfig, target: str) -> Plan:
    """A call the extension's user forwarded: to one of the org's numbers, or to an outside one
    only while the extension may still call it (else as the admin handles unanswered calls)."""
    if (target.startswith("+") or len(target) >= 7) and not may_call(plan.org, ext, target):
        return admin_unanswered(plan, ext)
    return destination(plan, target)


def unanswered(plan: Plan, ext: ExtensionConfig, follow: bool = True) -> Plan:
    """What the extension does with a call its phone did not answer (or, on do not disturb, was
    not rung): its follow-me numbers (after ringing), then where its user forwards such calls,
    else its no-answer destination."""
    if follow:
        follow_me(plan, ext)
    state = plan.lookup.phones.state(plan.org.code, ext.number)
    if state.forward_unanswered:
        return phone_forward(plan, ext, state.forward_unanswered)
    return admin_unanswered(plan, ext)


def admin_unanswered(plan: Plan, ext: ExtensionConfig) -> Plan:
    """The extension's no-answer destination as its admin set it: voicemail, a forward or hang up."""
    if ext.no_answer == NO_ANSWER_VOICEMAIL and ext.voicemail_enabled:
        return voicemail(plan, ext)
    if ext.no_answer == NO_ANSWER_FORWARD and ext.forward_to:
        return destination(plan, ext.forward_to)
    return plan.add("hangup", "NO_ANSWER")


def outside(plan: Plan, number: str, caller_id: str | None) -> Plan:
    """Call ``number`` through the org's outbound upstream (none: refused), then its failover
    upstream when the first cannot take the call."""
    org = plan.org
    trunk = org.trunk("outbound")
    if trunk is None:
        return plan.refuse()
    plan.reached(number).add("set", "continue_on_fail=NORMAL_TEMPORARY_FAILURE,NETWORK_OUT_OF_ORDER,SERVICE_UNAVAILABLE,"
                    "DESTINATION_OUT_OF_ORDER,RECOVERY_ON_TIMER_EXPIRE")
    plan.add("set", "hangup_after_bridge=true")
    if caller_id:
        plan.add("set", f"effective_caller_id_number={caller_id}")
    # No phone answers here: keys a phone this call had answered before bound are dropped.
    plan.add("clear_digit_action", "lp,peer")
    in_call_keys(plan)
    for upstream in filter(None, (trunk, org.trunk("failover"))):
        registered = upstream is trunk and trunk.register  # through its registration's gateway
        plan.add("bridge", f"sofia/gateway/{gateway_name(org.code)}/{number}" if registered
                 else dial_string(upstream, number))
    return plan.add("hangup", "NORMAL_TEMPORARY_FAILURE")


def dial_string(trunk, number: str) -> str:
    """A SIP URI at the upstream, with its credentials for a challenge (write_org refused any
    credential FreeSWITCH would read as syntax)."""
    options = [f"sip_auth_username={trunk.username}", f"sip_auth_password={trunk.password}"] if trunk.username else []
    if trunk.from_user:
        options.append(f"sip_from_user={trunk.from_user}")
    if trunk.from_domain:
        options.append(f"sip_invite_domain={trunk.from_domain}")
    host = f"[{trunk.host}]" if ":" in trunk.host else trunk.host
    prefix = "{" + ",".join(options) + "}" if options else ""
    return f"{prefix}sofia/{PROFILE}/sip:{number}@{host}:{trunk.port};transport={trunk.transport}"
