"""Every extension has a voicemail PIN: the column says so, as the field always did.

The Extensions kind declares the PIN as required (a new extension gets a generated one and it
cannot be cleared); the column was nullable. Rows without one (there should be none) get a
random six-digit PIN first.

Revision ID: 0004_voicemail_pin_required
Revises: 0003_registration_refresh
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_voicemail_pin_required"
down_revision = "0003_registration_refresh"
branch_labels = None
depends_on = None

TABLES = ("extensions", "live_extensions")


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"UPDATE {table} SET voicemail_pin = LPAD(FLOOR(RAND() * 1000000), 6, '0') "
                   "WHERE voicemail_pin IS NULL")
        op.alter_column(table, "voicemail_pin", existing_type=sa.String(12), nullable=False)


def downgrade() -> None:
    for table in TABLES:
        op.alter_column(table, "voicemail_pin", existing_type=sa.String(12), nullable=True)
