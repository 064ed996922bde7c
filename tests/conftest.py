"""Shared fixtures: a fresh MariaDB database per test run, an app per test, clean tables between tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from littlepbx import close_app, create_app, database
from littlepbx.extensions import db
from littlepbx.models import Base
from littlepbx.tenancy import ROLE_ORG_ADMIN, SYSTEM, Actor, open_scope
from tests.lanes import keep_own_lane
from tests.support import recording_backend
from tests.support.databases import scratch_account, scratch_database, url_of

ROOT = Path(__file__).resolve().parent.parent
RECORDING_BACKEND = "tests.support.recording_backend:RecordingBackend"
# The tests are a lab: their upstreams sit on loopback and documentation addresses.
LAB = {"ALLOW_PRIVATE_UPSTREAMS": True}


@pytest.fixture(scope="session")
def owner_database_url():
    """A new, fully migrated database for this test run, dropped at the end (its owner's URL)."""
    with scratch_database("run") as url:
        database.upgrade(url)
        engine = create_engine(url)
        with engine.begin() as connection:
            for statement in recording_backend.SCHEMA:
                connection.execute(text(statement))
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def database_url(owner_database_url):
    """The run's database as the app uses it: an account that may only read and write rows, as
    install.sh gives the web app and the worker (so every test proves that is enough)."""
    with scratch_account(owner_database_url, "app", database.app_grants) as (user, password):
        yield url_of(owner_database_url, user, password)


@pytest.fixture(scope="session")
def engine(owner_database_url):
    """An engine on the run's database, for assertions made outside the app."""
    engine = create_engine(owner_database_url, isolation_level="READ COMMITTED")
    yield engine
    engine.dispose()


def wipe(engine) -> None:
    """Delete every row the tests may have written, children first."""
    with engine.begin() as connection:
        connection.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        for table in recording_backend.TABLES:
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(text("SET FOREIGN_KEY_CHECKS = 1"))


@pytest.fixture
def app_config(database_url, tmp_path):
    """The configuration every test app starts from."""
    return {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-" + "x" * 32,
            "PBX_BACKEND": RECORDING_BACKEND, "DATA_DIR": str(tmp_path / "data"),
            "WORKER_POLL_SECONDS": 0.2, "MAIL_SUPPRESS_SEND": False, "MAIL_PORT": 1, **LAB}


@pytest.fixture
def app(app_config, engine):
    """A fresh app on clean tables."""
    wipe(engine)
    app = create_app(app_config)
    with app.app_context():
        yield app
    wipe(engine)
    # Each app (and its recording backend) has its own pool: do not let idle connections pile up.
    close_app(app)


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def session(app):
    """A session committed by the test when it calls session.commit()."""
    session = db.of(app).sessions()
    yield session
    session.rollback()
    session.close()


def make_org(session, code: str, **extra):
    """Create and commit an organization; returns it."""
    from littlepbx.services import orgs
    data = {"code": code, "name": f"Org {code}", "admin_email": f"admin@{code}.example", **extra}
    org = orgs.create_org(session, SYSTEM, data)
    session.commit()
    return org


def org_admin(org) -> Actor:
    """The actor of an admin of ``org``."""
    return Actor(f"admin@{org.code}.example", ROLE_ORG_ADMIN, org.id)


def scope_of(session, code: str, actor: Actor = SYSTEM, settings: dict | None = None):
    """An org scope, as the REST API and the page open it (with the lab's settings)."""
    return open_scope(session, actor, code, settings=LAB if settings is None else settings)


def free_ports(count: int) -> list[int]:
    """``count`` different TCP ports nothing listens on now, on loopback (all held at once while
    choosing, so the system cannot hand out the same one twice)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def free_port() -> int:
    """A TCP port nothing listens on now, on loopback."""
    return free_ports(1)[0]


def wait_until(condition, timeout: float = 15.0, interval: float = 0.05, what: str = "condition"):
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture
def start_worker(database_url, tmp_path):
    """Start `littlepbx worker` processes on the test database (``settings`` as LITTLEPBX_* variables
    override the test's: polling every 0.1 s, DATA_DIR tmp_path); all are killed at the end."""
    processes = []

    def start(**settings):
        values = {"DATABASE_URL": database_url, "PBX_BACKEND": RECORDING_BACKEND, "WORKER_POLL_SECONDS": "0.1",
                  "DATA_DIR": str(tmp_path), "MAIL_SUPPRESS_SEND": "true", **settings}
        env = dict(os.environ, PYTHONPATH=str(ROOT), LITTLEPBX_CONFIG=str(tmp_path / "none.conf"),
                   **{f"LITTLEPBX_{key}": str(value) for key, value in values.items()})
        process = subprocess.Popen([sys.executable, "-m", "littlepbx.cli", "worker"], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        processes.append(process)
        return process
    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()


def pytest_collection_modifyitems(config, items):
    """In one of tests/lanes.py's processes, only that lane's tests run."""
    keep_own_lane(config, items)
