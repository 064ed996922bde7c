"""Who is acting, and the one org-scoped entry point to tenant data.

Every query on an organization's data is built by :class:`OrgScope`, which adds
the organization's filter itself, so forgetting it is not possible from a service.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from littlepbx import logs
from littlepbx.errors import Forbidden, NotFound
from littlepbx.models import AuditEntry, Organization

ROLE_SYSTEM = "system"            # operators and system tokens: every organization
ROLE_ORG_INTEGRATOR = "org_token"  # an organization's API token: all of that organization
ROLE_ORG_ADMIN = "org_admin"      # a person running one organization's PBX from the page

# What each role may do. Anything not listed is refused with 403.
PERMISSIONS = {
    "orgs.manage": {ROLE_SYSTEM},
    "operators.manage": {ROLE_SYSTEM},
    "tokens.manage": {ROLE_SYSTEM},
    "trunks.manage": {ROLE_SYSTEM, ROLE_ORG_INTEGRATOR},
    # Phone numbers and the addresses upstream calls come from are the operator's to hand out:
    # an organization's own token could otherwise take another's number or capture its calls.
    "trunks.addresses": {ROLE_SYSTEM},
    "dids.assign": {ROLE_SYSTEM},
    "admins.manage": {ROLE_SYSTEM, ROLE_ORG_INTEGRATOR},
    "pbx.edit": {ROLE_SYSTEM, ROLE_ORG_INTEGRATOR, ROLE_ORG_ADMIN},
    "pbx.view": {ROLE_SYSTEM, ROLE_ORG_INTEGRATOR, ROLE_ORG_ADMIN},
}
READ_PERMISSIONS = frozenset({"pbx.view"})


@dataclass(frozen=True)
class Actor:
    """A user or a token, reduced to what access decisions need."""

    name: str
    role: str
    org_id: int | None = None

    @property
    def is_system(self) -> bool:
        """Whether this actor reaches every organization."""
        return self.role == ROLE_SYSTEM

    def may(self, permission: str) -> bool:
        """Whether the role grants ``permission``."""
        return self.role in PERMISSIONS[permission]

    def require(self, permission: str) -> None:
        """Raise Forbidden unless the role grants ``permission``."""
        if not self.may(permission):
            raise Forbidden(f"your role ({self.role}) may not do this ({permission})")


SYSTEM = Actor("system", ROLE_SYSTEM)


class OrgScope:
    """One organization's data as one actor may reach it."""

    def __init__(self, session: Session, org: Organization, actor: Actor, settings: dict | None = None):
        self.session = session
        self.org = org
        self.actor = actor
        # The deployment's rules a write may depend on (e.g. ALLOW_PRIVATE_UPSTREAMS); none: the defaults.
        self.settings = settings or {}

    def select(self, model, *criteria):
        """SELECT model rows of this organization only."""
        return select(model).where(model.org_id == self.org.id, *criteria)

    def all(self, model, *criteria, order_by=None) -> list:
        """Every row of ``model`` in this organization, optionally ordered."""
        query = self.select(model, *criteria)
        if order_by is not None:
            query = query.order_by(order_by)
        return list(self.session.scalars(query))

    def count(self, model, *criteria) -> int:
        """How many rows of ``model`` this organization has."""
        return self.session.scalar(select(func.count()).select_from(model)
                                   .where(model.org_id == self.org.id, *criteria))

    def page(self, model, order_by, offset: int, limit: int) -> list:
        """One page of this organization's rows of ``model``."""
        return list(self.session.scalars(self.select(model).order_by(order_by).offset(offset).limit(limit)))

    def find(self, model, **key):
        """The row of this organization with ``key``, or None."""
        criteria = [getattr(model, name) == value for name, value in key.items()]
        return self.session.scalars(self.select(model, *criteria)).first()

    def get(self, model, what: str, **key):
        """The row with ``key``, or NotFound naming ``what`` ("extension 101")."""
        row = self.find(model, **key)
        if row is None:
            raise NotFound(f"no {what} in organization {self.org.code}")
        return row

    def add(self, row) -> None:
        """Add a new row, stamped with this organization."""
        row.org_id = self.org.id
        self.session.add(row)

    def delete(self, row) -> None:
        """Delete a row that must belong to this organization."""
        if row.org_id != self.org.id:
            raise NotFound("no such object in this organization")
        self.session.delete(row)

    def delete_all(self, model) -> None:
        """Delete every row of ``model`` of this organization."""
        self.delete_where(model)

    def delete_where(self, model, *criteria) -> None:
        """Delete this organization's rows of ``model`` that meet ``criteria``."""
        self.session.execute(delete(model).where(model.org_id == self.org.id, *criteria))

    def copy_rows(self, source, target) -> None:
        """Replace this organization's rows of ``target`` with its rows of ``source`` (same columns)."""
        self.delete_all(target)
        columns = [c.name for c in source.__table__.columns]
        rows = select(*[source.__table__.c[name] for name in columns]).where(
            source.__table__.c.org_id == self.org.id)
        self.session.execute(insert(target.__table__).from_select(columns, rows))

    def fingerprints(self, models) -> list[str]:
        """For each of ``models``, in one round trip: how many rows this organization has and a
        digest of their contents in any order ("3:1234..."). Tables of the same columns (a kind's
        draft and live ones) compare without reading their rows."""
        return list(self.session.execute(text(_fingerprint_sql(tuple(m.__table__ for m in models))),
                                         {"org": self.org.id}).one())

    def require(self, permission: str) -> None:
        """Raise Forbidden unless the actor may do ``permission`` here; a write then takes the
        organization's row lock, so Apply copies one consistent draft and never races a delete."""
        self.actor.require(permission)
        if permission not in READ_PERMISSIONS:
            lock_org(self)

    def audit(self, action: str, target: str = "", detail: dict | None = None) -> None:
        """Record who did what in this organization, in the same transaction."""
        self.session.add(AuditEntry(org_id=self.org.id, actor=self.actor.name, action=action,
                                    target=target, detail=detail))


