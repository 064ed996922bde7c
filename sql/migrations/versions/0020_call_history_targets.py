"""Call records say what was dialled and where the call ended (the dialplan writes both as CDR
variables, which cdr_adaptive_odbc stores in columns of the same names).

Revision ID: 0020_call_history_targets
Revises: 0019_apply_notices
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_call_history_targets"
down_revision = "0019_apply_notices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cdr", sa.Column("lp_dialed", sa.String(40), nullable=True))
    op.add_column("cdr", sa.Column("lp_reached", sa.String(60), nullable=True))


def downgrade() -> None:
    op.drop_column("cdr", "lp_reached")
    op.drop_column("cdr", "lp_dialed")
