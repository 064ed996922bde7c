"""The database: one engine per app, sessions, and schema migrations."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "sql" / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for MariaDB: READ COMMITTED so one org's writes take no gap locks on another's rows."""
    # hide_parameters: a failed run's message is shown to admins and e-mailed; SQL
    # parameters (SIP and trunk passwords) must not travel with it.
    return create_engine(url, pool_pre_ping=True, pool_recycle=3600,
                         isolation_level="READ COMMITTED", hide_parameters=True)


class Database:
    """Holds the engine and the session factory; bound to an app by ``init_app``."""

    def __init__(self):
        self.engine: Engine | None = None
        self.sessions: sessionmaker | None = None

    def init_app(self, app) -> None:
        """Create the engine from DATABASE_URL; each request gets its own session, closed at its end.

        Closing at the request's end as well as the app context's matters where several requests
        share one app context (tests do): no request sees objects another request loaded."""
        self.bind(app.config["DATABASE_URL"])
        app.before_request(lambda: self._close_request_session(None))
        app.teardown_request(self._close_request_session)
        app.teardown_appcontext(self._close_request_session)

    def bind(self, url: str) -> None:
        """Connect to ``url`` (used by the app, the worker and the CLI alike)."""
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

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

    def request_session(self) -> Session:
        """The session of the current request (created on first use)."""
        from flask import g
        if "db_session" not in g:
            g.db_session = self.sessions()
        return g.db_session

    @staticmethod
    def _close_request_session(exc) -> None:
        from flask import g
        session = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


def alembic_config(url: str):
    """An Alembic Config pointing at sql/migrations and ``url``."""
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the schema at ``url`` up to ``revision``."""
    from alembic import command
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Take the schema at ``url`` down to ``revision``."""
    from alembic import command
    command.downgrade(alembic_config(url), revision)
