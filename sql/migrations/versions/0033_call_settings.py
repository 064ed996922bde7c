"""Call settings, one row per organization (draft and live): its parking slots (701-720 until
now, for every organization) and the announcement outside callers hear before a recorded call.
Every existing organization gets the defaults, so nothing changes for it. Asterisk reads both
from the organization's plan row.

Revision ID: 0033_call_settings
Revises: 0032_phone_blocks
"""
import sqlalchemy as sa
from alembic import op

revision = "0033_call_settings"
down_revision = "0032_phone_blocks"
branch_labels = None
depends_on = None

TABLES = ("call_settings", "live_call_settings")


def upgrade() -> None:
    for table in TABLES:
        op.create_table(
            table,
            sa.Column("org_id", sa.Integer(), nullable=False),
            sa.Column("parking_first", sa.Integer(), nullable=False),
            sa.Column("parking_slots", sa.Integer(), nullable=False),
            sa.Column("recording_notice", sa.String(20), nullable=True),
            sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f(f"fk_{table}_org_id_organizations"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("org_id", name=op.f(f"pk_{table}")),
            mysql_charset="utf8mb4",
        )
        op.execute(f"INSERT INTO {table} (org_id, parking_first, parking_slots) SELECT id, 701, 20 FROM organizations")
    op.add_column("lp_org_plans", sa.Column("parking", sa.String(16), nullable=True))
    op.add_column("lp_org_plans", sa.Column("record_notice", sa.String(255), nullable=True))


def downgrade() -> None:
    op.drop_column("lp_org_plans", "record_notice")
    op.drop_column("lp_org_plans", "parking")
    for table in TABLES:
        op.drop_table(table)
