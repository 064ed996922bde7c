"""Everything the rest of LittlePBX asks of a PBX (:class:`PBXBackend`), the shapes it is given,
and the registry that picks a backend by configuration.

A backend only ever sees one organization's live configuration at a time (an
:class:`OrgPBXConfig`), and writes it inside a database transaction that the applier owns:
the backend never commits. Nothing outside ``pbx_backends`` knows which PBX runs.
"""
from __future__ import annotations

import abc
import importlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# Call flow after ringing (Extension.no_answer).
NO_ANSWER_VOICEMAIL = "voicemail"
NO_ANSWER_FORWARD = "forward"
NO_ANSWER_HANGUP = "hangup"
NO_ANSWER_ACTIONS = (NO_ANSWER_VOICEMAIL, NO_ANSWER_FORWARD, NO_ANSWER_HANGUP)
# How a ring group rings its members: all at once; one by one in order; one by one, starting
# after the member who answered last.
RING_STRATEGIES = ("ringall", "hunt", "memoryhunt")
# Transports towards upstreams that the PBX serves, and that phones may use (TLS with SRTP audio).
TRANSPORTS = ("udp", "tcp", "tls")
PHONE_TRANSPORTS = TRANSPORTS


@dataclass(frozen=True)
class ExtensionConfig:
    """One phone of the organization, as the PBX must know it."""

    number: str
    display_name: str
    sip_password: str
    ring_seconds: int
    no_answer: str
    forward_to: str | None
    voicemail_enabled: bool
    voicemail_pin: str | None
    voicemail_email: str | None
    sip_transport: str = "udp"  # how the phone connects: PHONE_TRANSPORTS (tls: with SRTP)
    outside_calls: str = "all"  # "all", "national" (not abroad) or "none" (emergency numbers only)
    record_calls: bool = False  # every call to or from it is recorded
    # Where a call goes while the phone is busy / not registered (None: it rings / as unanswered).
    when_busy: str | None = None
    when_unregistered: str | None = None
    # Rung after the phone itself, before no_answer: extensions and outside numbers, one by one
    # ("one_by_one", each ring_seconds) or "together"; outside ones press 1 to take the call
    # when follow_me_confirm.
    follow_me: tuple[str, ...] = ()
    follow_me_order: str = "one_by_one"
    follow_me_confirm: bool = True
    outbound_caller_id: str | None = None  # one of the org's DIDs (None: its first)
    pickup_group: str | None = None  # *8 answers calls ringing in the same group (None: the org's own)


@dataclass(frozen=True)
class BlockedCallerConfig:
    """Calls from ``number`` (``match`` "exact", or "prefix": every number beginning so) go to
    ``then_destination``, or are refused (None)."""

    number: str
    match: str
    then_destination: str | None
    note: str = ""


@dataclass(frozen=True)
class PhoneState:
    """What an extension's user switched from the phone (or the page), live at once."""

    dnd: bool = False               # calls go where unanswered ones go, without ringing
    forward_to: str | None = None   # every call goes to this number (internal or outside)
    forward_busy: str | None = None        # calls while the phone is busy go there
    forward_unanswered: str | None = None  # calls it leaves unanswered (or with dnd) go there


@dataclass(frozen=True)
class PhoneBlock:
    """A caller a phone's user blocked (*32 blocks the last outside caller that rang the phone):
    refused on every number of the organization until someone unblocks it; live at once."""

    number: str                     # as the caller presented it ("+14155550100")
    extension: str | None           # the extension that blocked it
    created: datetime | None = None


@dataclass(frozen=True)
class DidConfig:
    """An E.164 number of the organization and where its calls go (a destination, as
    littlepbx.fields.Destination writes it: "101", "voicemail:101", "ringgroup:600", ...)."""

    number: str
    destination: str | None
    record_calls: bool = False  # every call to it is recorded


@dataclass(frozen=True)
class TrunkConfig:
    """One upstream SIP trunk (direction is 'inbound' or 'outbound')."""

    direction: str
    host: str
    port: int
    transport: str
    username: str | None
    password: str | None
    register: bool
    from_user: str | None
    from_domain: str | None
    source_addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class MohConfig:
    """Music on hold, when enabled: one of the org's music classes, or else the converted file."""

    enabled: bool
    path: str | None
    music_class: str | None = None


