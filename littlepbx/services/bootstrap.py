"""First-run set-up for install.sh: an operator, a system API token and a demo organization.

Safe to run again: credentials already written to the credentials file are kept
while they still work, and replaced (and rewritten) when they do not.
"""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from littlepbx.errors import Unauthorized
from littlepbx.fields import new_secret
from littlepbx.kinds import Dids, Extensions
from littlepbx.models import ROLE_OPERATOR, Organization, User
from littlepbx.services import extensions, objects, orgs, users
from littlepbx.services.tokens import authenticate_token, create_token
from littlepbx.tenancy import SYSTEM, open_scope

OPERATOR_EMAIL = "operator@littlepbx.local"
DEMO_ORG = {"code": "demo", "name": "Demo Organization", "admin_email": "admin@demo.littlepbx.local"}
DEMO_EXTENSIONS = ({"number": "100", "display_name": "Reception"},
                   {"number": "101", "display_name": "Sales"})
DEMO_DID = {"number": "+15555550100", "extension": "100", "description": "demo number"}


def read_credentials(path: Path) -> dict[str, str]:
    """KEY=value lines of an existing credentials file (empty if there is none)."""
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def write_credentials(path: Path, values: dict[str, str]) -> None:
    """Write KEY=value lines readable by root only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("# LittlePBX initial credentials, written by install.sh. Keep it secret.\n")
        handle.writelines(f"{key}={value}\n" for key, value in values.items())
    os.chmod(path, 0o600)


def ensure_login(session, email: str, password: str | None, role: str, org_id=None) -> str:
    """Make sure ``email`` logs in with a known password; returns that password."""
    user = session.scalars(select(User).where(User.email == email)).first()
    if user is not None and password:
        try:
            users.authenticate(session, email, password)
            return password
        except Unauthorized:
            pass
    password = new_secret(16)
    if user is None:
        users.create_user(session, email, password, role, org_id)
    else:
        user.password_hash = users.hash_password(password)
        user.active = True
    return password


def ensure_token(session, token: str | None) -> str:
    """A working system API token: the given one if it still authenticates, else a new one."""
    if token:
        try:
            if authenticate_token(session, token).is_system:
                return token
        except Unauthorized:
            pass
    return create_token(session, SYSTEM, {"name": "install"})[1]


def ensure_demo_org(session) -> None:
    """The demo organization with two extensions and a DID, created once (later edits are kept)."""
    exists = session.scalar(select(Organization.id).where(Organization.code == DEMO_ORG["code"]))
    if exists is not None:
        return
    orgs.create_org(session, SYSTEM, DEMO_ORG)
    scope = open_scope(session, SYSTEM, DEMO_ORG["code"])
    for data in DEMO_EXTENSIONS:
        objects.create(scope, Extensions, data)
    session.flush()
    objects.create(scope, Dids, DEMO_DID)


def bootstrap(session, credentials_file: Path, url: str, sip: dict, demo: bool = True) -> dict:
    """Ensure operator, token and demo organization; write and return the credentials."""
    old = read_credentials(credentials_file)
    values = {"URL": url, "OPERATOR_EMAIL": OPERATOR_EMAIL,
              "OPERATOR_PASSWORD": ensure_login(session, OPERATOR_EMAIL,
                                                old.get("OPERATOR_PASSWORD"), ROLE_OPERATOR),
              "API_TOKEN": ensure_token(session, old.get("API_TOKEN"))}
    if demo:
        ensure_demo_org(session)
        session.flush()
        scope = open_scope(session, SYSTEM, DEMO_ORG["code"])
        values["ADMIN_EMAIL"] = DEMO_ORG["admin_email"]
        values["ADMIN_PASSWORD"] = ensure_login(session, DEMO_ORG["admin_email"],
                                                old.get("ADMIN_PASSWORD"), "org_admin",
                                                scope.org.id)
        values["SIP_SERVER"] = f"{sip['server']}:{sip['port']}"
        for ext in objects.all_of(scope, Extensions):
            values[f"EXT_{ext.number}_USERNAME"] = extensions.sip_username(scope, ext.number)
            values[f"EXT_{ext.number}_PASSWORD"] = ext.sip_password
    write_credentials(credentials_file, values)
    return values
