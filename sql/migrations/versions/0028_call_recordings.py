"""Recorded calls: an extension may record every call to or from it, a number (DID) or a queue
every call through it (a phone may also start and stop a recording with **3); the organization
keeps recorded calls recording_retention_days.

Revision ID: 0028_call_recordings
Revises: 0027_dial_rules
"""
import sqlalchemy as sa
from alembic import op

revision = "0028_call_recordings"
down_revision = "0027_dial_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organizations", sa.Column("recording_retention_days", sa.Integer(), nullable=False,
                                             server_default="90"))
    for table in ("extensions", "live_extensions"):
        op.add_column(table, sa.Column("record_calls", sa.Boolean(), nullable=False, server_default=sa.false()))
    for table in ("dids", "live_dids", "queues", "live_queues"):
        op.add_column(table, sa.Column("record_calls", sa.Boolean(), nullable=False, server_default=sa.false()))
    for table in ("lp_extension_plans", "lp_did_routes", "lp_queue_plans"):
        op.add_column(table, sa.Column("record", sa.String(3), nullable=True))


def downgrade() -> None:
    for table in ("lp_extension_plans", "lp_did_routes", "lp_queue_plans"):
        op.drop_column(table, "record")
    for table in ("extensions", "live_extensions", "dids", "live_dids", "queues", "live_queues"):
        op.drop_column(table, "record_calls")
    op.drop_column("organizations", "recording_retention_days")
