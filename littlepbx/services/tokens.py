"""API tokens: the plain token is shown once; only its SHA-256 digest is stored."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from littlepbx import fields as f
from littlepbx.errors import NotFound, Unauthorized
from littlepbx.models import ApiToken, Organization, utcnow
from littlepbx.tenancy import ROLE_ORG_INTEGRATOR, ROLE_SYSTEM, Actor, org_by_code

PREFIX = "lpbx_"
# A token's last use is written at most this often: every request writing it (a commit, an fsync
# of the database's log) cost the API's busiest callers a round trip and a disk flush each.
LAST_USE_RESOLUTION = timedelta(minutes=1)
TOKEN_FIELDS = f.FieldSet({
    "name": f.text("Name", 100, min_length=1, required=True, example="acme crm"),
    "org": f.org_code("Organization", nullable=True, help="null: a system token (every organization)"),
})


def digest(token: str) -> str:
    """The stored form of a token. Tokens are 256 random bits, so a plain hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session, actor: Actor, data: dict) -> tuple[ApiToken, str]:
    """A new token for the whole system ("org" null) or one organization; returns it once."""
    actor.require("tokens.manage")
    values = TOKEN_FIELDS.clean(data)
    org = org_by_code(session, values["org"], actor) if values.get("org") else None
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=values["name"], digest=digest(plain), prefix=plain[:12],
                     org_id=org.id if org else None, created_by=actor.name)
    session.add(token)
    session.flush()
    return token, plain


def authenticate_token(session, plain: str) -> Actor:
    """The actor a bearer token stands for, or Unauthorized."""
    token = session.scalars(select(ApiToken).where(ApiToken.digest == digest(str(plain)))).first()
    if token is None:
        raise Unauthorized("unknown or revoked API token")
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_RESOLUTION:
        token.last_used_at = now
    if token.org_id is None:
        return Actor(f"token:{token.name}", ROLE_SYSTEM)
    return Actor(f"token:{token.name}", ROLE_ORG_INTEGRATOR, token.org_id)


def list_tokens(session, actor: Actor) -> list[ApiToken]:
    """Every token (system role only)."""
    actor.require("tokens.manage")
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def delete_token(session, actor: Actor, token_id: int) -> None:
    """Revoke a token."""
    actor.require("tokens.manage")
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no token {token_id}")
    session.delete(token)


def as_dict(session, token: ApiToken) -> dict:
    """The public shape of a token (never the token itself)."""
    org_code = session.scalar(select(Organization.code).where(Organization.id == token.org_id)) \
        if token.org_id else None
    return {"id": token.id, "name": token.name, "prefix": token.prefix, "org": org_code,
            "created_by": token.created_by, "created_at": token.created_at.isoformat() + "Z",
            "last_used_at": token.last_used_at.isoformat() + "Z" if token.last_used_at else None}
