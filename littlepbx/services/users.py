"""People who log in: passwords (argon2), organization admins (login throttling: web/throttle.py)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from littlepbx import fields as f
from littlepbx.errors import Conflict, NotFound, Unauthorized
from littlepbx.models import ROLE_OPERATOR, ROLE_ORG_ADMIN, AuditEntry, User, utcnow
from littlepbx.models.user import password_fingerprint
from littlepbx.tenancy import ROLE_ORG_ADMIN as ACTOR_ORG_ADMIN
from littlepbx.tenancy import ROLE_SYSTEM, Actor, OrgScope

HASHER = PasswordHasher()
WRONG_CREDENTIALS = "wrong e-mail or password"
# What an unknown e-mail's attempt is checked against: the same work as a real account's.
UNKNOWN_USER_HASH = HASHER.hash("no account has this password")

ADMIN_FIELDS = f.FieldSet({
    "email": f.email(required=True),
    "name": f.text("Name", 100, default=""),
    "password": f.Text(label="Password", max_length=200, min_length=10, nullable=True,
                       help="omitted: one is generated and answered once"),
    "active": f.Boolean(label="Active", default=True),
})
ADMIN_CHANGES = ADMIN_FIELDS.where(lambda name, rule: name != "email").as_optional()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return HASHER.hash(password)


def create_user(session, email: str, password: str, role: str, org_id: int | None = None,
                name: str = "") -> User:
    """A new login; operators have no organization, organization admins exactly one."""
    values = ADMIN_FIELDS.only(["email", "password", "name"]).clean(
        {"email": email, "password": password, "name": name})
    if not values.get("password"):
        raise f.fail("password", "required")
    if session.scalar(select(User.id).where(User.email == values["email"])):
        raise Conflict(f"{values['email']} already has a login", {"email": "already used"})
    user = User(email=values["email"], name=values.get("name") or "", role=role, org_id=org_id,
                password_hash=hash_password(values["password"]))
    session.add(user)
    session.flush()
    return user


def authenticate(session, email: str, password: str) -> User:
    """The active user with these credentials, or Unauthorized. An unknown e-mail costs the same
    hashing time as a wrong password, so the answer's timing does not tell which e-mails exist."""
    user = session.scalars(select(User).where(User.email == str(email).strip())).first()
    if user is None:
        _verify_against(UNKNOWN_USER_HASH, password)
        raise Unauthorized(WRONG_CREDENTIALS)
    if not _verify_against(user.password_hash, password) or not user.active:
        raise Unauthorized(WRONG_CREDENTIALS)
    user.last_login_at = utcnow()
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _verify_against(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, str(password))
    except (VerificationError, InvalidHashError):
        return False


def actor_for(user: User) -> Actor:
    """The actor a logged-in user acts as."""
    if user.role == ROLE_OPERATOR:
        return Actor(user.email, ROLE_SYSTEM)
    return Actor(user.email, ACTOR_ORG_ADMIN, user.org_id)


def list_admins(scope: OrgScope) -> list[User]:
    """The organization's admins."""
    return scope.all(User, order_by=User.email)


def get_admin(scope: OrgScope, email: str) -> User:
    """One admin of the organization, or NotFound."""
    return scope.get(User, f"admin {email}", email=str(email))


def create_admin(scope: OrgScope, data: dict) -> tuple[User, str | None]:
    """A new organization admin; without a password one is generated and returned once."""
    scope.require("admins.manage")
    values = ADMIN_FIELDS.clean(data)
    generated = None if values.get("password") else f.new_secret(16)
    user = create_user(scope.session, values["email"], values.get("password") or generated,
                       ROLE_ORG_ADMIN, scope.org.id, values.get("name") or "")
    if values.get("active") is False:
        user.active = False
    scope.audit("admin.create", user.email)
    return user, generated


def update_admin(scope: OrgScope, email: str, data: dict) -> User:
    """Change an admin's name, password or whether the login is active."""
    scope.require("admins.manage")
    user = get_admin(scope, email)
    values = ADMIN_CHANGES.clean({k: val for k, val in data.items() if k != "email"}
                                 if isinstance(data, dict) else data, partial=True)
    if values.get("name") is not None:
        user.name = values["name"]
    if values.get("password"):
        user.password_hash = hash_password(values["password"])
    if values.get("active") is not None:
        user.active = values["active"]
    scope.audit("admin.update", user.email, {"fields": sorted(values)})
    return user


def delete_admin(scope: OrgScope, email: str) -> None:
    """Remove an admin's login."""
    scope.require("admins.manage")
    user = get_admin(scope, email)
    scope.delete(user)
    scope.audit("admin.delete", user.email)


