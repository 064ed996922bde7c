"""Provisioning of the Asterisk that LittlePBX drives: build its root, write its few static files, run it.

Debian 12 has no asterisk package, so by default Asterisk runs from a Debian sid root made
with debootstrap, kept apart from the host's packages (sid is never added to the host's
apt sources). The root is built once into ASTERISK_CACHE_ROOT and copied (``cp -a``) to
ASTERISK_ROOT. DATA_DIR is bind-mounted into the root at the same path, so paths written
in the database (music on hold) mean the same file inside and outside the root.

Used by install.sh (``python -m littlepbx.pbx_backends.asterisk.provision ...``) and by the
test fixtures, which run a private copy in the foreground on non-default ports.
"""
from __future__ import annotations

import argparse
import contextlib
import grp
import hashlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from littlepbx.pbx_backends import native
from littlepbx.pbx_backends.asterisk import console
from littlepbx.pbx_backends.asterisk.backend import CONTACT_HEX_DIGITS
from littlepbx.pbx_backends.audio import call_recordings_dir, phone_recordings_dir

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEBIAN_PACKAGES = ("asterisk", "asterisk-modules", "asterisk-core-sounds-en", "asterisk-moh-opsound-gsm",
                   "unixodbc", "odbc-mariadb", "msmtp-mta")
# What compiles LittlePBX's own Asterisk module (build_module) inside the root; removed after.
BUILD_PACKAGES = ("gcc", "libc6-dev")
MODULE_NAME = "res_littlepbx_replaces"
MODULE_SOURCE = Path(__file__).resolve().parent / "module" / f"{MODULE_NAME}.c"
# pjproject's header directories (Asterisk's PJSIP headers include them).
PJPROJECT_INCLUDES = ("pjlib", "pjlib-util", "pjnath", "pjmedia", "pjsip")
# Static files written into ASTERISK_CONFIG_DIR (all others keep Debian's defaults).
ASTERISK_FILES = ("cli_permissions.conf", "modules.conf", "pjsip.conf", "sorcery.conf", "extconfig.conf", "res_odbc.conf",
                  "cdr.conf", "cdr_adaptive_odbc.conf", "manager.conf", "http.conf", "ari.conf",
                  "voicemail.conf", "musiconhold.conf", "logger.conf", "rtp.conf", "extensions.conf",
                  "queues.conf", "features.conf", "res_parking.conf", "confbridge.conf")
# Where app_voicemail keeps each box, as <org code>/<mailbox>/<folder>/msgNNNN.* (inside the root).
VOICEMAIL_SPOOL = "/var/spool/asterisk/voicemail"
ASTERISK_DIRS = ("var/lib/asterisk", "var/log/asterisk", "var/spool/asterisk", "var/cache/asterisk",
                 "run/asterisk")


