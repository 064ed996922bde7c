"""Least privilege in the database: the app reads and writes rows and nothing more; Asterisk reads
its realtime rows and writes only contacts, mailbox PINs and call records."""
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from littlepbx.pbx_backends.asterisk import provision
from tests.support.databases import scratch_account, url_of

REFUSED = (OperationalError, ProgrammingError)


def grants_of(engine) -> str:
    with engine.connect() as connection:
        return " | ".join(row[0] for row in connection.execute(text("SHOW GRANTS")))


def refused(engine, statement: str) -> bool:
    try:
        with engine.begin() as connection:
            connection.execute(text(statement))
    except REFUSED as error:
        return error.orig.args[0] in (1142, 1143, 1044, 1045, 1227)  # "command denied" and kin
    return False


@pytest.fixture(scope="module")
def pbx_engine(owner_database_url):
    with scratch_account(owner_database_url, "pbxcheck", provision.database_grants) as (user, password):
        engine = create_engine(url_of(owner_database_url, user, password))
        yield engine
        engine.dispose()


def test_when_the_app_connects_then_its_account_may_change_rows_but_not_the_schema(database_url):
    engine = create_engine(database_url)
    try:
        grants = grants_of(engine)
        assert "GRANT SELECT, INSERT, UPDATE, DELETE ON" in grants, grants
        for power in ("ALL PRIVILEGES", "DROP", "ALTER", "CREATE", "GRANT OPTION", "SUPER"):
            assert power not in grants, grants
        assert refused(engine, "DROP TABLE audit_log")
        assert refused(engine, "ALTER TABLE users ADD COLUMN x INT")
        assert refused(engine, "CREATE TABLE sneaky (id INT)")
    finally:
        engine.dispose()


def test_when_asterisk_connects_then_it_reads_its_rows_and_writes_only_what_it_writes(pbx_engine):
    grants = grants_of(pbx_engine)
    assert "`ps_endpoints` TO" in grants and "`users`" not in grants, grants
    with pbx_engine.connect() as connection:
        connection.execute(text("SELECT id FROM ps_auths LIMIT 1"))
        connection.execute(text("SELECT id FROM ps_contacts LIMIT 1"))
    for statement in ("SELECT * FROM users", "SELECT * FROM api_tokens", "SELECT * FROM extensions",
                      "SELECT * FROM trunks", "INSERT INTO api_tokens (name) VALUES ('mine')",
                      "UPDATE ps_auths SET password = 'x'", "DELETE FROM ps_endpoints",
                      "SELECT * FROM cdr", "CREATE TABLE sneaky (id INT)"):
        assert refused(pbx_engine, statement), statement
