"""Configuration: defaults in code, then one config file, then LITTLEPBX_* environment variables.

The file (default /etc/littlepbx/littlepbx.conf, or the path in LITTLEPBX_CONFIG)
holds ``KEY = value`` lines; ``#`` starts a comment. Every key below can be set
in either place; the environment wins. Values are converted to the type of the
default.
"""
from __future__ import annotations

import os
import re
import secrets
import string
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_CONFIG_FILE = "/etc/littlepbx/littlepbx.conf"

DEFAULTS: dict[str, object] = {
    # Flask
    "SECRET_KEY": "",
    "SESSION_COOKIE_SECURE": False,
    # How long a page's CSRF token is accepted (the page renews it when it expires).
    "CSRF_TIME_LIMIT_SECONDS": 8 * 3600,
    "PUBLIC_URL": "http://127.0.0.1:8080",
    "LISTEN_HOST": "127.0.0.1",
    # Behind the HTTPS front (nginx on this host): trust its X-Forwarded-* headers for the client's
    # address and scheme (install.sh sets it; never set it when the app faces clients itself).
    "BEHIND_PROXY": False,
    "LISTEN_PORT": 8080,
    # Database: one MariaDB holds LittlePBX's tables and the PBX's realtime tables.
    "DATABASE_URL": "mysql+pymysql://littlepbx@127.0.0.1:3306/littlepbx?charset=utf8mb4",
    # Where uploads (music on hold) are kept.
    "DATA_DIR": "/var/lib/littlepbx",
    "MOH_MAX_BYTES": 10 * 1024 * 1024,
    # A menu's greeting (MP3 or WAV): at most this many bytes, cut at GREETING_MAX_SECONDS.
    "GREETING_MAX_BYTES": 5 * 1024 * 1024,
    "GREETING_MAX_SECONDS": 300,
    # A call parked from a phone (#77) waits this long before it rings the phone that parked it.
    "PARK_SECONDS": 60,
    # Prompts recorded from a phone (*47) that nobody used are deleted after this many days.
    "PHONE_RECORDING_DAYS": 7,
    # Converted uploads neither the draft nor the live configuration uses are deleted after an
    # Apply once they are this old (the grace covers an upload whose draft is not saved yet).
    "MOH_PRUNE_AFTER_SECONDS": 3600,
    # Upstream trunks on loopback or private addresses (labs, tests, a carrier on a private link).
    "ALLOW_PRIVATE_UPSTREAMS": False,
    # The PBX: a registered backend name, or 'package.module:Class'.
    "PBX_BACKEND": "asterisk",
    # Apply: how often the worker looks for work and polls an org's calls.
    "WORKER_POLL_SECONDS": 1.0,
    # Processes advancing Applies of different organizations at once; 0: one per CPU, at most 4.
    "WORKER_PROCESSES": 0,
    "APPLY_DEFAULT_WAIT_SECONDS": 300,
    # Mail: the app's notices and Asterisk's voicemail both send with these (littlepbx mail-test
    # tries them). MAIL_USE_TLS: STARTTLS; MAIL_USE_SSL: TLS from the first byte (port 465).
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_DEFAULT_SENDER": "littlepbx@localhost",
    # The authorities the mail server's TLS certificate must chain to; empty: the system's.
    "MAIL_TLS_CA_FILE": "",
    "MAIL_SUPPRESS_SEND": False,
    # How long a "forgot password" link works.
    "PASSWORD_RESET_SECONDS": 3600,
    # Asterisk (used by the asterisk backend and its provisioning).
    "ASTERISK_ROOT": "",  # a chroot holding Asterisk; empty: the host's own
    "ASTERISK_CONFIG_DIR": "/etc/asterisk",
    "ASTERISK_SIP_HOST": "127.0.0.1",
    "SIP_PUBLIC_HOST": "",  # the SIP server name phones are told; empty: ASTERISK_SIP_HOST
    "ASTERISK_SIP_PORT": 5060,  # UDP and TCP
    "ASTERISK_SIP_TLS_PORT": 5061,
    # Asterisk's certificate and key for SIP over TLS; empty: a self-signed one made when Asterisk
    # is provisioned (install.sh gives the HTTPS front's).
    "SIP_TLS_CERT": "",
    "SIP_TLS_KEY": "",
    # The certificate authorities an upstream's TLS certificate must chain to (and name its host).
    "UPSTREAM_TLS_CA_FILE": "/etc/ssl/certs/ca-certificates.crt",
    "ASTERISK_AMI_PORT": 5038,
    "ASTERISK_AMI_USER": "littlepbx",
    "ASTERISK_AMI_SECRET": "",
    "ASTERISK_ARI_PORT": 8088,
    "ASTERISK_ARI_USER": "littlepbx",
    "ASTERISK_ARI_PASSWORD": "",
    # The host's system account Asterisk runs as (when it runs from its own root).
    "ASTERISK_SYSTEM_USER": "littlepbx-asterisk",
    # Asterisk's own database account (it may read its realtime rows and write contacts, CDR and
    # mailbox PINs, nothing else); empty: the account of DATABASE_URL.
    "ASTERISK_DB_USER": "",
    "ASTERISK_DB_PASSWORD": "",
    # Where the Debian sid root holding Asterisk is built once and copied from.
    "ASTERISK_CACHE_ROOT": "/var/cache/littlepbx/asterisk-root",
    "ASTERISK_DEBIAN_MIRROR": "http://deb.debian.org/debian",
    # SIP bans (fail2ban on Asterisk's security log): this many failures within the window ban
    # the address from the SIP port for SIP_BAN_SECONDS.
    "SIP_BAN_AFTER_FAILURES": 5,
    "SIP_BAN_WINDOW_SECONDS": 600,
    "SIP_BAN_SECONDS": 3600,
    "ASTERISK_RTP_START": 10000,
    "ASTERISK_RTP_END": 20000,
    # FreeSWITCH (PBX_BACKEND = freeswitch). It listens for SIP and RTP where the ASTERISK_SIP_*
    # and ASTERISK_RTP_* settings above say (they are the PBX's addresses, whichever runs).
    "FREESWITCH_PREFIX": "",  # where it is installed; empty: /usr/local/freeswitch, else the PATH's
    # Its configuration (FreeSWITCH reads it as its own account: not under /etc/littlepbx).
    "FREESWITCH_CONFIG_DIR": "/etc/littlepbx-freeswitch",
    "FREESWITCH_STATE_DIR": "/var/lib/littlepbx/freeswitch",  # its databases, voicemail, logs
    "FREESWITCH_SYSTEM_USER": "",  # the host account it drops to (install.sh: littlepbx-freeswitch)
    "FREESWITCH_ESL_PORT": 8021,
    "FREESWITCH_ESL_PASSWORD": "",
    # LittlePBX's mod_xml_curl server on loopback, and the secret part of its path.
    "FREESWITCH_XML_PORT": 8098,
    "FREESWITCH_XML_SECRET": "",
    # A FreeSWITCH whose SIP stack lacks LittlePBX's changes, in the versions this code needs
    # (scripts/freeswitch-sofia.patch, scripts/sofia-sip.patch), is refused: "accept" runs it
    # anyway, with what README (FreeSWITCH) says that leaves open.
    "FREESWITCH_UNSCOPED_SOFIA": "refuse",
}


