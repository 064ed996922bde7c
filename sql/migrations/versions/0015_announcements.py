"""Announcements: a recording played to the caller, then a destination. The PBX's plan gains one
row per announcement.

Revision ID: 0015_announcements
Revises: 0014_music_classes
"""
import sqlalchemy as sa
from alembic import op

from littlepbx.database import DESTINATION_COLUMNS, forget_destinations

revision = "0015_announcements"
down_revision = "0014_music_classes"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"


def upgrade() -> None:
    for table in ("announcements", "live_announcements"):
        op.create_table(
            table,
            sa.Column("org_id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(20, collation=BIN), nullable=False),
            sa.Column("title", sa.String(60), nullable=False),
            sa.Column("recording_name", sa.String(255), nullable=True),
            sa.Column("recording_sha256", sa.String(64), nullable=True),
            sa.Column("then_destination", sa.String(40, collation=BIN), nullable=False),
            sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f(f"fk_{table}_org_id_organizations"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("org_id", "name", name=op.f(f"pk_{table}")),
            mysql_charset="utf8mb4",
        )
    op.create_table(
        "lp_announcements",
        sa.Column("id", sa.String(80, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        sa.Column("recording", sa.String(255)),
        sa.Column("then_destination", sa.String(48), nullable=False),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_announcements_tenantid", "lp_announcements", ["tenantid"])


def downgrade() -> None:
    # Destinations naming an announcement hang up after a downgrade (numbers ring nobody).
    forget_destinations(op, "announcement", DESTINATION_COLUMNS[:21])
    for table in ("lp_announcements", "live_announcements", "announcements"):
        op.drop_table(table)
