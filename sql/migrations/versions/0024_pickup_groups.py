"""Call pickup: every phone's endpoint is in its organization's call and pickup group (*8 answers
a call ringing on any phone of the same organization, never another's).

Revision ID: 0024_pickup_groups
Revises: 0023_blocked_callers
"""
import sqlalchemy as sa
from alembic import op

revision = "0024_pickup_groups"
down_revision = "0023_blocked_callers"
branch_labels = None
depends_on = None

COLUMNS = ("named_call_group", "named_pickup_group")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("ps_endpoints", sa.Column(name, sa.String(80), nullable=True))


def downgrade() -> None:
    for name in COLUMNS:
        op.drop_column("ps_endpoints", name)
