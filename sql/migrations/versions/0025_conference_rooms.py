"""Conference rooms: numbered rooms with an optional PIN, a moderator PIN, music until the
moderator joins and a largest number of members. The PBX's table holds one row per room,
"<org>-<number>".

Revision ID: 0025_conference_rooms
Revises: 0024_pickup_groups
"""
import sqlalchemy as sa
from alembic import op

from littlepbx.database import DESTINATION_COLUMNS, forget_destinations

revision = "0025_conference_rooms"
down_revision = "0024_pickup_groups"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"


def upgrade() -> None:
    for table in ("conferences", "live_conferences"):
        op.create_table(
            table,
            sa.Column("org_id", sa.Integer(), nullable=False),
            sa.Column("number", sa.String(6, collation=BIN), nullable=False),
            sa.Column("name", sa.String(60), nullable=False),
            sa.Column("pin", sa.String(12), nullable=True),
            sa.Column("moderator_pin", sa.String(12), nullable=True),
            sa.Column("wait_for_moderator", sa.Boolean(), nullable=False),
            sa.Column("max_members", sa.Integer(), nullable=False),
            sa.Column("music_class", sa.String(20), nullable=True),
            sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f(f"fk_{table}_org_id_organizations"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("org_id", "number", name=op.f(f"pk_{table}")),
            mysql_charset="utf8mb4",
        )
    op.create_table(
        "lp_conferences",
        sa.Column("id", sa.String(80, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        sa.Column("pin", sa.String(12), nullable=True),
        sa.Column("moderator_pin", sa.String(12), nullable=True),
        sa.Column("wait_marked", sa.String(3), nullable=False),
        sa.Column("max_members", sa.Integer(), nullable=False),
        sa.Column("music", sa.String(40), nullable=True),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_conferences_tenantid", "lp_conferences", ["tenantid"])


def downgrade() -> None:
    forget_destinations(op, "conference", DESTINATION_COLUMNS[:23])
    for table in ("lp_conferences", "live_conferences", "conferences"):
        op.drop_table(table)
