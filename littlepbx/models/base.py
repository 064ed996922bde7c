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


class DraftedMixin:
    """An aggregate kept twice: the draft the admin edits and the live copy Apply writes.

    ``key_columns`` names the natural key within the organization; the diff,
    Apply and Discard are generic over it.
    """

    key_columns: tuple[str, ...] = ()
    # Columns left out of the diff (none by default).
    diff_ignored: tuple[str, ...] = ()

    def key(self) -> tuple:
        """The natural key of this row within its organization."""
        return tuple(getattr(self, c) for c in self.key_columns)
