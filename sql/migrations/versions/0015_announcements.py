"""Announcements: a recording played to the caller, then a destination. The PBX's plan gains one
row per announcement.

Revision ID: 0015_announcements
Revises: 0014_music_classes
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_announcements"
down_revision = "0014_music_classes"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"
MENU_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "star", "hash")


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
    for table in ("dids", "live_dids"):
        op.execute(f"UPDATE {table} SET destination = NULL WHERE destination LIKE 'announcement:%'")
    for table in ("extensions", "live_extensions"):
        op.execute(f"UPDATE {table} SET no_answer = 'hangup', forward_to = NULL "
                   "WHERE forward_to LIKE 'announcement:%'")
    columns = {"ring_groups": ["no_answer"], "time_conditions": ["open_destination", "closed_destination"],
               "ivrs": ["timeout_destination", "invalid_destination"],
               "queues": ["timeout_destination", "full_destination"]}
    for prefix in ("", "live_"):
        for table, names in columns.items():
            for column in names:
                op.execute(f"UPDATE {prefix}{table} SET {column} = 'hangup' WHERE {column} LIKE 'announcement:%'")
        for key in MENU_KEYS:
            op.execute(f"UPDATE {prefix}ivrs SET option_{key} = NULL WHERE option_{key} LIKE 'announcement:%'")
    for table in ("lp_announcements", "live_announcements", "announcements"):
        op.drop_table(table)
