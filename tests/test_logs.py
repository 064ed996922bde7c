"""Log lines say whose they are, and every log is rotated (logrotate, run for real)."""
import io
import logging
import os
import shutil
import subprocess

import pytest

from littlepbx import logs
from littlepbx.pbx_backends.asterisk import provision
from littlepbx.tenancy import SYSTEM, open_scope
from tests.conftest import make_org


@pytest.fixture
def lines():
    """The formatted lines logged while the test runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(logs.FORMAT))
    handler.addFilter(logs.ContextFilter())
    logger = logging.getLogger("littlepbx.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: stream.getvalue().splitlines()
    logger.removeHandler(handler)
    logs.clear()


def test_a_line_names_the_org_and_the_run_it_is_about_and_no_more_once_they_are_done(session, lines):
    log = logging.getLogger("littlepbx.test")
    make_org(session, "acme")
    with logs.bound(run=12):
        open_scope(session, SYSTEM, "acme")
        log.info("applying")
    log.info("idle")
    open_scope(session, SYSTEM, "acme")  # a web request about acme ...
    log.info("listing")
    logs.clear()  # ... has ended
    log.info("next request")
    assert [line.split(" ", 3)[3] for line in lines()] == [  # after the date, the time and the level
        "littlepbx.test run=12 org=acme: applying", "littlepbx.test: idle", "littlepbx.test org=acme: listing",
        "littlepbx.test: next request"]


def test_logrotate_rotates_littlepbxs_logs_and_asterisks_security_log(tmp_path):
    if shutil.which("logrotate") is None or os.geteuid() != 0:
        pytest.skip("needs logrotate (scripts/lib.sh installs it) and root")
    log_dir, root = tmp_path / "log", tmp_path / "root"
    asterisk_logs = root / "var/log/asterisk"
    for path in (log_dir / "worker.log", asterisk_logs / "security.log", asterisk_logs / "messages"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("a line\n")
    rules = tmp_path / "littlepbx"
    rules.write_text(provision.logrotate_config({"ASTERISK_ROOT": str(root)}, str(log_dir)))
    result = subprocess.run(["logrotate", "--force", "--state", str(tmp_path / "state"), str(rules)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for path in (log_dir / "worker.log", asterisk_logs / "security.log", asterisk_logs / "messages"):
        assert path.read_text() == "" and path.with_name(path.name + ".1").read_text() == "a line\n", path
