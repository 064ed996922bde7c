"""An extension's own call flow: its calls while its phone is busy or not registered may go to a
destination of their own; before "if not answered" a follow-me list (extensions and outside
numbers, one by one or all at once; outside ones press 1 to take the call) is rung; its calls
out may show one of the organization's numbers of its own.

Revision ID: 0026_extension_call_flow
Revises: 0025_conference_rooms
"""
import sqlalchemy as sa
from alembic import op

revision = "0026_extension_call_flow"
down_revision = "0025_conference_rooms"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"
PLAN_COLUMNS = (("when_busy", 48), ("when_unregistered", 48), ("follow_me", 400), ("follow_order", 16),
                ("follow_confirm", 3), ("caller_id", 20))
EXTENSION_COLUMNS = ("when_busy", "when_unregistered", "follow_me", "follow_me_order", "follow_me_confirm",
                     "outbound_caller_id")


def upgrade() -> None:
    for table in ("extensions", "live_extensions"):
        op.add_column(table, sa.Column("when_busy", sa.String(40, collation=BIN), nullable=True))
        op.add_column(table, sa.Column("when_unregistered", sa.String(40, collation=BIN), nullable=True))
        op.add_column(table, sa.Column("follow_me", sa.String(1300, collation=BIN), nullable=False, server_default=""))
        op.add_column(table, sa.Column("follow_me_order", sa.String(16), nullable=False, server_default="one_by_one"))
        op.add_column(table, sa.Column("follow_me_confirm", sa.Boolean(), nullable=False, server_default=sa.true()))
        op.add_column(table, sa.Column("outbound_caller_id", sa.String(16, collation=BIN), nullable=True))
    for name, length in PLAN_COLUMNS:
        op.add_column("lp_extension_plans", sa.Column(name, sa.String(length), nullable=True))


def downgrade() -> None:
    for name, _ in PLAN_COLUMNS:
        op.drop_column("lp_extension_plans", name)
    for table in ("extensions", "live_extensions"):
        for name in EXTENSION_COLUMNS:
            op.drop_column(table, name)
