"""Who is calling: a bearer API token, or the logged-in user of the page's session.

Both the REST API and the pages ask :func:`current_actor`; access decisions are
then made by the service layer (OrgScope and the role's permissions).
"""
from __future__ import annotations

import hmac

from flask import g, request
from flask_login import current_user

from littlepbx.errors import Unauthorized
from littlepbx.extensions import db, login_manager
from littlepbx.models import User
from littlepbx.models.user import password_fingerprint
from littlepbx.services.tokens import authenticate_token
from littlepbx.services.users import actor_for
from littlepbx.tenancy import Actor


@login_manager.user_loader
def load_user(session_key: str) -> User | None:
    """The session's user, if it still exists, is active and has the password the session was
    made with (a deactivated login or a changed password ends its sessions)."""
    user_id, _, fingerprint = str(session_key).partition(":")
    try:
        user = db.request_session().get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(fingerprint, password_fingerprint(user.password_hash)) else None


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer ...`` header, if there is one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_actor() -> Actor:
    """The actor of this request, or Unauthorized. Cached for the request."""
    if "actor" in g:
        return g.actor
    token = bearer_token()
    if token is not None:
        session = db.request_session()
        actor = authenticate_token(session, token)
        session.commit()  # keeps last_used_at (written at most once a minute)
    elif current_user.is_authenticated:
        actor = actor_for(current_user)
    else:
        raise Unauthorized("log in, or send Authorization: Bearer <API token>")
    g.actor = actor
    return actor


def init_app(app) -> None:
    """Forget the caller of an earlier request sharing this app context (tests do)."""
    @app.before_request
    def forget_earlier_caller() -> None:
        g.pop("actor", None)
        g.pop("_login_user", None)
        g.pop(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # Flask-WTF caches the token here
