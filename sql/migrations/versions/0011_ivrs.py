"""Menus (IVR): a greeting, keys leading to destinations, direct dial of internal numbers. The
PBX's plan gains one row per menu.

Revision ID: 0011_ivrs
Revises: 0010_time_conditions
"""
import sqlalchemy as sa
from alembic import op

from littlepbx.database import DESTINATION_COLUMNS, forget_destinations

revision = "0011_ivrs"
down_revision = "0010_time_conditions"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "star", "hash")


def upgrade() -> None:
    for table in ("ivrs", "live_ivrs"):
        op.create_table(
            table,
            sa.Column("org_id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(20, collation=BIN), nullable=False),
            sa.Column("title", sa.String(60), nullable=False),
            sa.Column("greeting_name", sa.String(255), nullable=True),
            sa.Column("greeting_sha256", sa.String(64), nullable=True),
            *[sa.Column(f"option_{key}", sa.String(40, collation=BIN), nullable=True) for key in KEYS],
            sa.Column("direct_dial", sa.Boolean(), nullable=False),
            sa.Column("timeout_seconds", sa.Integer(), nullable=False),
            sa.Column("repeats", sa.Integer(), nullable=False),
            sa.Column("timeout_destination", sa.String(40, collation=BIN), nullable=False),
            sa.Column("invalid_destination", sa.String(40, collation=BIN), nullable=False),
            sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f(f"fk_{table}_org_id_organizations"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("org_id", "name", name=op.f(f"pk_{table}")),
            mysql_charset="utf8mb4",
        )
    op.create_table(
        "lp_ivrs",
        sa.Column("id", sa.String(80, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        sa.Column("greeting", sa.String(255)),
        *[sa.Column(f"opt_{key}", sa.String(48)) for key in KEYS],
        sa.Column("dial_prefixes", sa.String(10), nullable=False),
        sa.Column("timeout", sa.Integer(), nullable=False),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.Column("timeout_destination", sa.String(48), nullable=False),
        sa.Column("invalid_destination", sa.String(48), nullable=False),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_ivrs_tenantid", "lp_ivrs", ["tenantid"])


def downgrade() -> None:
    # Destinations naming a menu hang up after a downgrade (numbers ring nobody).
    forget_destinations(op, "ivr", DESTINATION_COLUMNS[:5])
    for table in ("lp_ivrs", "live_ivrs", "ivrs"):
        op.drop_table(table)