def list_operators(session, actor: Actor) -> list[User]:
    """Every operator login, by e-mail."""
    actor.require("operators.manage")
    return list(session.scalars(select(User).where(User.role == ROLE_OPERATOR).order_by(User.email)))


def create_operator(session, actor: Actor, data: dict) -> tuple[User, str]:
    """A new operator login with a generated password, returned once (they change it on the page)."""
    actor.require("operators.manage")
    values = ADMIN_FIELDS.only(["email", "name"]).clean(data)
    generated = f.new_secret(16)
    user = create_user(session, values["email"], generated, ROLE_OPERATOR, name=values.get("name") or "")
    session.add(AuditEntry(org_id=None, actor=actor.name, action="operator.create", target=user.email))
    return user, generated


def set_operator_active(session, actor: Actor, email: str, active: bool) -> User:
    """Let an operator log in again, or not; nobody locks themselves out, nor the system out."""
    actor.require("operators.manage")
    user = session.scalars(select(User).where(User.role == ROLE_OPERATOR, User.email == str(email))).first()
    if user is None:
        raise NotFound(f"no operator {email}")
    if not active and user.email == actor.name:
        raise Conflict("you cannot deactivate your own login")
    user.active = bool(active)
    session.flush()
    if not session.scalar(select(func.count()).where(User.role == ROLE_OPERATOR, User.active.is_(True))):
        raise Conflict("this is the last active operator: the system would have none")
    session.add(AuditEntry(org_id=None, actor=actor.name, action="operator.activate" if active else
                           "operator.deactivate", target=user.email))
    return user


# Passwords people choose for themselves (the page's "Change password" and a reset link).
NEW_PASSWORD = f.FieldSet({
    "password": f.Text(label="New password", max_length=200, min_length=10, required=True,
                       message="at least 10 characters"),
    "repeat": f.Text(label="New password again", max_length=200, required=True),
})
RESET_SALT = "littlepbx-password-reset"


def _new_password(session, user: User, data: dict, action: str) -> None:
    """Check the new password (twice the same) and set it; every earlier session of the user ends."""
    values = NEW_PASSWORD.clean({"password": data.get("password") or None, "repeat": data.get("repeat") or None})
    if values["password"] != values["repeat"]:
        raise f.fail("repeat", "not the same as the new password", "the two new passwords differ")
    user.password_hash = hash_password(values["password"])
    session.add(AuditEntry(org_id=user.org_id, actor=user.email, action=action, target=user.email, detail={}))


def change_own_password(session, user: User, data: dict) -> None:
    """A logged-in user's new password, given their current one."""
    if not _verify_against(user.password_hash, str(data.get("current") or "")):
        raise f.fail("current", "not your current password", "the current password is not right")
    _new_password(session, user, data, "user.password_change")


def reset_token(secret_key: str, user: User) -> str:
    """A signed token letting ``user`` choose a new password once: it names the password it
    replaces, so it is void as soon as the password changes (used, or changed otherwise)."""
    return URLSafeTimedSerializer(secret_key, salt=RESET_SALT).dumps(
        {"user": user.id, "was": password_fingerprint(user.password_hash)})


def user_of_reset_token(session, secret_key: str, token: str, max_age: int) -> User:
    """The active user a reset token was made for, while it is valid; else Unauthorized."""
    void = Unauthorized("this link has expired or was already used: ask for a new one")
    try:
        claim = URLSafeTimedSerializer(secret_key, salt=RESET_SALT).loads(token, max_age=max_age)
    except BadSignature:
        raise void from None
    user = session.get(User, claim.get("user")) if isinstance(claim, dict) else None
    if user is None or not user.active or password_fingerprint(user.password_hash) != claim.get("was"):
        raise void
    return user


def reset_password(session, secret_key: str, token: str, max_age: int, data: dict) -> User:
    """Set the new password a valid reset token allows (once)."""
    user = user_of_reset_token(session, secret_key, token, max_age)
    _new_password(session, user, data, "user.password_reset")
    return user


def find_active(session, email: str) -> User | None:
    """The active login with this e-mail, if any (for a reset link)."""
    return session.scalars(select(User).where(User.email == str(email).strip(), User.active.is_(True))).first()


def as_dict(user: User) -> dict:
    """The public shape of a login (never the hash)."""
    return {"email": user.email, "name": user.name, "role": user.role, "active": user.active,
            "last_login_at": user.last_login_at.isoformat() + "Z" if user.last_login_at else None}
