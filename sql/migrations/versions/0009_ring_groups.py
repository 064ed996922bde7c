"""Ring groups: a number that rings several phones (all at once or one by one), with a
destination when nobody answers. The PBX's plan gains the groups and the numbers phones dial
that are not extensions (lp_numbers: a number's destination).

Revision ID: 0009_ring_groups
Revises: 0008_did_destinations
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_ring_groups"
down_revision = "0008_did_destinations"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"


def upgrade() -> None:
    for table in ("ring_groups", "live_ring_groups"):
        op.create_table(
            table,
            sa.Column("org_id", sa.Integer(), nullable=False),
            sa.Column("number", sa.String(6, collation=BIN), nullable=False),
            sa.Column("name", sa.String(60), nullable=False),
            sa.Column("members", sa.String(1300, collation=BIN), nullable=False),
            sa.Column("strategy", sa.String(16), nullable=False),
            sa.Column("ring_seconds", sa.Integer(), nullable=False),
            sa.Column("cid_prefix", sa.String(20), nullable=False),
            sa.Column("no_answer", sa.String(40, collation=BIN), nullable=False),
            sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f(f"fk_{table}_org_id_organizations"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("org_id", "number", name=op.f(f"pk_{table}")),
            mysql_charset="utf8mb4",
        )
    op.create_table(
        "lp_numbers",
        sa.Column("id", sa.String(80, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        sa.Column("destination", sa.String(48), nullable=False),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_numbers_tenantid", "lp_numbers", ["tenantid"])
    op.create_table(
        "lp_ring_groups",
        sa.Column("id", sa.String(80, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        sa.Column("members", sa.String(1000), nullable=False),
        sa.Column("strategy", sa.String(16), nullable=False),
        sa.Column("ring_seconds", sa.Integer(), nullable=False),
        sa.Column("cid_prefix", sa.String(40)),
        sa.Column("no_answer", sa.String(48), nullable=False),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_ring_groups_tenantid", "lp_ring_groups", ["tenantid"])


def downgrade() -> None:
    # Destinations naming a ring group ring nobody after a downgrade.
    for table in ("dids", "live_dids"):
        op.execute(f"UPDATE {table} SET destination = NULL WHERE destination LIKE 'ringgroup:%'")
    for table in ("extensions", "live_extensions"):
        op.execute(f"UPDATE {table} SET no_answer = 'hangup', forward_to = NULL WHERE forward_to LIKE 'ringgroup:%'")
    for table in ("lp_ring_groups", "lp_numbers", "live_ring_groups", "ring_groups"):
        op.drop_table(table)
