"""LittlePBX: many organizations, one shared PBX, every change staged until Apply."""
from __future__ import annotations

import secrets

from flask import Flask

from littlepbx.config import DEFAULTS, load_config
from littlepbx.extensions import csrf, db, login_manager, mail


def create_app(config: dict | None = None) -> Flask:
    """Build the web app: configuration, extensions, blueprints.

    Without ``config`` the configuration is read as documented (defaults, the config file,
    LITTLEPBX_* variables). With one, it is the defaults plus ``config`` and nothing else:
    an app built for a test never reads the host's file or environment."""
    app = Flask(__name__)
    app.config.update(load_config() if config is None else {**DEFAULTS, **config})
    if not app.config.get("SECRET_KEY"):
        # Without a configured key sessions last only as long as this process.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    # Flask's own default is None (no limit): every request is capped at the largest upload.
    app.config["MAX_CONTENT_LENGTH"] = (app.config.get("MAX_CONTENT_LENGTH")
                                        or int(app.config["MOH_MAX_BYTES"]) + 1024 * 1024)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
                      REMEMBER_COOKIE_SECURE=app.config["SESSION_COOKIE_SECURE"])
    # The page keeps its CSRF token for as long as it is open; the token is bound to the session.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    db.init_app(app)
    mail.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    from littlepbx import auth
    auth.init_app(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """Wire in the REST API and the pages (each package exposes init_app)."""
    from littlepbx import rest, web
    rest.init_app(app)
    web.init_app(app)


def get_backend(app: Flask):
    """The app's PBX backend, created on first use from PBX_BACKEND."""
    from littlepbx.pbx_backends.base import create_backend
    if "littlepbx.backend" not in app.extensions:
        app.extensions["littlepbx.backend"] = create_backend(app.config["PBX_BACKEND"],
                                                             dict(app.config))
    return app.extensions["littlepbx.backend"]


def build_applier(app: Flask):
    """An Applier wired to the app's database, backend and mail."""
    from littlepbx.applier.engine import Applier
    from littlepbx.applier.notify import mail_notifier
    return Applier(db.of(app), get_backend(app), app.config["DATA_DIR"], mail_notifier(app, mail),
                   moh_prune_after=float(app.config["MOH_PRUNE_AFTER_SECONDS"]))


def close_app(app: Flask) -> None:
    """Release what the app holds: its database pool and its PBX backend's connections."""
    db.of(app).dispose()
    backend = app.extensions.pop("littlepbx.backend", None)
    if backend is not None:
        backend.close()
