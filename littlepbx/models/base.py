"""Declarative base, shared column types and the naming convention migrations rely on."""
from datetime import UTC, datetime

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo (MariaDB DATETIME has none)."""
    return datetime.now(UTC).replace(tzinfo=None)


def Ident(length: int) -> String:
    """An identifier compared byte for byte (MariaDB's default collation folds case and accents)."""
    return String(length, collation="utf8mb4_bin")


class Base(DeclarativeBase):
    """Base of every LittlePBX table."""

    metadata = MetaData(naming_convention=NAMING)
