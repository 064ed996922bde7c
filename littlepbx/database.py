"""The database: an engine and its sessions per app (or per process), and schema migrations."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "sql" / "migrations"


def make_engine(url: str, **options) -> Engine:
    """An engine for MariaDB: READ COMMITTED so one org's writes take no gap locks on another's rows."""
    # hide_parameters: a failed run's message is shown to admins and e-mailed; SQL
    # parameters (SIP and trunk passwords) must not travel with it.
    return create_engine(url, pool_pre_ping=True, pool_recycle=3600,
                         isolation_level="READ COMMITTED", hide_parameters=True, **options)


class Database:
    """One database: its engine and session factory. The app, the worker and the CLI each own one."""

    def __init__(self, url: str, **engine_options):
        self.engine: Engine = make_engine(url, **engine_options)
        self.sessions: sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self):
        """A session committed on success and rolled back on any exception."""
        session: Session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection (the app or process is done with the database)."""
        self.engine.dispose()


# What the web app and the worker may do in their database: read and write rows, nothing more
# (no DROP, ALTER, CREATE or GRANT: schema changes run as the owner, through `littlepbx db upgrade`).
APP_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def app_grants(database: str, user: str, host: str) -> list[str]:
    """The SQL giving the app's account its rights (install.sh and the tests run it as an admin).
    In a database-level GRANT, '_' and '%' are wildcards: the name is escaped to mean only itself."""
    exact = database.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%")
    return [f"GRANT {APP_PRIVILEGES} ON `{exact}`.* TO '{user}'@'{host}'"]


def alembic_config(url: str):
    """An Alembic Config pointing at sql/migrations and ``url``."""
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option("file_template", "%%(rev)s")  # the revision id is already "0005_<name>"
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the schema at ``url`` up to ``revision``."""
    from alembic import command
    command.upgrade(alembic_config(url), revision)


# Alembic's table of the schema's revision (sql/migrations/env.py names it the same).
VERSION_TABLE = "littlepbx_alembic_version"


def schema_state(url: str) -> str:
    """The schema's revision, and whether it is the newest this code knows ("0019_x, current")."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    engine = make_engine(url)
    quiet = logging.getLogger("alembic.runtime.migration")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # it says which SQL dialect it found: not news to a health check
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}
                                                 ).get_current_revision()
    finally:
        quiet.setLevel(level)
        engine.dispose()
    newest = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    return f"{current}, current" if current == newest else f"{current}; run `littlepbx db upgrade` (newest: {newest})"


def new_revision(url: str, name: str) -> str:
    """Autogenerate the next migration ("0005_<name>") from the declared tables against the schema
    at ``url`` (which must be up to date); returns its path. Read it before committing it."""
    import re

    from alembic import command
    existing = sorted((MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    number = int(existing[-1].name[:4]) + 1 if existing else 1
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    script = command.revision(alembic_config(url), message=name, autogenerate=True,
                              rev_id=f"{number:04d}_{slug}")
    return script.path


def downgrade(url: str, revision: str) -> None:
    """Take the schema at ``url`` down to ``revision``."""
    from alembic import command
    command.downgrade(alembic_config(url), revision)


# Where a destination is written, in the draft and the live tables, as (table, column, what a
# downgrade writes there instead), in the order the kinds came: a migration removing a kind of
# destination passes the ones that existed at its revision (DESTINATION_COLUMNS[:n]).
MENU_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "star", "hash")
DESTINATION_COLUMNS = (
    ("dids", "destination", "destination = NULL"),
    ("extensions", "forward_to", "no_answer = 'hangup', forward_to = NULL"),
    ("ring_groups", "no_answer", "no_answer = 'hangup'"),
    ("time_conditions", "open_destination", "open_destination = 'hangup'"),
    ("time_conditions", "closed_destination", "closed_destination = 'hangup'"),
    ("ivrs", "timeout_destination", "timeout_destination = 'hangup'"),
    ("ivrs", "invalid_destination", "invalid_destination = 'hangup'"),
    *(("ivrs", f"option_{key}", f"option_{key} = NULL") for key in MENU_KEYS),
    ("queues", "timeout_destination", "timeout_destination = 'hangup'"),
    ("queues", "full_destination", "full_destination = 'hangup'"),
    ("announcements", "then_destination", "then_destination = 'hangup'"),
    ("blocked_callers", "then_destination", "then_destination = NULL"),
    ("extensions", "when_busy", "when_busy = NULL"),
    ("extensions", "when_unregistered", "when_unregistered = NULL"),
)


def forget_destinations(op, target: str, columns) -> None:
    """In a downgrade that removes the kind of destination ``target`` ("queue"): every draft and
    live column naming one ("queue:500") names nothing, or hang up, instead."""
    for table, column, replacement in columns:
        for prefix in ("", "live_"):
            op.execute(f"UPDATE {prefix}{table} SET {replacement} WHERE {column} LIKE '{target}:%'")
