"""Queues: callers wait until a member answers. The PBX gains app_queue's realtime tables (the
queues, their members, its event log) and a plan row per queue for the dialplan.

Revision ID: 0013_queues
Revises: 0012_paging_groups
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.mysql import DATETIME

from littlepbx.database import DESTINATION_COLUMNS, forget_destinations

revision = "0013_queues"
down_revision = "0012_paging_groups"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"


def upgrade() -> None:
    for table in ("queues", "live_queues"):
        op.create_table(
            table,
            sa.Column("org_id", sa.Integer(), nullable=False),
            sa.Column("number", sa.String(6, collation=BIN), nullable=False),
            sa.Column("name", sa.String(60), nullable=False),
            sa.Column("members", sa.String(1300, collation=BIN), nullable=False),
            sa.Column("login_required", sa.Boolean(), nullable=False),
            sa.Column("strategy", sa.String(16), nullable=False),
            sa.Column("ring_seconds", sa.Integer(), nullable=False),
            sa.Column("wrapup_seconds", sa.Integer(), nullable=False),
            sa.Column("max_wait_seconds", sa.Integer(), nullable=False),
            sa.Column("timeout_destination", sa.String(40, collation=BIN), nullable=False),
            sa.Column("max_callers", sa.Integer(), nullable=False),
            sa.Column("full_destination", sa.String(40, collation=BIN), nullable=False),
            sa.Column("announce_seconds", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f(f"fk_{table}_org_id_organizations"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("org_id", "number", name=op.f(f"pk_{table}")),
            mysql_charset="utf8mb4",
        )
    op.create_table(
        "lp_queues",
        sa.Column("name", sa.String(80, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        sa.Column("strategy", sa.String(16), nullable=False),
        sa.Column("timeout", sa.Integer(), nullable=False),
        sa.Column("retry", sa.Integer(), nullable=False),
        sa.Column("wrapuptime", sa.Integer(), nullable=False),
        sa.Column("maxlen", sa.Integer(), nullable=False),
        sa.Column("musiconhold", sa.String(80), nullable=False),
        sa.Column("announce_frequency", sa.Integer(), nullable=False),
        sa.Column("announce_position", sa.String(5), nullable=False),
        sa.Column("announce_holdtime", sa.String(5), nullable=False),
        sa.Column("joinempty", sa.String(40), nullable=False),
        sa.Column("leavewhenempty", sa.String(40), nullable=False),
        sa.Column("ringinuse", sa.String(5), nullable=False),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_queues_tenantid", "lp_queues", ["tenantid"])
    # app_queue keys members by uniqueid, which the database numbers (not the primary key).
    op.execute(
        "CREATE TABLE lp_queue_members ("
        " id VARCHAR(80) COLLATE utf8mb4_bin NOT NULL,"
        " queue_name VARCHAR(80) COLLATE utf8mb4_bin NOT NULL,"
        " interface VARCHAR(80) COLLATE utf8mb4_bin NOT NULL,"
        " uniqueid INTEGER NOT NULL AUTO_INCREMENT,"
        " tenantid VARCHAR(16) COLLATE utf8mb4_bin NOT NULL,"
        " membername VARCHAR(80) NULL, state_interface VARCHAR(80) NULL, penalty INTEGER NULL,"
        " paused INTEGER NULL, wrapuptime INTEGER NULL, ringinuse VARCHAR(5) NULL, reason_paused VARCHAR(80) NULL,"
        " PRIMARY KEY (queue_name, interface), UNIQUE KEY uq_lp_queue_members_id (id),"
        " UNIQUE KEY uq_lp_queue_members_uniqueid (uniqueid), KEY ix_lp_queue_members_tenantid (tenantid)"
        ") DEFAULT CHARSET=utf8mb4")
    op.create_table(
        "lp_queue_plans",
        sa.Column("id", sa.String(80, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        sa.Column("members", sa.String(1000), nullable=False),
        sa.Column("login", sa.String(3), nullable=False),
        sa.Column("max_wait", sa.Integer(), nullable=False),
        sa.Column("timeout_destination", sa.String(48), nullable=False),
        sa.Column("full_destination", sa.String(48), nullable=False),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_queue_plans_tenantid", "lp_queue_plans", ["tenantid"])
    op.create_table(
        "lp_queue_log",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("time", DATETIME(fsp=6)),
        sa.Column("callid", sa.String(80)),
        sa.Column("queuename", sa.String(256, collation=BIN)),
        sa.Column("agent", sa.String(80)),
        sa.Column("event", sa.String(32)),
        *[sa.Column(f"data{n}", sa.String(100)) for n in range(1, 6)],
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_queue_log_time", "lp_queue_log", ["time"])
    op.create_index("ix_lp_queue_log_queuename", "lp_queue_log", ["queuename"])


def downgrade() -> None:
    # Destinations naming a queue hang up after a downgrade (numbers ring nobody).
    forget_destinations(op, "queue", DESTINATION_COLUMNS[:19])
    for table in ("lp_queue_log", "lp_queue_plans", "lp_queue_members", "lp_queues", "live_queues", "queues"):
        op.drop_table(table)
