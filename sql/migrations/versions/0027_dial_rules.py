"""Dial rules (outbound routes): how a number a phone dials that is none of the organization's
own goes out (short numbers, a prefix replaced or removed) and whether it calls abroad; and which
outside numbers each extension may call (all, not abroad, none). The PBX's tables get the rules
("<org>-<n>" in the order they are tried), each extension's permission, and each org's number
of rules and calling code.

Revision ID: 0027_dial_rules
Revises: 0026_extension_call_flow
"""
import sqlalchemy as sa
from alembic import op

revision = "0027_dial_rules"
down_revision = "0026_extension_call_flow"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"


def upgrade() -> None:
    for table in ("dial_rules", "live_dial_rules"):
        op.create_table(
            table,
            sa.Column("org_id", sa.Integer(), nullable=False),
            sa.Column("pattern", sa.String(21, collation=BIN), nullable=False),
            sa.Column("strip", sa.Integer(), nullable=False),
            sa.Column("prepend", sa.String(16), nullable=False),
            sa.Column("international", sa.Boolean(), nullable=False),
            sa.Column("note", sa.String(60), nullable=False),
            sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f(f"fk_{table}_org_id_organizations"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("org_id", "pattern", name=op.f(f"pk_{table}")),
            mysql_charset="utf8mb4",
        )
    for table in ("extensions", "live_extensions"):
        op.add_column(table, sa.Column("outside_calls", sa.String(10), nullable=False, server_default="all"))
    op.add_column("lp_extension_plans", sa.Column("outside_calls", sa.String(10), nullable=True))
    op.add_column("lp_org_plans", sa.Column("dial_rules", sa.Integer(), nullable=True))
    op.add_column("lp_org_plans", sa.Column("country_code", sa.String(4), nullable=True))
    op.create_table(
        "lp_dial_rules",
        sa.Column("id", sa.String(80, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        sa.Column("regex", sa.String(200), nullable=False),
        sa.Column("strip", sa.Integer(), nullable=False),
        sa.Column("prepend", sa.String(16), nullable=True),
        sa.Column("international", sa.String(3), nullable=False),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_dial_rules_tenantid", "lp_dial_rules", ["tenantid"])


def downgrade() -> None:
    op.drop_table("lp_dial_rules")
    op.drop_column("lp_org_plans", "country_code")
    op.drop_column("lp_org_plans", "dial_rules")
    op.drop_column("lp_extension_plans", "outside_calls")
    for table in ("extensions", "live_extensions"):
        op.drop_column(table, "outside_calls")
    for table in ("live_dial_rules", "dial_rules"):
        op.drop_table(table)
