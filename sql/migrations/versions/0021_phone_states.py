"""What a phone's user switches from the phone, at once and without an Apply: do not disturb
(*78/*79) and forward every call (*72<number>/*73). One row per extension; Asterisk updates it.

Revision ID: 0021_phone_states
Revises: 0020_call_history_targets
"""
import sqlalchemy as sa
from alembic import op

revision = "0021_phone_states"
down_revision = "0020_call_history_targets"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"


def upgrade() -> None:
    op.create_table(
        "lp_phone_states",
        sa.Column("id", sa.String(80, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        sa.Column("dnd", sa.String(3), nullable=False, server_default="no"),
        sa.Column("forward_to", sa.String(16), nullable=True),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_phone_states_tenantid", "lp_phone_states", ["tenantid"])


def downgrade() -> None:
    op.drop_table("lp_phone_states")
