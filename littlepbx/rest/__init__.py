"""The integrator REST API under /api/v1, and the LittlePBXAdmin demo page built on it.

Handlers are thin: parse, call one service function, serialise. Errors of the
services (littlepbx.errors) and of werkzeug are mapped to JSON once, in errors.py.
"""
from flask import request
from flask_login import current_user

from littlepbx.auth import bearer_token
from littlepbx.extensions import csrf

# Importing the resource modules registers their routes on the blueprint.
from littlepbx.rest import (  # noqa: F401
    admins,
    apply,
    audit,
    errors,
    extensions,
    metrics,
    moh,
    musicclasses,
    objects,
    openapi,
    orgs,
    phone_blocks,
    prompts,
    stats,
    switches,
    tokens,
    trunks,
)
from littlepbx.rest.common import api

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
errors.register_on_blueprint(api)


@api.before_request
def csrf_for_session_writes() -> None:
    """A write authenticated by the page's cookie must carry its CSRF token; a bearer token need not."""
    if request.method not in SAFE_METHODS and bearer_token() is None and current_user.is_authenticated:
        csrf.protect()


def init_app(app) -> None:
    """Register the API blueprint, its error mapping, and the demo page."""
    from littlepbx.rest import demo
    csrf.exempt(api)
    errors.register_on_app(app)
    app.register_blueprint(api)
    demo.init_app(app)
