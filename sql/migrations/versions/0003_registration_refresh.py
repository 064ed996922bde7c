"""Outbound registrations still to be refreshed in Asterisk after a commit.

An Apply (or an org's deletion) writes a row here in its own transaction; the row is
deleted once Asterisk has looked the registration up. A refresh lost to a crash or to
Asterisk not answering is therefore retried by the worker instead of forgotten.

Revision ID: 0003_registration_refresh
Revises: 0002_asterisk_realtime
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_registration_refresh"
down_revision = "0002_asterisk_realtime"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lp_registration_refresh",
        sa.Column("code", sa.String(16, collation="utf8mb4_bin"), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        mysql_charset="utf8mb4",
    )


def downgrade() -> None:
    op.drop_table("lp_registration_refresh")
