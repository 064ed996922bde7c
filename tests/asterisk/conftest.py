"""A real Asterisk for the run: a private copy of the cached root, on loopback, on non-default ports.

The run's database comes from tests/conftest.py (``database_url``: all migrations applied).
Configuration is driven exactly as the applier does it: ``write_org`` in a transaction,
then ``after_commit``.
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from littlepbx.config import DEFAULTS
from littlepbx.pbx_backends.asterisk import provision
from littlepbx.pbx_backends.asterisk.backend import AsteriskBackend
from littlepbx.pbx_backends.base import OrgPBXConfig
from tests.lanes import PORT_SHIFT
from tests.support.databases import scratch_account
from tests.support.smtp import mail_settings, secure_smtp
from tests.support.tls import Authority, authority

from .helpers import PHONE_IPS, org_t1, org_t2, register
from .sipp import Sipp

SIP_PORT = 15060
SIP_TLS_PORT = 15061
# The host account the test Asterisk runs as (its own: an installed LittlePBX's is left alone).
SYSTEM_USER = f"lpt-pbx-{os.getpid()}"
# LittlePBX's services run in DATA_DIR's group (install.sh: littlepbx); the tests' processes run
# as root, and a test takes this group's place to see what the services may do.
SERVICES_GROUP = f"lpt-svc-{os.getpid()}"
# Where voicemail mail goes (msmtp inside the root); the smtp fixture listens there.
SMTP_PORT = 15025 + PORT_SHIFT
# A parked call rings back the phone that parked it this soon (the product waits 60 s).
PARK_SECONDS = 6
# Where the built root is cached between runs (built from scratch, about a minute, if absent).
CACHE_ROOT = os.environ.get("LITTLEPBX_TEST_ASTERISK_CACHE", DEFAULTS["ASTERISK_CACHE_ROOT"])


@dataclass
class TestPBX:
    """The running test Asterisk and the means to configure it like the applier does."""

    config: dict
    backend: AsteriskBackend
    engine: object
    sipp: Sipp
    workdir: Path
    process: subprocess.Popen
    upstream_ca: Authority  # what upstreams' and the mail relay's TLS certificates must chain to

    def apply(self, org: OrgPBXConfig) -> list[str]:
        """write_org in one transaction, then after_commit: what an Apply does; its notes."""
        with self.engine.begin() as connection:
            notes = self.backend.write_org(connection, org)
        self.backend.after_commit(org)
        return notes

    def remove(self, code: str) -> None:
        """remove_org in one transaction, then stop its registrations."""
        with self.engine.begin() as connection:
            self.backend.remove_org(connection, code)
        self.backend.after_remove(code)

    def restart(self) -> None:
        """Stop the PBX and start it again (an operator's restart, an upgrade); returns once it
        serves again."""
        provision.stop(self.config, self.process)
        self.process = provision.start(self.config, self.workdir / "asterisk.log", verbosity=3)

    def cli(self, command: str) -> str:
        """An Asterisk CLI command's output."""
        return provision.cli(self.config, command)

    def spool(self, code: str, mailbox: str, folder: str = "INBOX") -> Path:
        """A voicemail folder inside the root, as seen from the host."""
        return provision.in_root(self.config, f"/var/spool/asterisk/voicemail/{code}/{mailbox}/{folder}")

    def voicemails(self, code: str, mailbox: str) -> int:
        """How many new messages the org's mailbox holds."""
        folder = self.spool(code, mailbox)
        return len(list(folder.glob("msg*.txt"))) if folder.exists() else 0


def make_tone(path: Path) -> None:
    """A 30 s μ-law tone sipp streams as a caller's voice (so voicemail records something)."""
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-e", "u-law", str(path), "synth", "30", "sine", "440"],
                   check=True)


@pytest.fixture(scope="session")
def pbx_account(owner_database_url):
    """Asterisk's own database account, with exactly the rights install.sh gives it."""
    with scratch_account(owner_database_url, "pbx", provision.database_grants) as account:
        yield account


# The PBXs the tests marked `backends("asterisk", "freeswitch")` run against; the others run
# against Asterisk alone. One PBX runs at a time: the tests are grouped by it.
BACKENDS = ("asterisk", "freeswitch")


def pytest_generate_tests(metafunc):
    """Every test using the PBX is parametrised by backend (one run of Asterisk for them all)."""
    if "pbx" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        names = marker.args if marker else ("asterisk",)
        unknown = set(names) - set(BACKENDS)
        if unknown:
            raise pytest.UsageError(f"{metafunc.definition.nodeid}: no PBX backend {sorted(unknown)}")
        metafunc.parametrize("pbx", names, indirect=True, scope="session")


