"""What each Apply last wrote to a realtime table for an organization, as a digest: the next
Apply skips the tables whose rows come out the same, without reading them.

Revision ID: 0029_row_digests
Revises: 0028_call_recordings
"""
import sqlalchemy as sa
from alembic import op

revision = "0029_row_digests"
down_revision = "0028_call_recordings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lp_row_digests",
        sa.Column("code", sa.String(16, collation="utf8mb4_bin"), primary_key=True),
        sa.Column("table_name", sa.String(64, collation="utf8mb4_bin"), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("lp_row_digests")