@dataclass(frozen=True)
class RingGroupConfig:
    """A ring group: its members (extension numbers, outside numbers) rung by ``strategy``."""

    number: str
    name: str
    members: tuple[str, ...]
    strategy: str          # one of RING_STRATEGIES
    ring_seconds: int
    cid_prefix: str
    no_answer: str         # a destination
    music_class: str | None = None  # callers hear it instead of ringing; None: they hear ringing


@dataclass(frozen=True)
class TimeConditionConfig:
    """Opening hours ("mon-fri 09:00-17:00") and holidays ("2026-12-25") in ``timezone`` choose
    between two destinations; ``toggle_code`` lets a phone force it (``*28<code>``)."""

    name: str
    title: str
    schedule: tuple[str, ...]
    holidays: tuple[str, ...]
    open_destination: str
    closed_destination: str
    toggle_code: int | None
    timezone: str


@dataclass(frozen=True)
class PagingGroupConfig:
    """A number that pages ``members`` (extension numbers): their phones answer on speaker and
    hear the caller, for at most ``seconds``."""

    number: str
    name: str
    members: tuple[str, ...]
    seconds: int


@dataclass(frozen=True)
class DialRuleConfig:
    """Numbers a phone dials matching ``pattern`` (digits, X, N, Z, a final ".") go out as
    ``prepend`` + the number less its first ``strip`` digits; ``international``: a call abroad."""

    pattern: str
    strip: int
    prepend: str
    international: bool
    note: str = ""


@dataclass(frozen=True)
class ConferenceConfig:
    """A conference room: ``pin`` (None: none) asked of everyone, ``moderator_pin`` makes the one
    who enters it the moderator; with ``wait_for_moderator`` members hear music until the
    moderator joins; at most ``max_members`` in the room; ``music_class`` (None: the org's music
    on hold) while alone or waiting."""

    number: str
    name: str
    pin: str | None
    moderator_pin: str | None
    wait_for_moderator: bool
    max_members: int
    music_class: str | None = None


@dataclass(frozen=True)
class CallSettingsConfig:
    """The organization's parking slots (its own lot: parking_first and the next ones) and the
    announcement (by name) outside callers hear before a recorded call goes on."""

    parking_first: int = 701
    parking_slots: int = 20
    recording_notice: str | None = None

    @property
    def parking_range(self) -> str:
        """"701-720"."""
        return f"{self.parking_first}-{self.parking_first + self.parking_slots - 1}"


@dataclass(frozen=True)
class AnnouncementConfig:
    """A recording (a converted WAV, or None: nothing to play) played to the caller, who then goes
    on to ``then_destination``."""

    name: str
    title: str
    recording: str | None
    then_destination: str


@dataclass(frozen=True)
class MusicClassConfig:
    """Named music: converted files (WAV paths) played in order, or at random with ``shuffle``."""

    name: str
    title: str
    files: tuple[str, ...]
    shuffle: bool


# How a queue offers a call to its members, in app_queue's words.
QUEUE_STRATEGIES = ("ringall", "rrmemory", "leastrecent", "fewestcalls", "random")
# What a queue's member dials, then the queue's number, to log in (or out) where members log in.
QUEUE_LOGIN_PREFIX = "*45"


@dataclass(frozen=True)
class QueueConfig:
    """A queue: callers wait (at most ``max_wait_seconds``, then ``timeout_destination``; at most
    ``max_callers`` of them, 0 for no limit, else ``full_destination``) while ``members``
    (extension numbers; with ``login_required`` only those logged in from their phone) are
    offered each call by ``strategy``; the position is told every ``announce_seconds`` (0: never)."""

    number: str
    name: str
    members: tuple[str, ...]
    login_required: bool
    strategy: str
    ring_seconds: int
    wrapup_seconds: int
    max_wait_seconds: int
    timeout_destination: str
    max_callers: int
    full_destination: str
    announce_seconds: int
    music_class: str | None = None  # one of the org's music classes; None: its music on hold
    record_calls: bool = False  # every call through it is recorded