@functools.cache
def _fingerprint_sql(tables: tuple) -> str:
    """The statement of OrgScope.fingerprints: per table, the row count and the XOR of the first 64
    bits of each row's MD5 (its columns as bytes, NULL apart from every text); the primary key
    makes rows distinct, so none cancels another. Column names are the declarations' own."""
    parts = []
    for number, table in enumerate(tables):
        row = ", ".join(f"IFNULL(CAST(`{column.name}` AS BINARY), 0x00)" for column in table.columns
                        if column.name != "org_id")
        parts.append(f"(SELECT CONCAT(COUNT(*), ':', IFNULL(BIT_XOR(CAST(CONV(LEFT(MD5(CONCAT_WS(0x1f, {row})), 16),"
                     f" 16, 10) AS UNSIGNED)), 0)) FROM `{table.name}` WHERE org_id = :org) AS f{number}")
    return "SELECT " + ", ".join(parts)


def org_by_code(session: Session, code: str, actor: Actor) -> Organization:
    """The organization ``code`` if the actor may reach it; otherwise NotFound (existence is not leaked)."""
    org = session.scalars(select(Organization).where(Organization.code == str(code))).first()
    if org is None or (not actor.is_system and org.id != actor.org_id):
        raise NotFound(f"no organization {code!r}")
    return org


def open_scope(session: Session, actor: Actor, code: str, permission: str = "pbx.view",
               settings: dict | None = None) -> OrgScope:
    """The scope of organization ``code`` for ``actor``, checking ``permission``."""
    scope = OrgScope(session, org_by_code(session, code, actor), actor, settings)
    scope.require(permission)
    logs.bind_org(scope.org.code)
    return scope


def lock_org(scope: OrgScope) -> None:
    """Take the organization's row lock: serialises edits and Apply of one organization only."""
    scope.session.execute(select(Organization.id).where(Organization.id == scope.org.id)
                          .with_for_update())