def _convert(key: str, raw: str) -> object:
    """Convert a string from the file or the environment to the default's type."""
    default = DEFAULTS.get(key, "")
    if isinstance(default, bool):
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{key}: expected true or false, got {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def read_config_file(path: str | os.PathLike) -> dict[str, object]:
    """Parse a ``KEY = value`` file; unknown keys are kept so plugins can read them."""
    values: dict[str, object] = {}
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, raw = line.partition("=")
        if not sep:
            raise ValueError(f"{path}:{number}: expected KEY = value")
        key = key.strip().upper()
        values[key] = _convert(key, raw.strip())
    return values


def load_config(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Defaults, overlaid by the config file (if it exists), overlaid by LITTLEPBX_* variables."""
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    path = environ.get("LITTLEPBX_CONFIG", DEFAULT_CONFIG_FILE)
    if os.path.exists(path):
        config.update(read_config_file(path))
    for name, raw in environ.items():
        if name.startswith("LITTLEPBX_") and name != "LITTLEPBX_CONFIG":
            key = name[len("LITTLEPBX_"):]
            config[key] = _convert(key, raw)
    return config


def _keys_in(text: str) -> dict[str, str]:
    """The KEY = value pairs of a config file's text (the last one of a key wins)."""
    pairs = {}
    for line in text.splitlines():
        key, sep, raw = line.strip().partition("=")
        if sep and not line.lstrip().startswith("#"):
            pairs[key.strip().upper()] = raw.strip()
    return pairs


def ensure_file(path: str | os.PathLike, values: dict[str, str], generated: dict[str, int],
                replaced: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """Make sure the config file at ``path`` has every key of ``values`` and ``generated``, writing
    only the missing ones: every key already there, and every comment, stays as the operator left it.
    ``replaced`` are keys the operator gave this time (install.sh's options): written whether or
    not they were there, in place.

    ``generated`` names secrets (and their length) made up only when missing. A value may name
    other keys as {KEY}; they are filled in from the file's final values. Returns the keys added
    and the keys replaced.
    """
    path = Path(path)
    text = path.read_text() if path.exists() else ("# LittlePBX configuration. install.sh only adds keys that are"
                                                   " missing:\n# what is here is kept. Every key can also be set"
                                                   " as LITTLEPBX_<KEY> in the environment.\n")
    present = _keys_in(text)
    changed = []
    for key, value in (replaced or {}).items():
        if key in present and present[key] != value:
            line = f"{key} = {value}"
            text = re.sub(rf"(?m)^[ \t]*{re.escape(key)}[ \t]*=.*$", lambda _, line=line: line, text)
            changed.append(key)
    present = _keys_in(text)
    values = {**values, **{key: value for key, value in (replaced or {}).items() if key not in present}}
    alphabet = string.ascii_letters + string.digits
    added = {key: "".join(secrets.choice(alphabet) for _ in range(length))
             for key, length in generated.items() if key not in present}
    added.update({key: value for key, value in values.items() if key not in present and key not in added})
    final = {**present, **added}
    for key, value in added.items():
        added[key] = re.sub(r"\{([A-Z0-9_]+)\}", lambda m: final[m.group(1)], value)
    if added or changed:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        if added:
            text = text.rstrip("\n") + f"\n# added by install.sh on {stamp}\n"
            text += "".join(f"{key} = {value}\n" for key, value in added.items())
        temporary = path.with_name(path.name + ".new")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
        temporary.replace(path)
    return list(added), changed
