"""Flask extensions, created once and bound to an app in create_app, and the app's other parts
(its PBX backend, its Apply engine).

Each app keeps its own state in ``app.extensions`` (its database under "littlepbx.db", its
backend under "littlepbx.backend"), so two apps in one process never share them.
"""
from __future__ import annotations

from flask import current_app, g
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from littlepbx import logs
from littlepbx.database import Database

EXTENSION_KEY = "littlepbx.db"


class FlaskDatabase:
    """The app's :class:`Database`, and one session per request, closed at the request's end."""

    def init_app(self, app) -> None:
        """Create the app's Database from DATABASE_URL and the per-request session hooks.

        Closing at the request's end as well as the app context's matters where several requests
        share one app context (tests do): no request sees objects another request loaded."""
        app.extensions[EXTENSION_KEY] = Database(app.config["DATABASE_URL"])
        app.before_request(lambda: self._close_request_session(None))
        app.teardown_request(self._close_request_session)
        app.teardown_appcontext(self._close_request_session)

    @staticmethod
    def of(app) -> Database:
        """The Database of ``app``."""
        return app.extensions[EXTENSION_KEY]

    @property
    def database(self) -> Database:
        """The Database of the current app."""
        return self.of(current_app)

    def session(self):
        """A committed-on-success session of the current app (see Database.session)."""
        return self.database.session()

    def request_session(self) -> Session:
        """The session of the current request (created on first use)."""
        if "db_session" not in g:
            g.db_session = self.database.sessions()
        return g.db_session

    @staticmethod
    def _close_request_session(exc) -> None:
        logs.clear()  # the next request on this thread may be another organization's
        session = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


def get_backend(app):
    """The app's PBX backend, created on first use from PBX_BACKEND."""
    from littlepbx.pbx_backends.base import create_backend
    if "littlepbx.backend" not in app.extensions:
        app.extensions["littlepbx.backend"] = create_backend(app.config["PBX_BACKEND"], dict(app.config))
    return app.extensions["littlepbx.backend"]


def build_applier(app):
    """An Applier wired to the app's database, PBX backend and mail."""
    from littlepbx.applier.engine import Applier
    from littlepbx.applier.notify import mail_notifier
    return Applier(FlaskDatabase.of(app), get_backend(app), app.config["DATA_DIR"], mail_notifier(app.config),
                   moh_prune_after=float(app.config["MOH_PRUNE_AFTER_SECONDS"]),
                   phone_recording_days=float(app.config["PHONE_RECORDING_DAYS"]))


def close_app(app) -> None:
    """Release what the app holds: its database pool and its PBX backend's connections."""
    FlaskDatabase.of(app).dispose()
    backend = app.extensions.pop("littlepbx.backend", None)
    if backend is not None:
        backend.close()


db = FlaskDatabase()
login_manager = LoginManager()
csrf = CSRFProtect()
