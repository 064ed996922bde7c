"""The bench's lab: a scratch database migrated like an install, the app's and Asterisk's own
database accounts with the rights install.sh gives them, and a real Asterisk copied from the
cached root and started on bench ports (never an installed one). Everything is removed at the end."""
from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine

from littlepbx import close_app, create_app, database
from littlepbx.config import DEFAULTS
from littlepbx.extensions import build_applier
from littlepbx.pbx_backends.asterisk import provision
from tests.support.databases import scratch_account, scratch_database, url_of

CACHE_ROOT = os.environ.get("LITTLEPBX_TEST_ASTERISK_CACHE", DEFAULTS["ASTERISK_CACHE_ROOT"])
BOOT_TIMEOUT = 600  # Asterisk's start grows with the endpoints it holds: that is one of the figures


def ports(base: int) -> dict:
    """Asterisk's ports from ``base`` (SIP at base + 60, RTP from base - 4000: 2,000 ports, a pair
    for each of 1,000 call legs, so the audio figure's 300 calls fit with room), all below Linux's
    ephemeral range: the bench runs beside an installed LittlePBX (5060...) and beside the tests
    (15060..., RTP 31000..., their phones on 25060 and 25070). A second Asterisk's range may
    overlap the first's: an Asterisk takes the next port where one is in use."""
    return {"ASTERISK_SIP_PORT": base + 60, "ASTERISK_SIP_TLS_PORT": base + 61, "ASTERISK_AMI_PORT": base + 38,
            "ASTERISK_ARI_PORT": base + 3088, "ASTERISK_RTP_START": base - 4000, "ASTERISK_RTP_END": base - 2001}


@dataclass
class PBX:
    """One Asterisk of the lab: its configuration, its directory and its process."""

    config: dict
    workdir: Path
    process: subprocess.Popen | None = None

    @property
    def sip_server(self) -> tuple[str, int]:
        return ("127.0.0.1", int(self.config["ASTERISK_SIP_PORT"]))

    def install(self) -> None:
        provision.build_root(CACHE_ROOT)
        provision.install_root(CACHE_ROOT, self.config["ASTERISK_ROOT"])
        provision.write_config(self.config)

    def start(self) -> float:
        """Start Asterisk and wait until it says it is fully booted; returns the seconds it took."""
        started = time.perf_counter()
        provision.mount(self.config)
        provision.prepare_run_dirs(self.config)
        with open(self.workdir / "asterisk.log", "ab") as log:
            self.process = provision.spawn(self.config, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        provision.wait_fully_booted(self.config, self.process, timeout=BOOT_TIMEOUT)
        return time.perf_counter() - started

    def stop(self) -> None:
        provision.stop(self.config, self.process, timeout=120)
        self.process = None

    def cli(self, command: str, timeout: float = 600) -> str:
        return provision.cli(self.config, command, timeout=timeout)

    def rss_mb(self) -> float:
        """Asterisk's resident memory now, in MB (chroot execs Asterisk: the child is Asterisk)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def remove(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()
        provision.remove_root(self.config)
        subprocess.run(["userdel", str(self.config["ASTERISK_SYSTEM_USER"])], capture_output=True, check=False)


@dataclass
class Lab:
    """What a figure needs: the app (services, REST), its applier, Asterisk, an owner's engine."""

    app: object
    applier: object
    config: dict
    engine: object  # the database's owner: for what the bench inspects directly
    workdir: Path
    pbx: PBX
    extra: list[PBX] = field(default_factory=list)  # second Asterisks for baselines

    @property
    def sip_server(self) -> tuple[str, int]:
        return self.pbx.sip_server

    def second_pbx(self, name: str, base: int) -> PBX:
        """Another Asterisk on the same database with the same files, on ports from ``base``, for a
        baseline; it is removed with the lab. The caller changes its files before starting it."""
        workdir = self.workdir / name
        (workdir / "data").mkdir(parents=True, mode=0o755)
        config = dict(self.config, ASTERISK_ROOT=str(workdir / "root"), DATA_DIR=str(workdir / "data"),
                      ASTERISK_SYSTEM_USER=f"lpb-{name}-{os.getpid()}", **ports(base))
        other = PBX(config, workdir)
        other.install()
        self.extra.append(other)
        return other


@contextmanager
def lab(keep: bool = False):
    """A database, the app, and Asterisk on bench ports; yields the Lab and removes it all after."""
    if os.geteuid() != 0:
        raise SystemExit("the bench needs root: Asterisk runs in a chroot (mount, chroot)")
    workdir = Path(tempfile.mkdtemp(prefix="littlepbx-bench-"))
    workdir.chmod(0o755)
    data_dir = workdir / "data"
    data_dir.mkdir(mode=0o755)
    with scratch_database("bench") as owner_url:
        database.upgrade(owner_url)
        with scratch_account(owner_url, "app", database.app_grants) as (app_user, app_password), \
                scratch_account(owner_url, "pbx", provision.database_grants) as (pbx_user, pbx_password):
            config = dict(DEFAULTS, DATABASE_URL=url_of(owner_url, app_user, app_password), DATA_DIR=str(data_dir),
                          SECRET_KEY=secrets.token_hex(32), PBX_BACKEND="asterisk",
                          ASTERISK_ROOT=str(workdir / "root"), ASTERISK_CACHE_ROOT=CACHE_ROOT,
                          ASTERISK_SIP_HOST="127.0.0.1", **ports(26000),
                          ASTERISK_AMI_SECRET=secrets.token_hex(8), ASTERISK_ARI_PASSWORD=secrets.token_hex(8),
                          MAIL_SUPPRESS_SEND=True, ASTERISK_DB_USER=pbx_user, ASTERISK_DB_PASSWORD=pbx_password,
                          ASTERISK_SYSTEM_USER=f"lpb-pbx-{os.getpid()}", ALLOW_PRIVATE_UPSTREAMS=True)
            pbx = PBX(config, workdir)
            pbx.install()
            app = create_app(config)
            engine = create_engine(owner_url, isolation_level="READ COMMITTED")
            bench_lab = Lab(app, build_applier(app), config, engine, workdir, pbx)
            try:
                with app.app_context():
                    yield bench_lab
            finally:
                with contextlib.suppress(Exception):
                    bench_lab.applier.backend.close()
                for other in [*bench_lab.extra, pbx]:
                    other.remove()
                close_app(app)
                engine.dispose()
                if not keep:
                    subprocess.run(["rm", "-rf", str(workdir)], check=False)
