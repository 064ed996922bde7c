"""The README's curl walk-through, run as written against a live server and worker."""
import os
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.rest.conftest import new_token
from tests.support.recording_backend import pbx_rows
from tests.support.worker_thread import running_worker

WALKTHROUGH = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def worker(app):
    """The Apply worker ticking in a thread, as `littlepbx worker` would."""
    with running_worker(app) as work:
        yield work


def walkthrough_script() -> str:
    blocks = re.findall(r"```sh\n(.*?)```", WALKTHROUGH.read_text(), re.S)
    return next(block for block in blocks if "BASE=" in block)


@pytest.mark.slow
def test_when_readme_curl_walkthrough_is_followed_then_org_is_live(live_server, worker, session, engine, tmp_path):
    script = walkthrough_script().replace("BASE=http://127.0.0.1:8080/api/v1", f"BASE={live_server}/api/v1")
    environment = dict(os.environ, TOKEN=new_token(session, "integrator", None))
    # In a directory of its own: the walk-through saves files (the call history's CSV).
    result = subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], capture_output=True, text=True,
                            env=environment, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    statuses = re.findall(r"\(HTTP (\d{3})\)", result.stdout)
    assert statuses and all(code.startswith("2") for code in statuses), result.stdout
    assert "apply: applied" in result.stdout
    rows = pbx_rows(engine, "acme")
    assert rows[("did", "+14155550100")] == "timecondition:hours"
    assert rows[("timecondition", "hours")] == ("mon-fri 09:00-12:30 mon-fri 13:30-18:00|2026-12-25|Europe/Paris|"
                                                "ivr:main|voicemail:100|1")
    assert rows[("ivr", "main")] == "|1=ringgroup:600 2=queue:500 0=100|direct|5|2|ringgroup:600|100"
    assert rows[("queue", "500")] == "100 101||rrmemory|15|0|180|voicemail:100|0|hangup|45|"
    assert rows[("ringgroup", "600")] == "ringall|100 101|voicemail:100|"
    with engine.connect() as connection:
        forced = connection.execute(text("SELECT state FROM test_pbx_overrides WHERE org = 'acme'")).scalar()
    assert forced == "closed"
