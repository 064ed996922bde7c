"""An Apply run's request, start, end and last change to the millisecond. Whole seconds made an
Apply that took 150 ms count as 0 or 1 s in the apply-seconds histogram of /metrics, and a run's
wait for the worker (requested to started) was known only to within a second.

Revision ID: 0037_apply_run_milliseconds
Revises: 0036_upstream_identifies_grouped
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.mysql import DATETIME

revision = "0037_apply_run_milliseconds"
down_revision = "0036_upstream_identifies_grouped"
branch_labels = None
depends_on = None

COLUMNS = (("requested_at", False), ("updated_at", False), ("started_at", True), ("finished_at", True))


def upgrade() -> None:
    with op.batch_alter_table("apply_runs") as table:
        for name, nullable in COLUMNS:
            table.alter_column(name, type_=DATETIME(fsp=3), existing_type=sa.DateTime(), nullable=nullable)


def downgrade() -> None:
    with op.batch_alter_table("apply_runs") as table:
        for name, nullable in COLUMNS:
            table.alter_column(name, type_=sa.DateTime(), existing_type=DATETIME(fsp=3), nullable=nullable)
