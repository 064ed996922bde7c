"""The realtime tables Asterisk reads (and partly writes), as SQLAlchemy Core tables.

Column names and types follow Asterisk 22's own realtime schema (contrib/ast-db-manage);
only the columns LittlePBX sets or Asterisk writes are declared. Identifier columns use a
binary collation: MariaDB's default collation would let ``T1-101`` find ``t1-101``.
The ``lp_*`` tables are LittlePBX's own: the per-call plan the generic dialplan reads
with REALTIME_FIELD.  sql/migrations/versions/0002_asterisk_realtime.py creates them.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.mysql import DATETIME

BIN = "utf8mb4_bin"
metadata = MetaData()


def ident(length: int = 80) -> String:
    """A case- and accent-sensitive identifier column type."""
    return String(length, collation=BIN)


ps_endpoints = Table(
    "ps_endpoints", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(), index=True),
    Column("transport", String(40)),
    Column("aors", String(200)),
    Column("auth", String(80)),
    Column("outbound_auth", String(80)),
    Column("context", String(40)),
    Column("message_context", String(40)),
    Column("disallow", String(200)),
    Column("allow", String(200)),
    Column("direct_media", String(3)),
    Column("dtmf_mode", String(10)),
    Column("force_rport", String(3)),
    Column("rewrite_contact", String(3)),
    Column("rtp_symmetric", String(3)),
    Column("callerid", String(120)),
    Column("mailboxes", String(120)),
    Column("moh_suggest", String(80)),
    Column("from_user", String(80)),
    Column("from_domain", String(80)),
    Column("send_pai", String(3)),
    Column("trust_id_inbound", String(3)),
    Column("language", String(40)),
    Column("allow_subscribe", String(3)),
    Column("device_state_busy_at", Integer),
    Column("identify_by", String(80)),
    Column("send_connected_line", String(3)),
    Column("set_var", Text),
    Column("media_encryption", String(10)),
    Column("media_encryption_optimistic", String(3)),
    Column("named_call_group", String(80)),
    Column("named_pickup_group", String(80)),
)

ps_auths = Table(
    "ps_auths", metadata,
    Column("id", ident(), primary_key=True),
    Column("auth_type", String(20)),
    Column("username", ident()),
    Column("password", String(80)),
    Column("md5_cred", String(40)),
    Column("realm", String(80)),
)

ps_aors = Table(
    "ps_aors", metadata,
    Column("id", ident(), primary_key=True),
    Column("contact", String(255)),
    Column("default_expiration", Integer),
    Column("minimum_expiration", Integer),
    Column("maximum_expiration", Integer),
    Column("max_contacts", Integer),
    Column("remove_existing", String(3)),
    Column("qualify_frequency", Integer),
    Column("qualify_timeout", Float),
    Column("authenticate_qualify", String(5)),
    Column("mailboxes", String(120)),
    Column("outbound_proxy", String(255)),
    Column("support_path", String(3)),
)

# Asterisk writes every column here on REGISTER; a missing one silently loses the contact.
ps_contacts = Table(
    "ps_contacts", metadata,
    Column("id", ident(255), primary_key=True),
    Column("uri", String(511)),
    Column("expiration_time", BigInteger),
    Column("qualify_frequency", Integer),
    Column("outbound_proxy", String(255)),
    Column("path", Text),
    Column("user_agent", String(255)),
    Column("qualify_timeout", Float),
    Column("reg_server", String(255)),
    Column("authenticate_qualify", String(5)),
    Column("via_addr", String(64)),
    Column("via_port", Integer),
    Column("call_id", String(255)),
    Column("endpoint", ident(), index=True),
    Column("prune_on_boot", String(5)),
    Column("qualify_2xx_only", String(5)),
)

ps_registrations = Table(
    "ps_registrations", metadata,
    Column("id", ident(), primary_key=True),
    Column("server_uri", String(255)),
    Column("client_uri", String(255)),
    Column("contact_user", String(80)),
    Column("transport", String(40)),
    Column("outbound_auth", String(80)),
    Column("outbound_proxy", String(255)),
    Column("endpoint", ident()),
    Column("line", String(3)),
    Column("expiration", Integer),
    Column("retry_interval", Integer),
    Column("forbidden_retry_interval", Integer),
    Column("fatal_retry_interval", Integer),
    Column("max_retries", Integer),
    Column("auth_rejection_permanent", String(3)),
    Column("support_path", String(3)),
)

# app_voicemail reads boxes here and writes a changed password back.
voicemail = Table(
    "voicemail", metadata,
    Column("uniqueid", Integer, primary_key=True, autoincrement=True),
    Column("context", ident(), nullable=False, index=True),
    Column("mailbox", ident(), nullable=False),
    Column("password", String(80), nullable=False),
    Column("fullname", String(80)),
    Column("alias", String(80)),
    Column("email", String(254)),
    Column("pager", String(254)),
    Column("attach", String(3)),
    Column("attachfmt", String(10)),
    Column("serveremail", String(254)),
    Column("language", String(20)),
    Column("tz", String(30)),
    Column("deletevoicemail", String(3)),
    Column("saycid", String(3)),
    Column("sendvoicemail", String(3)),
    Column("review", String(3)),
    Column("envelope", String(3)),
    Column("maxmsg", Integer),
    Column("stamp", DateTime),
    UniqueConstraint("context", "mailbox", name="uq_voicemail_context_mailbox"),
)

# The files of a music class played as a playlist (mode "playlist"): paths without ".wav".
musiconhold_entry = Table(
    "musiconhold_entry", metadata,
    Column("name", ident(), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("entry", String(1024), nullable=False),
)

musiconhold = Table(
    "musiconhold", metadata,
    Column("name", ident(), primary_key=True),
    Column("mode", String(20)),
    Column("directory", String(255)),
    Column("application", String(255)),
    Column("digit", String(1)),
    Column("sort", String(10)),
    Column("format", String(10)),
    Column("stamp", DateTime),
)

# cdr_adaptive_odbc fills every column whose name is a CDR field (calldate and endtime are aliases of start and end).
cdr = Table(
    "cdr", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("calldate", DateTime, nullable=False),
    Column("answer", DateTime),
    Column("endtime", DateTime),
    Column("tenantid", ident()),
    Column("peertenantid", ident()),
    Column("clid", String(120)),
    Column("src", String(80)),
    Column("dst", String(80)),
    Column("dcontext", String(80)),
    Column("channel", String(120)),
    Column("dstchannel", String(120)),
    Column("lastapp", String(80)),
    Column("lastdata", String(255)),
    Column("duration", Integer),
    Column("billsec", Integer),
    Column("disposition", String(45)),
    Column("amaflags", String(20)),
    Column("accountcode", String(80)),
    Column("userfield", String(255)),
    # LittlePBX's own CDR variables (0020): the number dialled and where the call ended.
    Column("lp_dialed", String(40)),
    Column("lp_reached", String(60)),
    Column("uniqueid", String(150), index=True),
    Column("linkedid", String(150)),
    Column("peeraccount", String(80)),
    Column("sequence", Integer),
    Index("ix_cdr_tenantid_calldate", "tenantid", "calldate"),
)

# LittlePBX's plan per org, per extension, per DID and per upstream source address.
lp_org_plans = Table(
    "lp_org_plans", metadata,
    Column("code", ident(16), primary_key=True),
    Column("max_calls", Integer, nullable=False),
    Column("caller_id", String(32)),
    Column("moh_class", ident()),
    Column("has_outbound", String(3), nullable=False),
    # Its emergency numbers ("911" or "112-110": FIELDNUM's list) and their caller ID (0022).
    Column("emergency", String(60)),
    Column("emergency_cid", String(16)),
    # How many dial rules it has (lp_dial_rules "<code>-1" ...) and its calling code ("1", "49"), 0027.
    Column("dial_rules", Integer),
    Column("country_code", String(4)),
    # Its parking slots ("701-720") and the recording outside callers hear before a recorded call (0033).
    Column("parking", String(16)),
    Column("record_notice", String(255)),
)

lp_extension_plans = Table(
    "lp_extension_plans", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("number", String(16), nullable=False),
    Column("ring_seconds", Integer, nullable=False),
    Column("no_answer", String(16), nullable=False),
    Column("forward_to", String(48)),
    Column("voicemail", String(3), nullable=False),
    # 0026_extension_call_flow: where busy calls / calls to an unregistered phone go
    # (NULL: ring / as unanswered); follow me: '|'-separated numbers, "together" or "one_by_one",
    # and whether outside ones must press 1 ("yes").
    Column("when_busy", String(48)),
    Column("when_unregistered", String(48)),
    Column("follow_me", String(400)),
    Column("follow_order", String(16)),
    Column("follow_confirm", String(3)),
    Column("caller_id", String(20)),  # what its calls out show (NULL: the org's, lp_org_plans)
    Column("outside_calls", String(10)),  # "all", "national", "none" (0027_dial_rules)
    Column("record", String(3)),  # "yes": its calls are recorded (0028_call_recordings)
)

lp_did_routes = Table(
    "lp_did_routes", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("number", String(32), nullable=False),
    Column("destination", String(48)),
    Column("record", String(3)),  # "yes": its calls are recorded (0028_call_recordings)
)

# Numbers the organization's phones dial that are not extensions (ring groups, queues, ...):
# where such a number sends the call, as a destination.
lp_numbers = Table(
    "lp_numbers", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("destination", String(48), nullable=False),
)

# members: '|'-separated extension numbers and outside numbers, in order.
lp_ring_groups = Table(
    "lp_ring_groups", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("members", String(1000), nullable=False),
    Column("strategy", String(16), nullable=False),
    Column("ring_seconds", Integer, nullable=False),
    Column("cid_prefix", String(40)),
    Column("no_answer", String(48), nullable=False),
    Column("music", String(20)),  # a music class of the tenant ("<tenant>-<music>"), heard instead of ringing
)

# schedule: '|'-separated "<days>/<hours>" for GotoIfTime ("mon-fri/09:00-17:00"); holidays:
# '|'-separated dates; toggle_id: "<tenant>-<code>" of the *28<code> switch.
lp_time_conditions = Table(
    "lp_time_conditions", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("toggle_id", ident(24)),
    Column("schedule", String(1000), nullable=False),
    Column("holidays", String(1100), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("open_destination", String(48), nullable=False),
    Column("closed_destination", String(48), nullable=False),
    UniqueConstraint("toggle_id", name="uq_lp_time_conditions_toggle_id"),
)

# The forced state of each time condition: "open", "closed" or "auto". Written at once by the
# app and by the *28 switch of a phone (the one table Asterisk updates besides its own); an
# Apply adds and removes rows but never changes a state.
lp_time_overrides = Table(
    "lp_time_overrides", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("state", String(8), nullable=False),
)

# A paging group (lp-to-paging): its members ('|'-separated extension numbers), the longest page.
lp_paging_groups = Table(
    "lp_paging_groups", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("members", String(1000), nullable=False),
    Column("seconds", Integer, nullable=False),
)

# Queues, read by app_queue itself (Asterisk's realtime "queues" family): name "<tenant>-<number>".
# app_queue ignores columns it does not know (tenantid), and re-reads the row and its members
# each time a call enters the queue.
lp_queues = Table(
    "lp_queues", metadata,
    Column("name", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("strategy", String(16), nullable=False),
    Column("timeout", Integer, nullable=False),
    Column("retry", Integer, nullable=False),
    Column("wrapuptime", Integer, nullable=False),
    Column("maxlen", Integer, nullable=False),
    Column("musiconhold", String(80), nullable=False),
    Column("announce_frequency", Integer, nullable=False),
    Column("announce_position", String(5), nullable=False),
    Column("announce_holdtime", String(5), nullable=False),
    Column("joinempty", String(40), nullable=False),
    Column("leavewhenempty", String(40), nullable=False),
    Column("ringinuse", String(5), nullable=False),
)

# Who answers a queue (the "queue_members" family): written by an Apply, or by a member's
# *45 login (Asterisk inserts and deletes its own phone's row). uniqueid is app_queue's key.
lp_queue_members = Table(
    "lp_queue_members", metadata,
    Column("id", ident(), nullable=False, unique=True),  # "<queue name>/<endpoint>": one lookup field
    Column("queue_name", ident(), primary_key=True),
    Column("interface", ident(), primary_key=True),
    Column("uniqueid", Integer, nullable=False, unique=True, autoincrement=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("membername", String(80)),
    Column("state_interface", String(80)),
    Column("penalty", Integer),
    Column("paused", Integer),
    Column("wrapuptime", Integer),
    Column("ringinuse", String(5)),
    Column("reason_paused", String(80)),
)

# What the dialplan reads around Queue() (lp-to-queue) and a *45 login (lp-queue-login).
lp_queue_plans = Table(
    "lp_queue_plans", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("members", String(1000), nullable=False),
    Column("login", String(3), nullable=False),
    Column("max_wait", Integer, nullable=False),
    Column("timeout_destination", String(48), nullable=False),
    Column("full_destination", String(48), nullable=False),
    Column("music", String(20)),  # a music class of the tenant ("<tenant>-<music>"); empty: the org's music
    Column("record", String(3)),  # "yes": its calls are recorded (0028_call_recordings)
)

# app_queue's log (the "queue_log" family): one row per queue event, in UTC; the stats count it.
lp_queue_log = Table(
    "lp_queue_log", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("time", DATETIME(fsp=6), index=True),
    Column("callid", String(80)),
    Column("queuename", ident(256), index=True),
    Column("agent", String(80)),
    Column("event", String(32)),
    *[Column(f"data{n}", String(100)) for n in range(1, 6)],
)

# An announcement (lp-to-announcement): its recording (a path without ".wav", or null), then where.
lp_announcements = Table(
    "lp_announcements", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("recording", String(255)),
    Column("then_destination", String(48), nullable=False),
)

# A menu (lp-to-ivr): its greeting file (a path without ".wav", or null for Asterisk's prompt),
# one destination column per key (opt_star: "*", opt_hash: "#"), and with direct dial the
# digits that begin the organization's internal numbers (a caller typing one is waited for).
lp_ivrs = Table(
    "lp_ivrs", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("greeting", String(255)),
    *[Column(f"opt_{key}", String(48)) for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "star", "hash")],
    Column("dial_prefixes", String(10), nullable=False),
    Column("timeout", Integer, nullable=False),
    Column("repeats", Integer, nullable=False),
    Column("timeout_destination", String(48), nullable=False),
    Column("invalid_destination", String(48), nullable=False),
)

lp_upstream_sources = Table(
    "lp_upstream_sources", metadata,
    Column("address", ident(64), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
)

# What a phone's user switched from the phone (0021_phone_states): do not disturb, forwards.
# One row per extension ("<tenant>-<number>"), kept across Applies; Asterisk updates it.
lp_phone_states = Table(
    "lp_phone_states", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("dnd", String(3), nullable=False, server_default="no"),
    Column("forward_to", String(16)),
    # Forward when busy (*90/*91) and when unanswered or on do not disturb (*52/*53), 0031.
    Column("forward_busy", String(16)),
    Column("forward_unanswered", String(16)),
    # The last outside caller that rang the phone, which *32 blocks (0032_phone_blocks).
    Column("last_caller", String(16)),
)

# Callers a phone's user blocked with *32 (0032_phone_blocks): "<tenant>-<digits>", refused on
# every number of the org; Asterisk inserts them, the page and REST list and delete them.
lp_phone_blocks = Table(
    "lp_phone_blocks", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("number", String(16), nullable=False),
    Column("extension", String(16)),
    Column("created", DateTime, nullable=False, server_default=text("(UTC_TIMESTAMP())")),  # UTC
)

# Callers an org blocks (0023_blocked_callers): "<tenant>-e<digits>" for a number, "<tenant>-p<digits>"
# for every number beginning so; destination None: refused.
lp_blocked_callers = Table(
    "lp_blocked_callers", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("destination", String(48)),
)

# A conference room (lp-to-conference): its PINs (NULL: none), whether members wait for the
# moderator ("yes"), the largest number of members, and the music class name (NULL: the org's music).
lp_conferences = Table(
    "lp_conferences", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("pin", String(12)),
    Column("moderator_pin", String(12)),
    Column("wait_marked", String(3), nullable=False),
    Column("max_members", Integer, nullable=False),
    Column("music", String(40)),
)

# A dial rule (lp-dial-rules), "<tenant>-<n>" in the order they are tried: the pattern as a regular
# expression, the digits removed from the start, what is put in front, whether it calls abroad.
lp_dial_rules = Table(
    "lp_dial_rules", metadata,
    Column("id", ident(), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
    Column("regex", String(200), nullable=False),
    Column("strip", Integer, nullable=False),
    Column("prepend", String(16)),
    Column("international", String(3), nullable=False),
)

# Calls on an org's registration (0016_upstream_lines): "<contact user>@<source address>", one row
# per address the carrier may send them from. Unlike lp_upstream_sources, orgs may share an address.
lp_upstream_lines = Table(
    "lp_upstream_lines", metadata,
    Column("id", ident(64), primary_key=True),
    Column("tenantid", ident(16), nullable=False, index=True),
)

# Registrations Asterisk must look up again (0003_registration_refresh): written in the Apply's
# transaction, deleted once done, so a refresh lost to a crash is retried.
lp_registration_refresh = Table(
    "lp_registration_refresh", metadata,
    Column("code", ident(16), primary_key=True),
    Column("version", Integer, nullable=False),
)

# What the last Apply wrote to each table for an organization, as a digest (0029): an Apply
# skips a table whose rows would come out the same (most of them, most of the time) without
# reading them. LittlePBX's alone: Asterisk is given no right on it.
lp_row_digests = Table(
    "lp_row_digests", metadata,
    Column("code", ident(16), primary_key=True),
    Column("table_name", ident(64), primary_key=True),
    Column("digest", String(64), nullable=False),
)
