"""A phone's user blocks the last outside caller that rang the phone (*32): Asterisk remembers
that caller in the phone's state row and inserts the block into lp_phone_blocks, which every
upstream call of the organization is checked against.

Revision ID: 0032_phone_blocks
Revises: 0031_phone_forwards
"""
import sqlalchemy as sa
from alembic import op

revision = "0032_phone_blocks"
down_revision = "0031_phone_forwards"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"


def upgrade() -> None:
    op.add_column("lp_phone_states", sa.Column("last_caller", sa.String(16), nullable=True))
    op.create_table(
        "lp_phone_blocks",
        sa.Column("id", sa.String(80, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("extension", sa.String(16), nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False, server_default=sa.text("(UTC_TIMESTAMP())")),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_phone_blocks_tenantid", "lp_phone_blocks", ["tenantid"])


def downgrade() -> None:
    op.drop_table("lp_phone_blocks")
    op.drop_column("lp_phone_states", "last_caller")
