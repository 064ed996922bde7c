"""Emergency numbers: an organization's country (which numbers) and emergency caller ID; the
PBX's plan of the organization carries both.

Revision ID: 0022_emergency_numbers
Revises: 0021_phone_states
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_emergency_numbers"
down_revision = "0021_phone_states"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organizations", sa.Column("country", sa.String(2), nullable=False, server_default="US"))
    op.add_column("organizations", sa.Column("emergency_caller_id", sa.String(16), nullable=True))
    op.add_column("lp_org_plans", sa.Column("emergency", sa.String(60), nullable=True))
    op.add_column("lp_org_plans", sa.Column("emergency_cid", sa.String(16), nullable=True))


def downgrade() -> None:
    for table, column in (("lp_org_plans", "emergency_cid"), ("lp_org_plans", "emergency"),
                          ("organizations", "emergency_caller_id"), ("organizations", "country")):
        op.drop_column(table, column)
