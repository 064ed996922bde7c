"""People who log in: operators (every organization) and organization admins (one)."""
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from littlepbx.models.base import Base, utcnow

ROLE_OPERATOR = "operator"
ROLE_ORG_ADMIN = "org_admin"


class User(UserMixin, Base):
    """A login. ``org_id`` is set exactly for organization admins."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)

    def get_id(self) -> str:
        """Flask-Login's key in the session and the remember-me cookie: the id and a fingerprint
        of the password hash, so changing the password ends every session made before."""
        return f"{self.id}:{password_fingerprint(self.password_hash)}"

    @property
    def is_active(self) -> bool:
        """Flask-Login: a deactivated login cannot act, even with a live session."""
        return self.active


def password_fingerprint(password_hash: str) -> str:
    """A short digest of a password hash (argon2's hash is salted: this reveals nothing usable)."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]
