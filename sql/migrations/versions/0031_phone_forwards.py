"""A phone's user forwards the calls that find it busy (*90<number>/*91) and those it leaves
unanswered (*52<number>/*53), besides every call (*72/*73): two more columns of the state row
Asterisk updates.

Revision ID: 0031_phone_forwards
Revises: 0030_narrower_pickup_groups
"""
import sqlalchemy as sa
from alembic import op

revision = "0031_phone_forwards"
down_revision = "0030_narrower_pickup_groups"
branch_labels = None
depends_on = None

COLUMNS = ("forward_busy", "forward_unanswered")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("lp_phone_states", sa.Column(name, sa.String(16), nullable=True))


def downgrade() -> None:
    for name in COLUMNS:
        op.drop_column("lp_phone_states", name)
