"""An organization's applied configuration as the FreeSWITCH backend stores it: OrgPBXConfig as
JSON in lp_fs_plans, one row per organization, replaced by each Apply in its transaction and read
by the XML server (mod_xml_curl) on every registration and call."""
from __future__ import annotations

import dataclasses
import json
import secrets
import types
import typing
from functools import cache

from sqlalchemy import BigInteger, Column, MetaData, String, Table, Text, select
from sqlalchemy.dialects.mysql import insert as mysql_insert

from littlepbx.pbx_backends import base
from littlepbx.pbx_backends.asterisk.backend import md5_credentials, phone_id

metadata = MetaData()
lp_fs_plans = Table(
    "lp_fs_plans", metadata,
    Column("code", String(16, collation="utf8mb4_bin"), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("plan", Text, nullable=False),
)


def encode(org: base.OrgPBXConfig) -> str:
    """The configuration as JSON."""
    return json.dumps(dataclasses.asdict(org), separators=(",", ":"), sort_keys=True)


def decode(text: str) -> base.OrgPBXConfig:
    """encode()'s JSON back as an OrgPBXConfig (fields it lacks take their defaults)."""
    return _build(base.OrgPBXConfig, json.loads(text))


@cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls, vars(base))


def _build(kind, value):
    """``value`` (parsed JSON) as the type ``kind`` says: dataclasses, tuples of them, plain values."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _build(inner[0], value) if len(inner) == 1 else value
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(_build(item, element) for element in value)
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(**{f.name: _build(hints[f.name], value[f.name])
                       for f in dataclasses.fields(kind) if f.name in value})
    return value


# A phone's password as the plan holds it: the digest of "user:realm:password" (FreeSWITCH's
# a1-hash; its profile challenges in Asterisk's realm), never the password. A plan written before
# holds the password itself until the org's next Apply.
DIGEST = "md5:"


def write(connection, org: base.OrgPBXConfig) -> None:
    """Replace the org's row (inside the caller's transaction) under a new random version: a
    counter would start again at 1 when an org is deleted and made anew, and a reader would keep
    the deleted org's plan. Phones' passwords are kept as digests (DIGEST)."""
    phones = tuple(dataclasses.replace(ext, sip_password=DIGEST + md5_credentials(phone_id(org.code, ext.number),
                                                                                   ext.sip_password))
                   for ext in org.extensions)
    plan = encode(dataclasses.replace(org, extensions=phones))
    statement = mysql_insert(lp_fs_plans).values(code=org.code, version=secrets.randbits(62), plan=plan)
    connection.execute(statement.on_duplicate_key_update(version=statement.inserted.version,
                                                         plan=statement.inserted.plan))


def read(connection, code: str) -> base.OrgPBXConfig | None:
    """The org's applied plan as its row holds it now (in the caller's transaction)."""
    text = connection.execute(select(lp_fs_plans.c.plan).where(lp_fs_plans.c.code == code)).scalar()
    return decode(text) if text else None


def delete(connection, code: str) -> None:
    """Remove the org's row."""
    connection.execute(lp_fs_plans.delete().where(lp_fs_plans.c.code == code))


def registering_plans(connection, cache: PlanCache | None = None) -> list[base.OrgPBXConfig]:
    """The plans whose outbound upstream registers (the JSON is searched first: few do)."""
    codes = connection.execute(select(lp_fs_plans.c.code)
                               .where(lp_fs_plans.c.plan.like('%"register":true%'))).scalars().all()
    found = [cache.get(connection, code) if cache else read(connection, code) for code in codes]
    return [org for org in found if org and org.trunk("outbound") and org.trunk("outbound").register]


def queueing_plans(connection) -> list[base.OrgPBXConfig]:
    """The plans with queues (the JSON is searched first: few have any)."""
    texts = connection.execute(select(lp_fs_plans.c.plan)
                               .where(lp_fs_plans.c.plan.not_like('%"queues":[]%'))).scalars().all()
    return [org for org in map(decode, texts) if org.queues]


class PlanCache:
    """Applied plans by org code, parsed once per version: each lookup reads only the version."""

    def __init__(self):
        self._plans: dict[str, tuple[int, base.OrgPBXConfig]] = {}

    def get(self, connection, code: str) -> base.OrgPBXConfig | None:
        """The org's applied plan, or None when it has none."""
        version = connection.execute(select(lp_fs_plans.c.version).where(lp_fs_plans.c.code == code)).scalar()
        if version is None:
            self._plans.pop(code, None)
            return None
        known = self._plans.get(code)
        if known and known[0] == version:
            return known[1]
        row = connection.execute(select(lp_fs_plans.c.version, lp_fs_plans.c.plan)
                                 .where(lp_fs_plans.c.code == code)).one_or_none()
        if row is None:
            return None
        plan = decode(row.plan)
        self._plans[code] = (row.version, plan)
        return plan
