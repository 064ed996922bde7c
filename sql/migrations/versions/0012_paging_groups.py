"""Paging groups: one number opens the speakers of several phones. The PBX's plan gains one row
per group.

Revision ID: 0012_paging_groups
Revises: 0011_ivrs
"""
import sqlalchemy as sa
from alembic import op

from littlepbx.database import DESTINATION_COLUMNS, forget_destinations

revision = "0012_paging_groups"
down_revision = "0011_ivrs"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"


def upgrade() -> None:
    for table in ("paging_groups", "live_paging_groups"):
        op.create_table(
            table,
            sa.Column("org_id", sa.Integer(), nullable=False),
            sa.Column("number", sa.String(6, collation=BIN), nullable=False),
            sa.Column("name", sa.String(60), nullable=False),
            sa.Column("members", sa.String(1300, collation=BIN), nullable=False),
            sa.Column("seconds", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f(f"fk_{table}_org_id_organizations"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("org_id", "number", name=op.f(f"pk_{table}")),
            mysql_charset="utf8mb4",
        )
    op.create_table(
        "lp_paging_groups",
        sa.Column("id", sa.String(80, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        sa.Column("members", sa.String(1000), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_paging_groups_tenantid", "lp_paging_groups", ["tenantid"])


def downgrade() -> None:
    # Destinations naming a paging group hang up after a downgrade (numbers ring nobody).
    forget_destinations(op, "paging", DESTINATION_COLUMNS[:19])
    for table in ("lp_paging_groups", "live_paging_groups", "paging_groups"):
        op.drop_table(table)
