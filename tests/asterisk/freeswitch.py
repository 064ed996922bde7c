"""A real FreeSWITCH for the SIP tests marked ``backends(..., "freeswitch")``: the host's (or one
built with scripts/build-freeswitch.sh), configured by the backend's own provisioning on loopback
and ports of its own, with LittlePBX's XML server for it in this process.

Where no FreeSWITCH exists those tests are skipped with one line saying how to get one.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from littlepbx.config import DEFAULTS
from littlepbx.pbx_backends.base import BackendError
from littlepbx.pbx_backends.freeswitch import provision
from littlepbx.pbx_backends.freeswitch.backend import FreeSwitchBackend
from littlepbx.pbx_backends.freeswitch.cdr import CdrRecorder
from littlepbx.pbx_backends.freeswitch.server import serve_in_thread
from tests.conftest import free_port
from tests.support.smtp import mail_settings
from tests.support.tls import authority

from .conftest import PARK_SECONDS, SMTP_PORT, TestPBX, make_tone
from .sipp import Sipp

SIP_PORT = 16060
SIP_TLS_PORT = 16061
ESL_PORT = 18021
# Where scripts/build-freeswitch.sh puts its build by default; FREESWITCH_PREFIX picks another.
BUILT = "/var/cache/littlepbx/freeswitch"


@dataclass
class FreeSwitchTestPBX(TestPBX):
    """The running test FreeSWITCH; ``cli`` runs an API command over the event socket."""

    def cli(self, command: str) -> str:
        return self.backend.esl.api(command)

    def restart(self) -> None:
        provision.stop(self.config, self.process)
        self.process = provision.start(self.config, self.workdir / "freeswitch.log")

    def spool(self, code: str, mailbox: str, folder: str = "inbox") -> Path:
        return self.backend.org_files(code)["voicemail"] / mailbox

    def voicemails(self, code: str, mailbox: str) -> int:
        """How many messages FreeSWITCH itself counts in the box (mod_voicemail's index, not files)."""
        counts = self.cli(f"vm_boxcount default/{mailbox}@{code}|all").strip()  # new:saved:urgent new:urgent saved
        return sum(int(count) for count in counts.split(":") if count)


def freeswitch_pbx(database_url: str, tmp_path_factory):
    """Configure and start FreeSWITCH and the XML server; stop both at the end."""
    prefix = os.environ.get("FREESWITCH_PREFIX") or (BUILT if Path(BUILT, "bin", "freeswitch").exists() else "")
    workdir = tmp_path_factory.mktemp("freeswitch")
    ca = authority(workdir)  # upstreams' certificates, and the mail relay's, chain to it
    config = dict(DEFAULTS, DATABASE_URL=database_url, DATA_DIR=str(workdir / "data"), FREESWITCH_PREFIX=prefix,
                  FREESWITCH_CONFIG_DIR=str(workdir / "conf"), FREESWITCH_STATE_DIR=str(workdir / "state"),
                  ASTERISK_SIP_HOST="127.0.0.1", ASTERISK_SIP_PORT=SIP_PORT, ASTERISK_RTP_START=33000,
                  ASTERISK_RTP_END=33999, FREESWITCH_ESL_PORT=ESL_PORT, FREESWITCH_ESL_PASSWORD=secrets.token_hex(8),
                  FREESWITCH_XML_PORT=free_port(), FREESWITCH_XML_SECRET=secrets.token_hex(16),
                  ALLOW_PRIVATE_UPSTREAMS=True, ASTERISK_SIP_TLS_PORT=SIP_TLS_PORT, PARK_SECONDS=PARK_SECONDS,
                  UPSTREAM_TLS_CA_FILE=str(ca.cert_path), **mail_settings(SMTP_PORT, ca))
    try:
        provision.prefix_of(config)
    except BackendError as error:
        pytest.skip(f"FreeSWITCH tests: {error}")
    make_tone(workdir / "tone.wav")
    server = serve_in_thread(config)
    process = None
    engine = create_engine(database_url, isolation_level="READ COMMITTED")
    backend = FreeSwitchBackend(config)
    recorder = running = None
    try:
        process = provision.start(config, workdir / "freeswitch.log")
        recorder = CdrRecorder(config)
        recorder.start()
        running = FreeSwitchTestPBX(config, backend, engine, Sipp(f"127.0.0.1:{SIP_PORT}", workdir), workdir,
                                    process, ca)
        yield running
    finally:
        backend.close()
        if recorder is not None:
            recorder.stop()
        if process is not None:
            provision.stop(config, running.process if running else process)  # a test may have restarted it
        server.shutdown()
        server.service.close()
        engine.dispose()
