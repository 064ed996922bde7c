"""Pickup groups within an organization: an extension may belong to a named pickup group (*8
then answers only that group's ringing calls); without one it stays in the organization's own.

Revision ID: 0030_narrower_pickup_groups
Revises: 0029_row_digests
"""
import sqlalchemy as sa
from alembic import op

revision = "0030_narrower_pickup_groups"
down_revision = "0029_row_digests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("extensions", "live_extensions"):
        op.add_column(table, sa.Column("pickup_group", sa.String(20, collation="utf8mb4_bin"), nullable=True))


def downgrade() -> None:
    for table in ("extensions", "live_extensions"):
        op.drop_column(table, "pickup_group")