@dataclass(frozen=True)
class QueueFigures:
    """One queue's figures: callers waiting now, and since a moment calls answered, abandoned
    and given up on (timed out or left empty), with the average wait of the answered ones."""

    waiting: int
    answered: int
    abandoned: int
    timed_out: int
    average_wait_seconds: float | None


# The keys a menu's options use, in the order a phone's keypad shows them.
IVR_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#")


@dataclass(frozen=True)
class IvrConfig:
    """A menu: ``greeting`` (a converted WAV, or None for the PBX's own prompt) is played, then a
    key of ``options`` ((key, destination) pairs) leads on; with ``direct_dial`` a caller may type
    an internal number. No key within ``timeout_seconds``, or a key that is no option, plays it
    again up to ``repeats`` times, then goes to ``timeout_destination`` / ``invalid_destination``."""

    name: str
    title: str
    greeting: str | None
    options: tuple[tuple[str, str], ...]
    direct_dial: bool
    timeout_seconds: int
    repeats: int
    timeout_destination: str
    invalid_destination: str


@dataclass(frozen=True)
class OrgPBXConfig:
    """Everything the PBX must know about one organization (one attribute per kind)."""

    code: str
    max_concurrent_calls: int
    extensions: tuple[ExtensionConfig, ...] = ()
    dids: tuple[DidConfig, ...] = ()
    trunks: tuple[TrunkConfig, ...] = ()
    moh: MohConfig = field(default_factory=lambda: MohConfig(False, None))
    ringgroups: tuple[RingGroupConfig, ...] = ()
    timeconditions: tuple[TimeConditionConfig, ...] = ()
    ivrs: tuple[IvrConfig, ...] = ()
    paginggroups: tuple[PagingGroupConfig, ...] = ()
    queues: tuple[QueueConfig, ...] = ()
    musicclasses: tuple[MusicClassConfig, ...] = ()
    announcements: tuple[AnnouncementConfig, ...] = ()
    blocked_callers: tuple[BlockedCallerConfig, ...] = ()
    conferences: tuple[ConferenceConfig, ...] = ()
    dialrules: tuple[DialRuleConfig, ...] = ()
    callsettings: CallSettingsConfig = field(default_factory=CallSettingsConfig)
    country_code: str = ""  # the org's calling code ("1", "49"): "+" numbers beginning otherwise go abroad
    # Numbers its phones may always dial, whatever the call limit, through its upstream, and the
    # caller ID they go out with (None: its first DID).
    emergency_numbers: tuple[str, ...] = ()
    emergency_caller_id: str | None = None

    def trunk(self, direction: str) -> TrunkConfig | None:
        """The trunk for 'inbound' or 'outbound', if the organization has one."""
        return next((t for t in self.trunks if t.direction == direction), None)


@dataclass(frozen=True)
class CallInProgress:
    """One call of an organization that is up now."""

    caller: str
    callee: str
    state: str
    started_at: datetime | None


# The columns of a call record, as the call history answers them. ``dialed``: what the caller
# dialled (a number, or the DID an upstream call came in on); ``reached``: where the call ended,
# written as a destination is ("101", "voicemail:101", "ringgroup:600", "+14155550100"), or
# "refused" or "busy".
CALL_RECORD_COLUMNS = ("calldate", "answer", "endtime", "clid", "src", "dst", "dstchannel", "lastapp",
                       "duration", "billsec", "disposition", "uniqueid", "dialed", "reached")


# How a call ended, as the call history's filter and the Stats page say it.
CALL_RESULTS = ("answered", "missed", "voicemail", "refused", "busy")


def result_criterion(result: str, reached, lastapp, disposition):
    """The SQL condition on a call record's columns (``reached``: the dialplan's lp_reached) for
    calls that ended with ``result``: refused (or blocked) or busy as the dialplan wrote it, else
    the mailbox when it took the call, else answered or missed by the record's disposition (the
    Stats page's outcome() says the same)."""
    from sqlalchemy import and_, func, not_, or_
    reached = func.coalesce(reached, "")
    kinds = {"refused": reached.in_(("refused", "blocked")), "busy": reached == "busy",
             "voicemail": or_(func.lower(func.coalesce(lastapp, "")) == "voicemail", reached.like("voicemail:%"))}
    if result in kinds:
        earlier = [kinds[name] for name in ("refused", "busy", "voicemail")[:("refused", "busy", "voicemail").index(result)]]
        return and_(kinds[result], *map(not_, earlier))
    answered = func.coalesce(disposition, "") == "ANSWERED"
    return and_(*map(not_, kinds.values()), answered if result == "answered" else not_(answered))