class ProvisionError(Exception):
    """Asterisk could not be provisioned; the message says why."""


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command, raising ProvisionError with its output when it fails."""
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise ProvisionError(f"{' '.join(command)} failed ({result.returncode}):\n"
                             f"{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result


def root_of(config: dict) -> Path:
    """The directory Asterisk runs in ('/' for the host's own Asterisk)."""
    return Path(config.get("ASTERISK_ROOT") or "/")


def in_root(config: dict, path: str | os.PathLike) -> Path:
    """A path inside the Asterisk root, as seen from the host."""
    return root_of(config) / str(path).lstrip("/")


def chrooted(config: dict, command: list[str]) -> list[str]:
    """``command`` prefixed with chroot when Asterisk lives in a root."""
    root = root_of(config)
    return command if root == Path("/") else ["chroot", str(root), *command]


# --- the root -------------------------------------------------------------------------------

def build_root(cache_root: str | os.PathLike, mirror: str = "http://deb.debian.org/debian") -> Path:
    """Build the Debian sid root holding Asterisk into ``cache_root``, unless it is already there."""
    cache_root = Path(cache_root)
    if (cache_root / "usr/sbin/asterisk").exists():
        build_module(cache_root)  # a root cached by an earlier release has none, or an older one
        return cache_root
    partial = cache_root.with_name(cache_root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    run(["debootstrap", "--variant=minbase", "sid", str(partial), mirror])
    # The mirror may be a dated snapshot whose Release file counts as expired.
    run(["chroot", str(partial), "apt-get", "-o", "Acquire::Check-Valid-Until=false", "update"])
    run(["chroot", str(partial), "apt-get", "install", "-y", "--no-install-recommends", *DEBIAN_PACKAGES],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    build_module(partial)
    run(["chroot", str(partial), "apt-get", "clean"])
    partial.rename(cache_root)
    return cache_root


def upgrade_root(config: dict) -> list[str]:
    """Bring the Debian packages of Asterisk's root up to date; returns the packages upgraded
    (none: nothing changed, so nothing needs a restart). The mirror's Release file must be
    current here, unlike at the first build (which may start from a dated snapshot): a stale
    or forged mirror is refused. The running Asterisk keeps its calls until it is restarted."""
    root = root_of(config)
    if root == Path("/"):
        raise ProvisionError("Asterisk is the host's own: upgrade it with the host's apt")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        run(["chroot", str(root), "apt-get", "-q", "update"], env=env)
    except ProvisionError as error:
        raise ProvisionError(f"nothing was upgraded: the package lists of {root} could not be brought up to date "
                             f"(an expired Release means a stale mirror):\n{error}") from None
    planned = run(["chroot", str(root), "apt-get", "-s", "-q", "dist-upgrade"], env=env).stdout
    packages = [line.split()[1] for line in planned.splitlines() if line.startswith("Inst ")]
    if packages:
        run(["chroot", str(root), "apt-get", "-y", "-q", "-o", "Dpkg::Options::=--force-confold", "dist-upgrade"],
            env=env)
        run(["chroot", str(root), "apt-get", "clean"])
    try:
        if build_module(root, check_valid_until=True):  # for the Asterisk now installed
            packages.append(MODULE_NAME)
    except ProvisionError:
        # A module built for the Asterisk it replaced could load and misread the new one's
        # structures: without one, Asterisk refuses to start (modules.conf requires it) until
        # the build succeeds. The running Asterisk keeps its calls meanwhile.
        if "asterisk" in packages or "asterisk-modules" in packages:
            target = modules_dir(root) / f"{MODULE_NAME}.so"
            target.unlink(missing_ok=True)
            target.with_suffix(".built").unlink(missing_ok=True)
        raise
    return packages


def install_root(cache_root: str | os.PathLike, root: str | os.PathLike) -> Path:
    """Copy the cached root to ``root`` (about 4 s), unless ``root`` already holds Asterisk."""
    root = Path(root)
    if (root / "usr/sbin/asterisk").exists():
        build_module(root)  # installed by an earlier release
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    run(["cp", "-a", str(cache_root), str(root)])
    return root


# --- LittlePBX's Asterisk module --------------------------------------------------------------

def modules_dir(root: Path) -> Path:
    """Where the Asterisk of ``root`` loads its modules from (Debian: /usr/lib/<triplet>/asterisk/modules)."""
    found = sorted(root.glob("usr/lib/*/asterisk/modules/res_pjsip_refer.so")) or \
        sorted(root.glob("usr/lib/asterisk/modules/res_pjsip_refer.so"))
    if not found:
        raise ProvisionError(f"no Asterisk PJSIP modules (res_pjsip_refer.so) under {root}/usr/lib")
    return found[0].parent


def _extract_headers(archive: Path, into: Path, under: str = "") -> None:
    """Copy the C headers of a source tarball found under ``under`` (below its top directory)
    into ``into``, keeping their relative paths."""
    with tarfile.open(archive) as tar:
        for member in tar:
            path = member.name.partition("/")[2]
            if member.isfile() and path.endswith(".h") and path.startswith(under) and ".." not in path.split("/"):
                target = into / path[len(under):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())


def build_module(root: str | os.PathLike, check_valid_until: bool = False) -> bool:
    """Compile LittlePBX's Asterisk module (``module/res_littlepbx_replaces.c``: a phone's
    Replaces names only its own organization's calls) for the Asterisk installed in ``root``,
    unless it is built for that Asterisk and that source already. Returns whether it built.
    modules.conf requires the module: Asterisk does not start without it.

    In a root, the build happens in a throwaway copy of it (the compiler and the downloads never
    enter the root, whose packages stay as they are); for the host's own Asterisk, with the
    host's compiler and an apt state of the build's own. Only the module is put in place, in one
    rename. ``check_valid_until``: refuse a mirror whose Release has expired (the upgrade's
    rule; the first build may start from a dated snapshot)."""
    root = Path(root)
    target = modules_dir(root) / f"{MODULE_NAME}.so"
    version, source_version = run(chrooted({"ASTERISK_ROOT": str(root)}, [
        "dpkg-query", "-W", "-f", "${Version} ${source:Version}", "asterisk"])).stdout.split()
    stamp = native.stamp_of(MODULE_SOURCE, version)
    if native.is_built(target, stamp):
        return False
    scratch = Path(tempfile.mkdtemp(prefix=".littlepbx-module-", dir="/var/tmp" if root == Path("/") else root.parent))
    apt_options = ["-q", "-o", f"Acquire::Check-Valid-Until={str(check_valid_until).lower()}"]
    try:
        if root == Path("/"):
            built = _build_on_host(scratch, apt_options, version, source_version)
        else:
            built = _build_in_copy(root, scratch, apt_options, version, source_version)
        native.put_in_place(built, target, stamp)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return True


# What of a root its build copy holds: its programs, configuration and package state; not what
# a running Asterisk mounts there (/proc, /dev, DATA_DIR) nor its data (spool, logs, astdb).
BUILD_COPY = ("bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc", "var/lib/dpkg", "var/lib/apt",
              "var/cache/apt", "var/cache/debconf")
BUILD_DEVICES = ("null", "zero", "full", "random", "urandom")


def _copy_for_build(root: Path, copy: Path) -> None:
    """Copy of ``root`` into ``copy`` what compiling in it needs (see BUILD_COPY)."""
    for name in BUILD_COPY:
        if os.path.lexists(root / name):
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            run(["cp", "-a", str(root / name), str(copy / name)])
    for name in ("tmp", "var/tmp"):
        (copy / name).mkdir(parents=True, exist_ok=True)
        (copy / name).chmod(0o1777)
    for name in ("proc", "var/log/apt", "dev"):
        (copy / name).mkdir(parents=True, exist_ok=True)
    run(["cp", "-a", *(str(root / "dev" / name) for name in BUILD_DEVICES if (root / "dev" / name).exists()),
         str(copy / "dev")])


def _build_in_copy(root: Path, scratch: Path, apt_options: list[str], version: str, source_version: str) -> Path:
    """Build the module in a copy of ``root`` made in ``scratch``; returns the built file."""
    copy = scratch / "root"
    _copy_for_build(root, copy)
    (copy / "etc/apt/sources.list.d/littlepbx-sources.list").write_text(source_lines(copy))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt = ["chroot", str(copy), "apt-get", *apt_options]
    run([*apt, "update"], env=env)
    run([*apt, "install", "-y", "--no-install-recommends", *BUILD_PACKAGES], env=env)
    work = "/var/tmp/littlepbx-module"
    (copy / work.lstrip("/")).mkdir(parents=True)
    includes = _download_headers(copy / work.lstrip("/"), ["chroot", str(copy), "env", "-C", work, "apt-get",
                                                           *apt_options], version, source_version)
    shutil.copy(MODULE_SOURCE, copy / work.lstrip("/") / MODULE_SOURCE.name)
    run(["chroot", str(copy), "gcc", *module_flags(), *(f"-I{work}/{path}" for path in includes),
         "-o", f"{work}/{MODULE_NAME}.so", f"{work}/{MODULE_SOURCE.name}"])
    return copy / work.lstrip("/") / f"{MODULE_NAME}.so"


def _build_on_host(scratch: Path, apt_options: list[str], version: str, source_version: str) -> Path:
    """Build the module for the host's own Asterisk with the host's compiler (install.sh installs
    gcc), downloading with an apt state kept in ``scratch``; returns the built file."""
    (scratch / "lists/partial").mkdir(parents=True)
    (scratch / "cache/archives/partial").mkdir(parents=True)
    (scratch / "sources.list").write_text(source_lines(Path("/"), binaries=True))
    apt = ["env", "-C", str(scratch), "apt-get", *apt_options, "-o", f"Dir::Etc::SourceList={scratch}/sources.list",
           "-o", f"Dir::Etc::SourceParts={scratch}/none", "-o", f"Dir::State::Lists={scratch}/lists",
           "-o", f"Dir::Cache={scratch}/cache"]
    run([*apt, "update"], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    includes = _download_headers(scratch, apt, version, source_version)
    compiler = shutil.which("gcc") or shutil.which("cc")
    if not compiler:
        raise ProvisionError("no C compiler on this host for LittlePBX's Asterisk module: install gcc")
    run([compiler, *module_flags(), *(f"-I{scratch}/{path}" for path in includes),
         "-o", str(scratch / f"{MODULE_NAME}.so"), str(MODULE_SOURCE)])
    return scratch / f"{MODULE_NAME}.so"


def module_flags() -> list[str]:
    """How Asterisk's modules are compiled: position-independent, named, with pjproject's
    static configuration for this machine (Asterisk's own build runs pjproject's configure)."""
    little = sys.byteorder == "little"
    return ["-shared", "-fPIC", "-O2", "-Wall", f"-DAST_MODULE=\"{MODULE_NAME}\"",
            f"-DAST_MODULE_SELF_SYM=__internal_{MODULE_NAME}_self", "-DPJ_HAS_LIMITS_H=1",
            f"-DPJ_IS_LITTLE_ENDIAN={int(little)}", f"-DPJ_IS_BIG_ENDIAN={int(not little)}"]


def _download_headers(work: Path, apt: list[str], version: str, source_version: str) -> list[str]:
    """Download (``apt``: apt-get, run in ``work``) and unpack into ``work`` the headers Asterisk
    ``version``'s modules are compiled with; returns their include directories, relative to
    ``work``. Asterisk's own come from its asterisk-dev package; pjproject's from Asterisk's
    Debian source package, which bundles the pjproject Debian builds it with, configured by
    Asterisk's config_site.h."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        run([*apt, "download", f"asterisk-dev={version}"], env=env)
        run([*apt, "source", "--download-only", f"asterisk={source_version}"], env=env)
    except ProvisionError as error:
        raise ProvisionError(f"the headers of the installed Asterisk {version} could not be downloaded "
                             f"(has the mirror moved on? `littlepbxctl upgrade` installs its current "
                             f"Asterisk):\n{error}") from None
    run(["dpkg-deb", "-x", str(_one(work, "asterisk-dev_*.deb")), str(work / "dev")])
    _extract_headers(_one(work, "asterisk_*.orig-Xpjproject.tar.*"), work / "pjproject")
    _extract_headers(_one(work, "asterisk_*.orig.tar.*"), work / "pjproject/pjlib/include/pj",
                     "third-party/pjproject/patches/")
    return ["dev/usr/include", *(f"pjproject/{name}/include" for name in PJPROJECT_INCLUDES)]


def source_lines(root: Path, binaries: bool = False) -> str:
    """apt source lines for the source packages (and, with ``binaries``, the packages) of the
    archives ``root``'s apt installs from: its one-line sources and its deb822 ones."""
    entries = []  # (uri, suite, components)
    apt_dir = root / "etc/apt"
    for path in [apt_dir / "sources.list", *sorted((apt_dir / "sources.list.d").glob("*.list"))]:
        for line in (path.read_text() if path.exists() else "").splitlines():
            words = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()  # without [options]
            if words[:1] == ["deb"] and len(words) >= 3:
                entries.append((words[1], words[2], " ".join(words[3:])))
    for path in sorted((apt_dir / "sources.list.d").glob("*.sources")):
        for stanza in path.read_text().split("\n\n"):
            fields = dict(line.split(":", 1) for line in stanza.splitlines() if ":" in line and not line[:1].isspace())
            fields = {key.strip().lower(): value.split() for key, value in fields.items()}
            if "deb" in fields.get("types", []) and fields.get("enabled", ["yes"]) != ["no"]:
                entries += [(uri, suite, " ".join(fields.get("components", [])))
                            for uri in fields.get("uris", []) for suite in fields.get("suites", [])]
    if not entries:
        raise ProvisionError(f"no apt sources in {apt_dir} to download Asterisk's headers from")
    kinds = ("deb", "deb-src") if binaries else ("deb-src",)
    return "".join(f"{kind} {uri} {suite} {components}\n" for uri, suite, components in entries for kind in kinds)


def _one(directory: Path, pattern: str) -> Path:
    """The one file of ``directory`` matching ``pattern`` (what a download was to bring)."""
    found = sorted(directory.glob(pattern))
    if not found:
        raise ProvisionError(f"{pattern} is missing from what was downloaded into {directory}")
    return found[0]


# --- the database account Asterisk uses ------------------------------------------------------

# Asterisk reads its realtime objects and LittlePBX's plan, and writes only what it must: the
# phones' registrations, a mailbox's changed PIN, what phones switch and block, and call
# records. It cannot read LittlePBX's users, tokens or drafts, nor create anything else.
PBX_TABLE_PRIVILEGES = {
    "ps_endpoints": "SELECT", "ps_auths": "SELECT", "ps_aors": "SELECT", "ps_registrations": "SELECT",
    "musiconhold": "SELECT", "lp_org_plans": "SELECT", "lp_extension_plans": "SELECT", "lp_did_routes": "SELECT",
    "lp_upstream_sources": "SELECT", "lp_upstream_lines": "SELECT", "lp_upstream_identifies": "SELECT",
    "lp_numbers": "SELECT", "lp_ring_groups": "SELECT",
    "lp_time_conditions": "SELECT", "lp_time_overrides": "SELECT, UPDATE", "lp_phone_states": "SELECT, UPDATE",
    "lp_phone_blocks": "SELECT, INSERT", "lp_ivrs": "SELECT",
    "lp_paging_groups": "SELECT",
    "lp_queues": "SELECT", "lp_queue_plans": "SELECT", "lp_queue_members": "SELECT, INSERT, UPDATE, DELETE",
    "lp_queue_log": "INSERT", "musiconhold_entry": "SELECT", "lp_announcements": "SELECT", "lp_blocked_callers": "SELECT",
    "lp_conferences": "SELECT", "lp_dial_rules": "SELECT",
    "ps_contacts": "SELECT, INSERT, UPDATE, DELETE",
    "voicemail": "SELECT, UPDATE",
    "cdr": "INSERT",
}


def database_grants(database: str, user: str, host: str) -> list[str]:
    """The SQL giving Asterisk's account its rights, table by table (run as an admin)."""
    return [f"GRANT {privileges} ON `{database}`.`{table}` TO '{user}'@'{host}'"
            for table, privileges in PBX_TABLE_PRIVILEGES.items()]


def pbx_database_account(config: dict) -> tuple[str, str]:
    """The user and password Asterisk connects with: its own account when one is configured."""
    url = make_url(str(config["DATABASE_URL"]))
    if config.get("ASTERISK_DB_USER"):
        return str(config["ASTERISK_DB_USER"]), str(config.get("ASTERISK_DB_PASSWORD") or "")
    return url.username or "", url.password or ""


# --- static configuration ---------------------------------------------------------------------

# How long Asterisk keeps an endpoint, auth or AOR it read (sorcery.conf) if no Apply expires it
# sooner: the bound on a change whose expiry was lost (the worker killed right after the commit).
PJSIP_CACHE_SECONDS = 300

# The longest string a phone may dial (an outside number, a feature code) and an upstream may send.
PHONE_DIAL_MAX = 20
UPSTREAM_DIAL_MAX = 16


def entry_patterns(characters: str, longest: int, context: str) -> str:
    """One dialplan line per length, 1 to ``longest``, admitting only strings of ``characters``
    into ``context`` (Asterisk's patterns have no "one or more of this class")."""
    return "\n".join(f"exten => _{('[' + characters + ']') * length},1,Goto({context},${{EXTEN}},1)"
                     for length in range(1, longest + 1))


def msmtp_value(value: str) -> str:
    """A value as msmtp's configuration reads it: between the first and the last double quote,
    everything is the value as it is (msmtp has no escapes: quotes and backslashes inside stay)."""
    if "\n" in value or "\r" in value:
        raise ProvisionError("a mail setting cannot contain a line break")
    return f'"{value}"'


def msmtp_settings(config: dict) -> str:
    """The encryption and login lines of voicemail's msmtp account, from the same MAIL_* settings
    as the app's mail (littlepbx/mail.py): STARTTLS or TLS checked against MAIL_CA, a login."""
    if config.get("MAIL_USE_SSL") or config.get("MAIL_USE_TLS"):
        lines = ["tls on", f"tls_starttls {'off' if config.get('MAIL_USE_SSL') else 'on'}",
                 f"tls_trust_file {config['ASTERISK_CONFIG_DIR']}/{MAIL_CA}"]
    else:
        lines = ["tls off"]
    if config.get("MAIL_USERNAME"):
        lines += ["auth on", f"user {msmtp_value(str(config['MAIL_USERNAME']))}",
                  f"password {msmtp_value(str(config.get('MAIL_PASSWORD') or ''))}"]
    else:
        lines.append("auth off")
    return "\n".join(lines)


def template_values(config: dict) -> dict[str, str]:
    """The values substituted for @@NAME@@ in the templates."""
    url = make_url(str(config["DATABASE_URL"]))
    db_user, db_password = pbx_database_account(config)
    return {
        "SIP_HOST": str(config["ASTERISK_SIP_HOST"]),
        "SIP_PORT": str(config["ASTERISK_SIP_PORT"]),
        "SIP_TLS_PORT": str(config.get("ASTERISK_SIP_TLS_PORT", 5061)),
        "CONFIG_DIR": str(config["ASTERISK_CONFIG_DIR"]),
        "TLS_CERT": TLS_CERT, "TLS_KEY": TLS_KEY, "TLS_CA": TLS_CA,
        "AMI_PORT": str(config["ASTERISK_AMI_PORT"]),
        "AMI_USER": str(config["ASTERISK_AMI_USER"]),
        "AMI_SECRET": str(config["ASTERISK_AMI_SECRET"]),
        "ARI_PORT": str(config["ASTERISK_ARI_PORT"]),
        "ARI_USER": str(config["ASTERISK_ARI_USER"]),
        "ARI_PASSWORD": str(config["ASTERISK_ARI_PASSWORD"]),
        "RTP_START": str(config.get("ASTERISK_RTP_START", 10000)),
        "RTP_END": str(config.get("ASTERISK_RTP_END", 20000)),
        "DB_HOST": url.host or "127.0.0.1",
        "DB_PORT": str(url.port or 3306),
        "DB_NAME": url.database or "",
        "DB_USER": db_user,
        "DB_PASSWORD": db_password,
        "MAIL_SERVER": str(config.get("MAIL_SERVER", "127.0.0.1")),
        "MAIL_PORT": str(config.get("MAIL_PORT", 25)),
        "MAIL_FROM": str(config.get("MAIL_DEFAULT_SENDER", "littlepbx@localhost")),
        "MAIL_SETTINGS": msmtp_settings(config),
        "PHONE_ENTRIES": entry_patterns("*+0-9", PHONE_DIAL_MAX, "lp-phone-call"),
        "UPSTREAM_ENTRIES": entry_patterns("+0-9", UPSTREAM_DIAL_MAX, "lp-upstream-call"),
        "TRANSFER_ENTRIES": entry_patterns("+0-9", UPSTREAM_DIAL_MAX, "lp-transfer-call"),
        "CONTACT_HEX": "[0-9a-f]" * CONTACT_HEX_DIGITS,
        "RECORDINGS_DIR": str(phone_recordings_dir(str(config["DATA_DIR"]))),
        "CALL_RECORDINGS_DIR": str(call_recordings_dir(str(config["DATA_DIR"]))),
        "RECORD_SECONDS": str(int(config.get("GREETING_MAX_SECONDS", 300))),
        "PARK_SECONDS": str(int(config.get("PARK_SECONDS", 60))),
        "CACHE_SECONDS": str(PJSIP_CACHE_SECONDS),
        "CONSOLE_PERMISSIONS": console_permissions(services_group(config)),
    }


def console_permissions(group: str | None) -> str:
    """cli_permissions.conf's section for LittlePBX's services' group: console.COMMANDS, nothing
    else (none when the services run as root)."""
    if group is None:
        return ""
    permits = "".join(f"permit = {pattern}\n" for pattern in console.COMMANDS.values())
    return f"\n[@{group}]\ndeny = all\n{permits}"


def render(name: str, values: dict[str, str]) -> str:
    """The template ``name`` with its @@NAME@@ placeholders filled in."""
    text = (TEMPLATES / name).read_text()
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    if "@@" in text:
        raise ProvisionError(f"template {name} has an unknown placeholder")
    return text


def write_file(path: Path, text: str, mode: int = 0o640) -> None:
    """Write ``text`` to ``path`` atomically with ``mode``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    temporary.chmod(mode)
    temporary.replace(path)


def write_config(config: dict) -> None:
    """Write Asterisk's static files, ODBC's DSN and the mailer's settings into the root."""
    for key in ("ASTERISK_AMI_SECRET", "ASTERISK_ARI_PASSWORD"):
        if not config.get(key):
            raise ProvisionError(f"{key} must be set")
    admit_services(config)
    values = template_values(config)
    config_dir = in_root(config, config["ASTERISK_CONFIG_DIR"])
    for name in ASTERISK_FILES:
        write_file(config_dir / name, render(name, values))
    write_tls_files(config, config_dir)
    write_file(in_root(config, "/etc/odbc.ini"), render("odbc.ini", values), 0o644)
    # It may hold the mail password: Asterisk's (voicemail's msmtp) alone.
    msmtprc = in_root(config, "/etc/msmtprc")
    write_file(msmtprc, render("msmtprc", values), 0o600)
    chown_asterisk(config, [config_dir, msmtprc])


def fingerprint(config: dict) -> str:
    """What a running Asterisk was started from, as one digest: its files written above, its
    packages (the root's, or the host's Asterisk binary), LittlePBX's Asterisk module and this
    Python module, which prepares each start. install.sh restarts Asterisk only when it changed: with 1,000 organizations a restart
    is half a minute in which no phone of any organization registers."""
    digest = hashlib.sha256()
    config_dir = in_root(config, config["ASTERISK_CONFIG_DIR"])
    files = sorted(path for path in config_dir.rglob("*") if path.is_file())
    files += [in_root(config, "/etc/odbc.ini"), in_root(config, "/etc/msmtprc")]
    with contextlib.suppress(ProvisionError):  # LittlePBX's module, rebuilt when it changes
        files.append(modules_dir(root_of(config)) / f"{MODULE_NAME}.built")
    if root_of(config) != Path("/"):
        files.append(in_root(config, "/var/lib/dpkg/status"))
    else:
        binary = Path("/usr/sbin/asterisk").stat()
        digest.update(f"{binary.st_size}:{binary.st_mtime_ns}".encode())
    # This module by its content alone: where it was imported from (the tree install.sh ran in,
    # or the installed copy) is no change.
    inputs = [(str(path), path) for path in files] + [("provision.py", Path(__file__))]
    for label, path in inputs:
        if path.is_file():
            digest.update(label.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# SIP over TLS: Asterisk's certificate and key, and the CAs an upstream's certificate must chain to,
# copied into its configuration directory (which a chroot can see).
TLS_CERT, TLS_KEY, TLS_CA = "littlepbx-sip.crt", "littlepbx-sip.key", "littlepbx-upstream-ca.pem"
# ... and the authorities the mail server's certificate must chain to (MAIL_TLS_CA_FILE, else the system's).
MAIL_CA = "littlepbx-mail-ca.pem"


def write_tls_files(config: dict, config_dir: Path) -> None:
    """Copy the operator's SIP certificate (or make a self-signed one once) and the upstream CA list."""
    cert, key = config.get("SIP_TLS_CERT"), config.get("SIP_TLS_KEY")
    if bool(cert) != bool(key):
        raise ProvisionError("SIP_TLS_CERT and SIP_TLS_KEY go together")
    if cert:
        for source, name, mode in ((cert, TLS_CERT, 0o644), (key, TLS_KEY, 0o600)):
            if not Path(source).is_file():
                raise ProvisionError(f"{source} (SIP over TLS) does not exist")
            write_file(config_dir / name, Path(source).read_text(), mode)
    elif not (config_dir / TLS_CERT).is_file():
        from littlepbx.frontend import certificate
        certificate(config_dir / TLS_CERT, config_dir / TLS_KEY,
                    str(config.get("SIP_PUBLIC_HOST") or config["ASTERISK_SIP_HOST"]))
    authorities = Path(str(config.get("UPSTREAM_TLS_CA_FILE") or ""))
    if not authorities.is_file():
        raise ProvisionError(f"{authorities} does not exist: install ca-certificates, or set UPSTREAM_TLS_CA_FILE "
                             "to the certificate authorities upstreams' TLS certificates chain to")
    write_file(config_dir / TLS_CA, authorities.read_text(), 0o644)
    mail_authorities = Path(str(config.get("MAIL_TLS_CA_FILE") or authorities))
    if not mail_authorities.is_file():
        raise ProvisionError(f"{mail_authorities} (MAIL_TLS_CA_FILE) does not exist")
    write_file(config_dir / MAIL_CA, mail_authorities.read_text(), 0o644)


def host_account(config: dict) -> tuple[int, int]:
    """The uid and gid of the host's system account for Asterisk (created if missing)."""
    name = str(config.get("ASTERISK_SYSTEM_USER") or "littlepbx-asterisk")
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        # A group the account left behind (an older uninstall.sh kept it) is taken over.
        try:
            group = ["--gid", grp.getgrnam(name).gr_name]
        except KeyError:
            group = ["--user-group"]
        run(["useradd", "--system", *group, "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/usr/sbin/nologin", "--comment", "Asterisk PBX of LittlePBX", name])
        entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


def adopt_host_account(config: dict) -> None:
    """Give the root's asterisk user the uid and gid of a host account of its own.

    The root's asterisk user got whatever uid Debian's package picked inside the root; on the
    host that uid may be another service's (ps showed Asterisk as "postgres"). A host account
    makes Asterisk's processes and files the host's "littlepbx-asterisk" and no one else's."""
    if root_of(config) == Path("/"):
        return  # the host's own Asterisk runs as the host's own asterisk user
    uid, gid = host_account(config)
    for name, ids in (("passwd", (uid, gid)), ("group", (gid,))):
        path = in_root(config, f"/etc/{name}")
        lines = path.read_text().splitlines()
        changed = [_with_ids(line, ids) if line.startswith("asterisk:") else line for line in lines]
        if changed != lines:
            write_file(path, "\n".join(changed) + "\n", 0o644)


def services_group(config: dict) -> str | None:
    """The name Asterisk knows LittlePBX's services' group by (DATA_DIR's group: the services run
    in it), or None when that is root's."""
    gid = Path(str(config["DATA_DIR"])).stat().st_gid
    if gid == 0:
        return None
    return _root_group_name(config, gid) or grp.getgrgid(gid).gr_name


def admit_services(config: dict) -> None:
    """Let LittlePBX's services reach Asterisk's control socket, where cli_permissions.conf
    then lets their group run console.COMMANDS alone.

    The socket is the asterisk group's (Asterisk drops every other group, and spawn's umask
    lets its group connect): the services' account (DATA_DIR's owner) joins that group, which
    gives it nothing it lacks (it holds every secret Asterisk has and more); Asterisk joins
    none of theirs. The services' group is made known inside the root by its gid, which is
    what Asterisk compares."""
    data_dir = Path(str(config["DATA_DIR"])).stat()
    if data_dir.st_uid != 0:
        asterisk = grp.getgrnam("asterisk") if root_of(config) == Path("/") else grp.getgrgid(host_account(config)[1])
        account = pwd.getpwuid(data_dir.st_uid).pw_name
        if account not in asterisk.gr_mem:
            run(["usermod", "--append", "--groups", asterisk.gr_name, account])
    gid = data_dir.st_gid
    if gid == 0 or root_of(config) == Path("/"):
        return
    if _root_group_name(config, gid) is not None:
        return  # known, perhaps by another name: Asterisk compares gids
    lines = _group_lines(config)
    name = grp.getgrgid(gid).gr_name
    if name in {line.split(":")[0] for line in lines}:
        name = "littlepbx-services"
    write_file(in_root(config, "/etc/group"), "\n".join([*lines, f"{name}:x:{gid}:"]) + "\n", 0o644)


def _group_lines(config: dict) -> list[str]:
    """The lines of the group file Asterisk reads (its root's)."""
    return in_root(config, "/etc/group").read_text().splitlines()


def _root_group_name(config: dict, gid: int) -> str | None:
    """The name of group ``gid`` in Asterisk's root, or None when it has none."""
    for line in _group_lines(config):
        fields = line.split(":")
        if len(fields) == 4 and fields[2] == str(gid):
            return fields[0]
    return None


def _with_ids(line: str, ids: tuple[int, ...]) -> str:
    """A passwd line with uid and gid (or a group line with gid) replaced."""
    fields = line.split(":")
    fields[2:2 + len(ids)] = [str(i) for i in ids]
    return ":".join(fields)


def chown_asterisk(config: dict, paths: list[Path]) -> None:
    """Give ``paths`` (recursively) to the asterisk user of the root, so Asterisk can drop root."""
    adopt_host_account(config)
    run(chrooted(config, ["chown", "-R", "asterisk:asterisk",
                          *("/" + str(p.relative_to(root_of(config))) for p in paths)]))


# --- bans ---------------------------------------------------------------------------------------

def fail2ban_jail(config: dict, table: str = "littlepbx", extra: dict | None = None) -> str:
    """fail2ban's jail for Asterisk's security log: an address that keeps failing to authenticate
    (or probing endpoints that do not exist) is banned from the SIP ports for a while, with
    nftables, in a table of its own. install.sh installs it; the tests run it for real."""
    return sip_ban_jail(config, "asterisk", str(in_root(config, "/var/log/asterisk/security.log")), table, extra)


def sip_ban_jail(config: dict, filter_name: str, log_path: str, table: str = "littlepbx",
                 extra: dict | None = None) -> str:
    """The jail banning an address whose failures ``filter_name`` finds in ``log_path`` from the
    SIP ports (UDP, TCP and TLS) for SIP_BAN_SECONDS, after SIP_BAN_AFTER_FAILURES of them within
    SIP_BAN_WINDOW_SECONDS, with nftables, in ``table``: the same rules for either PBX."""
    settings = {
        "enabled": "true", "filter": filter_name, "backend": "polling", "logpath": log_path,
        "maxretry": str(config.get("SIP_BAN_AFTER_FAILURES", 5)),
        "findtime": str(config.get("SIP_BAN_WINDOW_SECONDS", 600)),
        "bantime": str(config.get("SIP_BAN_SECONDS", 3600)),
        "action": (f'nftables[type=multiport, name=sip, table={table}, '
                   f'port="{config["ASTERISK_SIP_PORT"]},{config.get("ASTERISK_SIP_TLS_PORT", 5061)}", '
                   f'protocol="udp,tcp"]'),
        **(extra or {}),
    }
    return "# generated by LittlePBX, do not edit\n[littlepbx-sip]\n" + "".join(
        f"{key} = {value}\n" for key, value in settings.items())


def logrotate_config(config: dict, log_dir: str) -> str:
    """logrotate's rules for LittlePBX's logs (LOG_DIR) and Asterisk's in its root, security log
    included: daily, two weeks kept, compressed. Copy-and-truncate: Asterisk, the services and
    fail2ban keep their files open and read on from the start."""
    asterisk_logs = in_root(config, "/var/log/asterisk")
    return ("# generated by LittlePBX, do not edit\n"
            f"{log_dir}/*.log {asterisk_logs}/messages {asterisk_logs}/*.log {{\n"
            "    daily\n    rotate 14\n    compress\n    delaycompress\n    missingok\n    notifempty\n"
            "    copytruncate\n    su root root\n}\n")


# --- mounts -----------------------------------------------------------------------------------

def is_mounted(path: Path) -> bool:
    """Whether ``path`` is a mount point."""
    return subprocess.run(["mountpoint", "-q", str(path)]).returncode == 0


def mount(config: dict) -> None:
    """Mount proc, bind /dev and bind DATA_DIR at the same path inside the root."""
    root = root_of(config)
    if root == Path("/"):
        return
    data_dir = Path(str(config["DATA_DIR"]))
    data_dir.mkdir(parents=True, exist_ok=True)
    mounts = [(["-t", "proc", "proc"], root / "proc"), (["--bind", "/dev"], root / "dev"),
              (["--bind", str(data_dir)], in_root(config, data_dir))]
    for options, target in mounts:
        target.mkdir(parents=True, exist_ok=True)
        if not is_mounted(target):
            run(["mount", *options, str(target)])


def unmount(config: dict) -> None:
    """Undo :func:`mount` (safe to call twice)."""
    root = root_of(config)
    if root == Path("/"):
        return
    for target in (in_root(config, str(config["DATA_DIR"])), root / "dev", root / "proc"):
        if is_mounted(target):
            run(["umount", "-l", str(target)])


# --- running ----------------------------------------------------------------------------------

def name_this_host(config: dict) -> None:
    """Let the root's /etc/hosts name this machine. Asterisk looks its host name up for every
    call's RTCP (res_rtp_asterisk, when media is bound to any address), and where that fails it
    asks DNS for A.ROOT-SERVERS.NET: two DNS queries per call, each blocking a SIP thread for
    seconds where DNS is slow or absent; a flood of calls from one scanner then stalled every
    organization's registrations (bench/flood.py). The host name can change: checked at each start."""
    root = root_of(config)
    if root == Path("/"):
        return  # the host's own /etc/hosts is its administrator's
    name = socket.gethostname()
    hosts = root / "etc" / "hosts"
    lines = hosts.read_text().splitlines() if hosts.exists() else ["127.0.0.1\tlocalhost"]
    if not any(name in line.split()[1:] for line in lines if line.strip() and not line.startswith("#")):
        hosts.write_text("\n".join([*lines, f"127.0.1.1\t{name}"]) + "\n")


def prepare_run_dirs(config: dict) -> None:
    """Create Asterisk's state directories and give them to the asterisk user; and the directory
    of phones' recordings and of recorded calls, which Asterisk writes and LittlePBX (DATA_DIR's
    group) reads and prunes."""
    name_this_host(config)
    paths = [in_root(config, d) for d in ASTERISK_DIRS]
    for path in paths:
        path.mkdir(parents=True, exist_ok=True)
    chown_asterisk(config, paths)
    share_with_data_group(config, in_root(config, VOICEMAIL_SPOOL))
    owner = pwd.getpwnam("asterisk").pw_uid if root_of(config) == Path("/") else host_account(config)[0]
    for recordings in (phone_recordings_dir(str(config["DATA_DIR"])), call_recordings_dir(str(config["DATA_DIR"]))):
        recordings.mkdir(parents=True, exist_ok=True)
        os.chown(recordings, owner, recordings.parent.stat().st_gid)
        recordings.chmod(0o2775)


def spawn(config: dict, verbosity: int = 0, **popen) -> subprocess.Popen:
    """Start Asterisk's foreground process (asterisk_command) with umask 002: what it adds under
    the voicemail spool stays writable by DATA_DIR's group (prepare_run_dirs)."""
    return subprocess.Popen(asterisk_command(config, verbosity), stdin=subprocess.DEVNULL, umask=0o002, **popen)


def share_with_data_group(config: dict, tree: Path) -> None:
    """Make ``tree`` (the voicemail spool) DATA_DIR's group's, group-writable, its directories
    setgid: LittlePBX's services delete an organization's boxes with it and restore them from a
    backup; with Asterisk's umask of 002 (spawn), what Asterisk adds there stays so."""
    tree.mkdir(parents=True, exist_ok=True)
    for above in tree.parents:  # the way there (Asterisk's 0750 spool): passable, not listable
        if above == root_of(config) or above == Path("/"):
            break
        above.chmod(above.stat().st_mode | 0o001)
    group = Path(str(config["DATA_DIR"])).stat().st_gid
    for path in (tree, *tree.rglob("*")):
        if path.is_symlink():
            continue
        os.chown(path, -1, group)
        path.chmod(path.stat().st_mode | 0o020 | (0o2000 if path.is_dir() else 0))


def asterisk_command(config: dict, verbosity: int = 0) -> list[str]:
    """The foreground command line of Asterisk (as the asterisk user); verbosity adds -v's (dialplan traces)."""
    verbose = ["-" + "v" * verbosity] if verbosity else []
    return chrooted(config, ["/usr/sbin/asterisk", "-f", "-n", *verbose, "-U", "asterisk", "-G", "asterisk"])


def start(config: dict, log_path: str | os.PathLike | None = None, verbosity: int = 0) -> subprocess.Popen:
    """Mount, then start Asterisk in the foreground as a child process; returns it once fully booted."""
    mount(config)
    prepare_run_dirs(config)
    # The child keeps its own copy of the log's descriptor: ours is closed once it is started.
    with open(log_path or os.devnull, "ab") as log:
        process = spawn(config, verbosity, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_fully_booted(config, process)
    return process


def cli(config: dict, command: str, timeout: float = 10) -> str:
    """Run one Asterisk CLI command through the control socket; returns its output."""
    return run(chrooted(config, ["/usr/sbin/asterisk", "-rx", command]), timeout=timeout).stdout


def is_running(config: dict) -> bool:
    """Whether an Asterisk answers on the root's control socket."""
    try:
        cli(config, "core show version", timeout=5)
        return True
    except (ProvisionError, subprocess.TimeoutExpired):
        return False


def wait_fully_booted(config: dict, process: subprocess.Popen | None = None, timeout: float = 60) -> None:
    """Poll until Asterisk says it is fully booted, failing early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ProvisionError(f"asterisk exited with {process.returncode} while starting")
        try:
            if "fully booted" in cli(config, "core waitfullybooted", timeout=5).lower() or is_running(config):
                return
        except (ProvisionError, subprocess.TimeoutExpired):
            pass
        time.sleep(0.2)
    raise ProvisionError("asterisk did not boot in time")


def stop(config: dict, process: subprocess.Popen | None = None, timeout: float = 20) -> None:
    """Stop Asterisk (gracefully, then by signal if it is our child) and unmount."""
    if is_running(config):
        with contextlib.suppress(ProvisionError, subprocess.TimeoutExpired):
            cli(config, "core stop now", timeout=timeout)
    if process is not None:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    unmount(config)


def remove_root(config: dict) -> None:
    """Delete a root copy; refuses while anything is still mounted inside it."""
    root = root_of(config)
    if root == Path("/"):
        raise ProvisionError("refusing to remove /")
    mounted = [p for p in (root / "proc", root / "dev", in_root(config, str(config["DATA_DIR"]))) if is_mounted(p)]
    if mounted:
        raise ProvisionError(f"still mounted: {', '.join(map(str, mounted))}")
    shutil.rmtree(root)


def serve(config: dict) -> int:
    """Mount and run Asterisk in the foreground until it exits (a systemd service's ExecStart).

    SIGTERM and SIGINT are passed on to Asterisk, and the mounts are undone when it exits.
    """
    import signal
    mount(config)
    prepare_run_dirs(config)
    process = spawn(config, verbosity=1)
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda signum, frame: process.send_signal(signum))
    try:
        return process.wait()
    finally:
        unmount(config)


# --- command line -----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """``python -m littlepbx.pbx_backends.asterisk.provision ACTION`` (see --help)."""
    from littlepbx.config import load_config
    parser = argparse.ArgumentParser(prog="littlepbx.pbx_backends.asterisk.provision", description=__doc__)
    parser.add_argument("action", choices=("build-root", "upgrade-root", "write-config", "start", "serve", "stop",
                                           "status", "grants", "fail2ban-jail", "logrotate", "fingerprint"))
    parser.add_argument("--log-dir", default="/var/log/littlepbx", help="LittlePBX's own logs (logrotate)")
    arguments = parser.parse_args(argv)
    action = arguments.action
    config = load_config()
    if action in ("write-config", "start", "serve") and not in_root(config, "/usr/sbin/asterisk").exists():
        raise SystemExit(f"no Asterisk in {root_of(config)}: set ASTERISK_ROOT (for example "
                         "/var/lib/littlepbx/asterisk-root) and run build-root first")
    if action == "build-root":
        if config.get("ASTERISK_ROOT"):
            cache = build_root(str(config["ASTERISK_CACHE_ROOT"]), str(config["ASTERISK_DEBIAN_MIRROR"]))
            install_root(cache, str(config["ASTERISK_ROOT"]))
        else:  # the host's own Asterisk: LittlePBX's module only
            build_module("/")
    elif action == "upgrade-root":  # littlepbxctl upgrade restarts Asterisk when this names packages
        packages = upgrade_root(config)
        print(f"upgraded: {' '.join(packages)}" if packages else "up to date")
    elif action == "write-config":
        write_config(config)
    elif action == "start":
        print(f"asterisk started (pid {start(config).pid})")
    elif action == "serve":
        return serve(config)
    elif action == "stop":
        stop(config)
    elif action == "grants":  # install.sh pipes these into MariaDB as its admin
        user = str(config.get("ASTERISK_DB_USER") or "")
        if not user:
            raise SystemExit("ASTERISK_DB_USER is not set")
        database = make_url(str(config["DATABASE_URL"])).database or ""
        for host in ("127.0.0.1", "localhost"):
            print("".join(f"{statement};\n" for statement in database_grants(database, user, host)), end="")
    elif action == "fail2ban-jail":  # install.sh writes it to /etc/fail2ban/jail.d/littlepbx.conf
        print(fail2ban_jail(config), end="")
    elif action == "logrotate":  # install.sh writes it to /etc/logrotate.d/littlepbx
        print(logrotate_config(config, arguments.log_dir), end="")
    elif action == "fingerprint":  # install.sh: restart Asterisk only when this changed
        print(fingerprint(config))
    elif action == "status":
        running = is_running(config)
        print("running" if running else "stopped")
        return 0 if running else 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
