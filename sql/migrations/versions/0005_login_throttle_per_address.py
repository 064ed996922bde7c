"""Failed logins are no longer counted on the account: anyone who knew an admin's e-mail could
keep that admin locked out. They are counted per address and per (account, address) instead
(littlepbx/web/throttle.py), so the account columns go.

Revision ID: 0005_login_throttle_per_address
Revises: 0004_voicemail_pin_required
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_login_throttle_per_address"
down_revision = "0004_voicemail_pin_required"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column("users", "failed_logins")
    op.drop_column("users", "locked_until")


def downgrade() -> None:
    op.add_column("users", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("users", sa.Column("locked_until", sa.DateTime(), nullable=True))
