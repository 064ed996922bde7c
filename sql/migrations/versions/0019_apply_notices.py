"""An Apply's e-mail notice says how it went and is tried again when the mail server fails.

Revision ID: 0019_apply_notices
Revises: 0018_default_music_class
"""
import sqlalchemy as sa
from alembic import op

revision = "0019_apply_notices"
down_revision = "0018_default_music_class"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("apply_runs", sa.Column("notice", sa.Text(), nullable=False, server_default=sa.text("('')")))
    op.add_column("apply_runs", sa.Column("notice_attempts", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("apply_runs", sa.Column("notice_retry_at", sa.DateTime(), nullable=True))
    op.create_index("ix_apply_runs_notice_retry_at", "apply_runs", ["notice_retry_at"])


def downgrade() -> None:
    op.drop_index("ix_apply_runs_notice_retry_at", table_name="apply_runs")
    for column in ("notice_retry_at", "notice_attempts", "notice"):
        op.drop_column("apply_runs", column)
