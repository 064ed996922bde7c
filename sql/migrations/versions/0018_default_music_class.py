"""The organization's music on hold may be one of its music classes (the default for queues and
ring groups without one).

Revision ID: 0018_default_music_class
Revises: 0017_phone_transports
"""
import sqlalchemy as sa
from alembic import op

revision = "0018_default_music_class"
down_revision = "0017_phone_transports"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"
TABLES = ("music_on_hold", "live_music_on_hold")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("music_class", sa.String(20, collation=BIN), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "music_class")
