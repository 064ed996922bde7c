"""Music classes: named lists of music files, played by queues and ring groups. The PBX's music
gains playlists (musiconhold_entry) and the plans of queues and ring groups name a class.

Revision ID: 0014_music_classes
Revises: 0013_queues
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_music_classes"
down_revision = "0013_queues"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"
USERS = ("queues", "live_queues", "ring_groups", "live_ring_groups")


def upgrade() -> None:
    for table in ("music_classes", "live_music_classes"):
        op.create_table(
            table,
            sa.Column("org_id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(20, collation=BIN), nullable=False),
            sa.Column("title", sa.String(60), nullable=False),
            sa.Column("shuffle", sa.Boolean(), nullable=False),
            sa.Column("files", sa.String(1300, collation=BIN), nullable=False),
            sa.Column("file_names", sa.String(5200, collation=BIN), nullable=False),
            sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f(f"fk_{table}_org_id_organizations"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("org_id", "name", name=op.f(f"pk_{table}")),
            mysql_charset="utf8mb4",
        )
    for table in USERS:
        op.add_column(table, sa.Column("music_class", sa.String(20, collation=BIN), nullable=True))
    for table in ("lp_queue_plans", "lp_ring_groups"):
        op.add_column(table, sa.Column("music", sa.String(20), nullable=True))
    op.create_table(
        "musiconhold_entry",
        sa.Column("name", sa.String(80, collation=BIN), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry", sa.String(1024), nullable=False),
        sa.PrimaryKeyConstraint("name", "position"),
        mysql_charset="utf8mb4",
    )


def downgrade() -> None:
    op.drop_table("musiconhold_entry")
    op.execute("DELETE FROM musiconhold WHERE mode = 'playlist'")
    for table in ("lp_queue_plans", "lp_ring_groups"):
        op.drop_column(table, "music")
    for table in USERS:
        op.drop_column(table, "music_class")
    for table in ("live_music_classes", "music_classes"):
        op.drop_table(table)
