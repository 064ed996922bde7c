"""Calls on an organization's registration: the PBX's table of contact user and source address
pairs (lp_upstream_lines). Nothing in the drafts changes: an outbound trunk's source addresses,
unused until now, say where the carrier sends those calls from.

Revision ID: 0016_upstream_lines
Revises: 0015_announcements
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_upstream_lines"
down_revision = "0015_announcements"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"


def upgrade() -> None:
    op.create_table(
        "lp_upstream_lines",
        sa.Column("id", sa.String(64, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_upstream_lines_tenantid", "lp_upstream_lines", ["tenantid"])


def downgrade() -> None:
    op.drop_table("lp_upstream_lines")
