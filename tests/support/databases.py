"""Scratch MariaDB databases for tests, created and dropped through an admin account."""
import contextlib
import os
import secrets
import warnings
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

# An account that may create and drop littlepbx_test_* databases (test.sh creates one).
ADMIN_URL = os.environ.get("LITTLEPBX_TEST_DB_ADMIN_URL",
                           "mysql+pymysql://root@127.0.0.1:3306/?charset=utf8mb4")


@contextmanager
def scratch_database(purpose: str):
    """An empty utf8mb4 database named littlepbx_test_<purpose>_<random>; yields its URL."""
    name = f"littlepbx_test_{purpose}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(ADMIN_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            end_leftover_connections(connection, name)
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def end_leftover_connections(connection, name: str) -> None:
    """Kill connections still open on database ``name``, with a warning naming them.

    DROP DATABASE waits for every open transaction on the database's tables, by default
    for a day: one connection left inside a transaction (a thread or process a test failed
    to stop) would hang the run instead of saying what was left behind. The test account
    sees and may kill its own connections, which are all the tests make.
    """
    connection.execute(text("SET SESSION lock_wait_timeout = 30"))
    leftovers = connection.execute(text(
        "SELECT ID, USER, HOST, COMMAND, TIME, STATE, INFO FROM information_schema.PROCESSLIST "
        "WHERE DB = :name AND ID <> CONNECTION_ID()"), {"name": name}).all()
    if leftovers:
        warnings.warn(f"{len(leftovers)} connection(s) still open on {name} at the end, killed: "
                      + "; ".join(f"#{r.ID} {r.COMMAND} {r.TIME}s {r.STATE!r} {r.INFO!r}" for r in leftovers), stacklevel=2)
    for row in leftovers:
        with contextlib.suppress(OperationalError):  # it may have ended on its own meanwhile
            connection.execute(text(f"KILL CONNECTION {int(row.ID)}"))


@contextmanager
def scratch_account(database_url: str, purpose: str, grants):
    """A MariaDB account for this run with the rights ``grants(database, user, host)`` gives it on
    the database of ``database_url``; yields (user, password), and drops the account at the end."""
    url = make_url(database_url)
    user, password = f"lpt_{purpose}_{secrets.token_hex(4)}", secrets.token_hex(16)
    admin = create_engine(ADMIN_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY '{password}'"))
        for statement in grants(url.database, user, "127.0.0.1"):
            connection.execute(text(statement))
    try:
        yield user, password
    finally:
        end_own_connections(url_of(database_url, user, password))
        with admin.begin() as connection:
            connection.execute(text(f"DROP USER IF EXISTS '{user}'@'127.0.0.1'"))
        admin.dispose()


def end_own_connections(url: str) -> None:
    """End every other connection of the account of ``url`` (an account may end its own; the test
    admin may not end another account's), so none is left open on the run's database."""
    engine = create_engine(url)
    with engine.connect() as connection:
        for (thread,) in connection.execute(text("SELECT ID FROM information_schema.PROCESSLIST "
                                                 "WHERE USER = SUBSTRING_INDEX(CURRENT_USER(), '@', 1) AND ID <> CONNECTION_ID()")):
            with contextlib.suppress(OperationalError):
                connection.execute(text(f"KILL CONNECTION {int(thread)}"))
    engine.dispose()


def url_of(database_url: str, user: str, password: str) -> str:
    """``database_url`` with another account."""
    return make_url(database_url).set(username=user, password=password).render_as_string(hide_password=False)
