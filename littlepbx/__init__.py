"""LittlePBX: many organizations, one shared PBX, every change staged until Apply."""
from __future__ import annotations

import secrets

from flask import Flask

from littlepbx.config import DEFAULTS, load_config
from littlepbx.extensions import build_applier, close_app, csrf, db, get_backend, login_manager

__all__ = ["build_applier", "close_app", "create_app", "get_backend"]


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
                                        or max(int(app.config["MOH_MAX_BYTES"]),
                                               int(app.config["GREETING_MAX_BYTES"])) + 1024 * 1024)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
                      REMEMBER_COOKIE_SECURE=app.config["SESSION_COOKIE_SECURE"])
    # A CSRF token is good for CSRF_TIME_LIMIT_SECONDS; a page open longer fetches a fresh one
    # (GET /api/v1/session) when the API says its token expired, and a stale login form asks again.
    app.config["WTF_CSRF_TIME_LIMIT"] = int(app.config["CSRF_TIME_LIMIT_SECONDS"])
    if app.config["BEHIND_PROXY"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        # One proxy, ours: its X-Forwarded-For is the client (it overwrites what the client sent).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)
    db.init_app(app)
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
