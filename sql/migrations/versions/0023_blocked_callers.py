"""Blocked callers: outside numbers (or prefixes) whose calls an organization refuses or sends
elsewhere. The PBX's table holds one row per number, "<org>-e<digits>" or "<org>-p<digits>".

Revision ID: 0023_blocked_callers
Revises: 0022_emergency_numbers
"""
import sqlalchemy as sa
from alembic import op

revision = "0023_blocked_callers"
down_revision = "0022_emergency_numbers"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"


def upgrade() -> None:
    for table in ("blocked_callers", "live_blocked_callers"):
        op.create_table(
            table,
            sa.Column("org_id", sa.Integer(), nullable=False),
            sa.Column("number", sa.String(16, collation=BIN), nullable=False),
            sa.Column("match", sa.String(8), nullable=False),
            sa.Column("then_destination", sa.String(40, collation=BIN), nullable=True),
            sa.Column("note", sa.String(100), nullable=False),
            sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f(f"fk_{table}_org_id_organizations"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("org_id", "number", name=op.f(f"pk_{table}")),
            mysql_charset="utf8mb4",
        )
    op.create_table(
        "lp_blocked_callers",
        sa.Column("id", sa.String(80, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        sa.Column("destination", sa.String(48), nullable=True),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_blocked_callers_tenantid", "lp_blocked_callers", ["tenantid"])


def downgrade() -> None:
    for table in ("lp_blocked_callers", "live_blocked_callers", "blocked_callers"):
        op.drop_table(table)
