"""API tokens (system role): /tokens and /tokens/{id}; the caller: /session."""
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from littlepbx.auth import bearer_token, current_actor
from littlepbx.models import Organization
from littlepbx.rest.common import api, body, committed, no_content, page_of, session
from littlepbx.services import tokens


@api.get("/tokens")
def list_tokens():
    """Every token (never the token itself)."""
    return page_of(tokens.list_tokens(session(), current_actor()),
                   lambda token: tokens.as_dict(session(), token))


@api.post("/tokens")
def create_token():
    """{"name", "org": code or null}: answers the token once, as "token"."""
    token, plain = tokens.create_token(session(), current_actor(), body())
    return committed(dict(tokens.as_dict(session(), token), token=plain), 201)


@api.delete("/tokens/<int:token_id>")
def delete_token(token_id):
    """Revoke a token."""
    tokens.delete_token(session(), current_actor(), token_id)
    return no_content()


@api.get("/session")
def who_am_i():
    """The caller (token or logged-in user), and the CSRF token a session's writes must send."""
    actor = current_actor()
    org = session().scalar(select(Organization.code).where(Organization.id == actor.org_id)) \
        if actor.org_id else None
    return committed({"name": actor.name, "role": actor.role, "org": org,
                      "auth": "token" if bearer_token() else "session",
                      "csrf_token": None if bearer_token() else generate_csrf()})