class BackendError(Exception):
    """The PBX could not do what was asked; the message says why."""


class PBXBackend(abc.ABC):
    """The operations the applier, the services and the pages need from a PBX.

    Subclasses set ``name`` and are registered with :func:`register`. Questions about live state
    answer None (or raise BackendError) when the PBX cannot tell; they never guess.
    """

    name: str = ""

    def __init__(self, config: dict):
        self.config = config

    @classmethod
    def enabled(cls) -> bool:
        """Whether the backend's optional dependencies import on this machine."""
        return True

    # --- configuration: written in the applier's transaction ---------------------------------

    @abc.abstractmethod
    def write_org(self, connection, org: OrgPBXConfig) -> list[str]:
        """Replace the organization's rows in the PBX's tables; returns notes on what went live
        otherwise than asked (an upstream address another organization holds stays its own), which
        the Apply's message carries.

        ``connection`` is a SQLAlchemy Connection inside the applier's transaction; do not
        commit or roll back. Raise BackendError for a configuration the PBX cannot carry out."""

    @abc.abstractmethod
    def after_commit(self, org: OrgPBXConfig) -> None:
        """Make the committed rows effective for this organization only (e.g. expire its cached
        objects, refresh its upstream registration). Never reloads anything."""

    @abc.abstractmethod
    def remove_org(self, connection, code: str) -> None:
        """Delete every row the organization has in the PBX (inside the caller's transaction)."""

    @abc.abstractmethod
    def after_remove(self, code: str) -> None:
        """After the removal's commit: stop what still runs for the org and delete its files."""

    @abc.abstractmethod
    def housekeeping(self, force: bool = False) -> None:
        """Upkeep the worker asks for on every tick (e.g. retrying what after_commit could not
        do); cheap when there is nothing to do. ``force`` skips any throttling."""

    @abc.abstractmethod
    def retry_after_commit(self) -> None:
        """Try again what after_commit of this process could not do (a worker shard process
        asks on every tick; housekeeping does it too). Cheap when nothing is owed."""

    # --- live state ------------------------------------------------------------------------

    @abc.abstractmethod
    def active_calls(self, code: str) -> int:
        """How many calls the organization has right now (BackendError when the PBX cannot tell)."""

    @abc.abstractmethod
    def did_calls(self, code: str, numbers: list[str]) -> dict[str, int] | None:
        """Calls arriving now on each of the org's DIDs (E.164 numbers); None when the PBX cannot tell."""

    @abc.abstractmethod
    def current_calls(self, code: str) -> list[CallInProgress] | None:
        """The organization's calls that are up now; None when the PBX cannot tell."""

    @abc.abstractmethod
    def registered_extensions(self, connection, code: str) -> set[str] | None:
        """Numbers of the org's extensions with a live registration, read through ``connection``;
        None when this PBX cannot tell."""

    @abc.abstractmethod
    def registration_state(self, code: str) -> str | None:
        """The org's outbound upstream registration state ('Registered', 'Rejected', ...);
        None when it has none or the PBX cannot tell."""

    @abc.abstractmethod
    def call_history(self, connection, code: str, since: datetime | None, until: datetime | None,
                     offset: int, limit: int, number: str | None = None,
                     result: str | None = None) -> tuple[list[dict], int]:
        """One page of the org's call records in [since, until), newest first (each a dict of
        CALL_RECORD_COLUMNS, times as naive UTC datetimes), and how many there are; with
        ``number`` (digits), only calls from, to (dialled) or reaching a number containing them;
        with ``result`` (one of CALL_RESULTS), only calls that ended so (result_criterion)."""

    @abc.abstractmethod
    def health(self) -> dict:
        """A small JSON-able report: at least {"ok": bool}."""

    def system_figures(self, connection) -> dict[str, dict[str, int]]:
        """Every organization's figures at once, for the operator's metrics: {"calls": {code: n},
        "registered": {code: n}}; an empty dict for what the PBX cannot tell."""
        return {}

    # --- switches that act at once, without an Apply -----------------------------------------

    def phone_states(self, code: str) -> dict[str, PhoneState]:
        """{extension: PhoneState} of the org's applied extensions, as their users switched them."""
        raise BackendError(f"{self.name}: phones cannot switch do-not-disturb or forwarding here")

    def set_phone_state(self, code: str, number: str, state: PhoneState) -> None:
        """Switch an applied extension's do-not-disturb and forwards at once (no Apply)."""
        raise BackendError(f"{self.name}: phones cannot switch do-not-disturb or forwarding here")

    def phone_blocks(self, code: str) -> list[PhoneBlock]:
        """The callers the org's phones blocked (*32), newest first."""
        raise BackendError(f"{self.name}: phones cannot block callers here")

    def unblock(self, code: str, number: str) -> bool:
        """Remove the phones' block of ``number`` (digits, "+" or not); whether there was one."""
        raise BackendError(f"{self.name}: phones cannot block callers here")

    @abc.abstractmethod
    def time_overrides(self, code: str) -> dict[str, str]:
        """{name: "open" or "closed"} of the org's live time conditions forced now (the others
        follow their hours)."""

    @abc.abstractmethod
    def set_time_override(self, code: str, name: str, state: str) -> None:
        """Force the org's live time condition ``name`` "open" or "closed", or ("auto") return it
        to its hours, at once; BackendError when the org has no such live time condition."""

    @abc.abstractmethod
    def queue_figures(self, code: str, since: datetime) -> dict[str, QueueFigures]:
        """{queue number: its figures} of the org's live queues, counted from ``since`` (UTC)."""

    # --- backup and restore (littlepbx.services.backup) -------------------------------------

    def export_state(self, connection, code: str) -> dict[str, list[dict]]:
        """What the PBX keeps of the organization that no Apply writes (call history, what its
        phones switched, agents logged in to queues), by name, as plain rows for a backup."""
        return {}

    def import_state(self, connection, code: str, state: dict[str, list[dict]]) -> None:
        """Put export_state's rows back for a restored organization, inside the caller's transaction,
        after write_org; BackendError for a name this backend does not know."""
        if state:
            raise BackendError(f"{self.name}: cannot restore {', '.join(sorted(state))}")

    def org_files(self, code: str) -> dict[str, Path]:
        """Directories the PBX keeps files of the organization in (its voicemail), by name."""
        return {}

    def restore_files(self, code: str, name: str, source: Path) -> None:
        """Make ``source`` the organization's directory ``name`` of org_files (after the restore's
        commit), owned as the PBX needs it; what was there before is deleted."""
        raise BackendError(f"{self.name}: cannot restore files named {name!r}")

    # --- files -----------------------------------------------------------------------------

    @abc.abstractmethod
    def convert_audio(self, source: str | os.PathLike, target: str | os.PathLike,
                      max_seconds: int = 600) -> None:
        """Convert an uploaded audio file (music, prompts) into ``target`` in the form this PBX
        plays without effort; BackendError when the file is not audio the PBX can use."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release what the backend holds (connections) when its process is done with it."""


_registry: dict[str, type[PBXBackend]] = {}


def register(backend_cls: type[PBXBackend]) -> type[PBXBackend]:
    """Add a backend class to the registry under its ``name``; usable as a decorator."""
    _registry[backend_cls.name] = backend_cls
    return backend_cls


def backend_class(name: str) -> type[PBXBackend]:
    """The class registered as ``name``, or one given as 'package.module:Class'."""
    if ":" in name:
        module_name, _, class_name = name.partition(":")
        return getattr(importlib.import_module(module_name), class_name)
    try:
        importlib.import_module(f"littlepbx.pbx_backends.{name}")
        return _registry[name]
    except (ImportError, KeyError):
        raise BackendError(f"unknown PBX backend {name!r}; known: {sorted(_registry) or ['asterisk']}") from None


def create_backend(name: str, config: dict) -> PBXBackend:
    """Instantiate the configured backend, refusing one whose dependencies are missing."""
    cls = backend_class(name)
    if not cls.enabled():
        raise BackendError(f"PBX backend {name!r} cannot run on this machine")
    return cls(config)
