"""Scratch MariaDB databases for tests, created and dropped through an admin account."""
import os
import secrets
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text

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
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()
