"""The `littlepbx` command, run as a real process against the test database."""
import os
import subprocess
import sys
import time

import pytest

from tests.conftest import RECORDING_BACKEND, ROOT, wait_until


@pytest.fixture
def cli(app, database_url, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), LITTLEPBX_CONFIG=str(tmp_path / "none.conf"),
               LITTLEPBX_DATABASE_URL=database_url, LITTLEPBX_PBX_BACKEND=RECORDING_BACKEND,
               LITTLEPBX_DATA_DIR=str(tmp_path), LITTLEPBX_WORKER_POLL_SECONDS="0.1")

    def run(*args, check=True):
        result = subprocess.run([sys.executable, "-m", "littlepbx.cli", *args], env=env,
                                capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(result.stdout + result.stderr)
        return result
    return run


def test_when_org_and_token_created_from_cli_then_token_is_printed_once(cli):
    cli("create-org", "acme", "Acme Inc", "admin@acme.example")
    token = cli("create-token", "provisioning", "--org", "acme").stdout.strip()
    assert token.startswith("lpbx_") and len(token) > 40


def test_when_cli_input_is_bad_then_it_says_why_in_one_line(cli):
    result = cli("create-org", "Bad Code", "X", "not-an-email", check=False)
    assert result.returncode == 1
    assert "code:" in result.stderr and "admin_email:" in result.stderr
    assert "Traceback" not in result.stderr


def test_when_operator_created_then_the_password_works(cli, session):
    from littlepbx.services.users import authenticate
    cli("create-operator", "ops@example.net", "--password", "a long passphrase")
    assert authenticate(session, "ops@example.net", "a long passphrase").role == "operator"


def test_when_apply_runs_from_cli_with_a_worker_then_it_reports_applied(cli, database_url,
                                                                          tmp_path):
    cli("create-org", "acme", "Acme Inc", "admin@acme.example")
    worker = subprocess.Popen([sys.executable, "-m", "littlepbx.cli", "worker"],
                              env=dict(os.environ, PYTHONPATH=str(ROOT),
                                       LITTLEPBX_CONFIG=str(tmp_path / "none.conf"),
                                       LITTLEPBX_DATABASE_URL=database_url,
                                       LITTLEPBX_PBX_BACKEND=RECORDING_BACKEND,
                                       LITTLEPBX_WORKER_POLL_SECONDS="0.1"))
    try:
        result = cli("apply", "acme", "--timeout", "30")
    finally:
        worker.kill()
        worker.wait()
    assert "applied" in result.stdout


def test_when_the_worker_idles_then_its_log_stays_quiet(database_url, tmp_path):
    """Twenty ticks of an idle worker write no line each: the scheduler's per-tick INFO lines are off."""
    log = tmp_path / "worker.log"
    with open(log, "w") as output:
        worker = subprocess.Popen([sys.executable, "-m", "littlepbx.cli", "worker"], stdout=output,
                                  stderr=subprocess.STDOUT,
                                  env=dict(os.environ, PYTHONPATH=str(ROOT), LITTLEPBX_CONFIG=str(tmp_path / "none.conf"),
                                           LITTLEPBX_DATABASE_URL=database_url, LITTLEPBX_PBX_BACKEND=RECORDING_BACKEND,
                                           LITTLEPBX_WORKER_POLL_SECONDS="0.1"))
        try:
            wait_until(lambda: "worker started" in log.read_text(), what="the worker to start")
            time.sleep(2)  # the thing measured is what twenty idle ticks write
        finally:
            worker.terminate()
            worker.wait(timeout=20)
    lines = log.read_text().splitlines()
    assert len(lines) <= 3, log.read_text()
    assert not [line for line in lines if "apscheduler" in line], lines


def test_when_a_request_announces_a_body_too_large_then_the_server_refuses_it_unread(database_url, tmp_path):
    """`littlepbx serve` answers 413 to the headers alone: it never reads (or buffers) the body."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "littlepbx.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=dict(os.environ, PYTHONPATH=str(ROOT), LITTLEPBX_CONFIG=str(tmp_path / "none.conf"),
                                       LITTLEPBX_DATABASE_URL=database_url, LITTLEPBX_PBX_BACKEND=RECORDING_BACKEND,
                                       LITTLEPBX_MOH_MAX_BYTES="1000000"))
    try:
        def connect():
            try:
                return socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                return None
        connection = wait_until(connect, what="the server to listen")
        with connection:
            connection.sendall(b"POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                               b"Content-Length: 500000000\r\n\r\n{")
            answer = connection.recv(4096).decode(errors="replace")
        assert answer.startswith("HTTP/1.1 413"), answer
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_health_says_the_database_answers_with_its_schema_and_fails_when_it_does_not(cli, database_url):
    from alembic.script import ScriptDirectory

    from littlepbx.database import alembic_config
    newest = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    result = cli("health")
    assert result.stdout.splitlines()[0] == f"database: answers (schema {newest}, current)", result.stdout
    down = database_url.replace("127.0.0.1:3306", "127.0.0.1:1")
    result = subprocess.run([sys.executable, "-m", "littlepbx.cli", "health"], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), LITTLEPBX_CONFIG="/nonexistent",
                                     LITTLEPBX_DATABASE_URL=down, LITTLEPBX_PBX_BACKEND=RECORDING_BACKEND),
                            timeout=60)
    assert result.returncode == 1 and "database:" in result.stdout and "answers" not in result.stdout.split(
        "database:")[1].splitlines()[0]
