"""Time conditions: opening hours and holidays choose between two destinations. The PBX's plan
gains the conditions and their forced state (which Asterisk updates from a phone's *28 switch).

Revision ID: 0010_time_conditions
Revises: 0009_ring_groups
"""
import sqlalchemy as sa
from alembic import op

from littlepbx.database import DESTINATION_COLUMNS, forget_destinations

revision = "0010_time_conditions"
down_revision = "0009_ring_groups"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"


def upgrade() -> None:
    for table in ("time_conditions", "live_time_conditions"):
        op.create_table(
            table,
            sa.Column("org_id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(20, collation=BIN), nullable=False),
            sa.Column("title", sa.String(60), nullable=False),
            sa.Column("schedule", sa.String(1000, collation=BIN), nullable=False),
            sa.Column("holidays", sa.String(1100, collation=BIN), nullable=False),
            sa.Column("open_destination", sa.String(40, collation=BIN), nullable=False),
            sa.Column("closed_destination", sa.String(40, collation=BIN), nullable=False),
            sa.Column("toggle_code", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f(f"fk_{table}_org_id_organizations"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("org_id", "name", name=op.f(f"pk_{table}")),
            mysql_charset="utf8mb4",
        )
    op.create_table(
        "lp_time_conditions",
        sa.Column("id", sa.String(80, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        sa.Column("toggle_id", sa.String(24, collation=BIN)),
        sa.Column("schedule", sa.String(1000), nullable=False),
        sa.Column("holidays", sa.String(1100), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("open_destination", sa.String(48), nullable=False),
        sa.Column("closed_destination", sa.String(48), nullable=False),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_time_conditions_tenantid", "lp_time_conditions", ["tenantid"])
    op.create_unique_constraint("uq_lp_time_conditions_toggle_id", "lp_time_conditions", ["toggle_id"])
    op.create_table(
        "lp_time_overrides",
        sa.Column("id", sa.String(80, collation=BIN), primary_key=True),
        sa.Column("tenantid", sa.String(16, collation=BIN), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_lp_time_overrides_tenantid", "lp_time_overrides", ["tenantid"])


def downgrade() -> None:
    # Destinations naming a time condition ring nobody after a downgrade.
    forget_destinations(op, "timecondition", DESTINATION_COLUMNS[:3])
    for table in ("lp_time_overrides", "lp_time_conditions", "live_time_conditions", "time_conditions"):
        op.drop_table(table)