@pytest.fixture(scope="session")
def pbx(request, tmp_path_factory):
    """The running PBX the test's parameter names (Asterisk unless a test is marked ``backends``)."""
    if request.param == "freeswitch":
        from .freeswitch import freeswitch_pbx
        yield from freeswitch_pbx(request.getfixturevalue("database_url"), tmp_path_factory)
    else:
        yield from asterisk_pbx(request.getfixturevalue("database_url"), request.getfixturevalue("pbx_account"),
                                tmp_path_factory)


def asterisk_pbx(database_url, pbx_account, tmp_path_factory):
    """Provision (from the cache), start Asterisk in the foreground, and stop and unmount it at the end."""
    if os.geteuid() != 0:
        pytest.skip("the Asterisk tests need root (chroot, mount)")
    workdir = tmp_path_factory.mktemp("asterisk")
    workdir.chmod(0o755)
    data_dir = workdir / "data"
    data_dir.mkdir(mode=0o755)
    subprocess.run(["groupadd", "--system", SERVICES_GROUP], check=True, capture_output=True)
    shutil.chown(data_dir, group=SERVICES_GROUP)
    # Upstreams' TLS certificates must chain to this CA (tests/support/tls.py makes them).
    upstream_ca = authority(workdir)
    config = dict(DEFAULTS, DATABASE_URL=database_url, DATA_DIR=str(data_dir),
                  ASTERISK_ROOT=str(workdir / "root"), ASTERISK_CACHE_ROOT=CACHE_ROOT,
                  ASTERISK_SIP_HOST="127.0.0.1", ASTERISK_SIP_PORT=SIP_PORT, ASTERISK_AMI_PORT=15038,
                  ASTERISK_ARI_PORT=18088, ASTERISK_AMI_SECRET=secrets.token_hex(8),
                  ASTERISK_ARI_PASSWORD=secrets.token_hex(8), ASTERISK_RTP_START=31000, ASTERISK_RTP_END=31999,
                  PARK_SECONDS=PARK_SECONDS,
                  **mail_settings(SMTP_PORT, upstream_ca),
                  ASTERISK_DB_USER=pbx_account[0], ASTERISK_DB_PASSWORD=pbx_account[1],
                  ASTERISK_SYSTEM_USER=SYSTEM_USER, ALLOW_PRIVATE_UPSTREAMS=True,
                  ASTERISK_SIP_TLS_PORT=SIP_TLS_PORT, UPSTREAM_TLS_CA_FILE=str(upstream_ca.cert_path))
    provision.build_root(CACHE_ROOT)
    provision.install_root(CACHE_ROOT, config["ASTERISK_ROOT"])
    provision.write_config(config)
    make_tone(workdir / "tone.wav")
    process = provision.start(config, workdir / "asterisk.log", verbosity=3)
    engine = create_engine(database_url, isolation_level="READ COMMITTED")
    backend = AsteriskBackend(config)
    running = TestPBX(config, backend, engine, Sipp(f"127.0.0.1:{SIP_PORT}", workdir), workdir, process, upstream_ca)
    try:
        yield running
    finally:
        backend.close()
        engine.dispose()
        provision.stop(config, running.process)  # a test may have restarted it
        if not os.environ.get("LITTLEPBX_TEST_KEEP_ASTERISK"):
            provision.remove_root(config)
        subprocess.run(["userdel", SYSTEM_USER], capture_output=True)
        subprocess.run(["groupdel", SERVICES_GROUP], capture_output=True)


@pytest.fixture(scope="module")
def orgs(pbx):
    """t1 and t2 applied, every phone registered from its own address."""
    pbx.apply(org_t1())
    pbx.apply(org_t2())
    for phone in PHONE_IPS:
        register(pbx, phone)
    return pbx


@pytest.fixture
def t1_restored(orgs):
    """The registered orgs; t1's and t2's normal plans are applied again after the test."""
    yield orgs
    if hasattr(orgs.backend, "forget_digests"):
        orgs.backend.forget_digests()  # a test may have changed rows behind the Applies' back
    orgs.apply(org_t1())
    orgs.apply(org_t2())


@pytest.fixture
def smtp(pbx, tmp_path):
    """The mail relay voicemail's msmtp sends to, on SMTP_PORT, requiring STARTTLS and a login
    (tests/support/smtp.py); yields the Inbox (messages, logins)."""
    controller, inbox = secure_smtp(tmp_path, pbx.upstream_ca, SMTP_PORT)
    try:
        yield inbox
    finally:
        controller.stop()
