"""A DID's calls go to a destination (an extension, a mailbox, a ring group, a menu, ...), not
only to an extension. An extension's number is already a valid destination, so the column is
renamed and widened; the PBX's route table follows.

Revision ID: 0008_did_destinations
Revises: 0007_organization_quotas
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_did_destinations"
down_revision = "0007_organization_quotas"
branch_labels = None
depends_on = None

BIN = "utf8mb4_bin"


def upgrade() -> None:
    for table in ("dids", "live_dids"):
        op.alter_column(table, "extension", new_column_name="destination", existing_type=sa.String(6, collation=BIN),
                        type_=sa.String(40, collation=BIN), existing_nullable=True)
    op.alter_column("lp_did_routes", "extension", new_column_name="destination", existing_type=sa.String(16),
                    type_=sa.String(48), existing_nullable=True)
    # An extension's forward target is a destination too.
    for table in ("extensions", "live_extensions"):
        op.alter_column(table, "forward_to", existing_type=sa.String(20), type_=sa.String(40, collation=BIN),
                        existing_nullable=True)
    op.alter_column("lp_extension_plans", "forward_to", existing_type=sa.String(32), type_=sa.String(48),
                    existing_nullable=True)


def downgrade() -> None:
    # Destinations that are not an extension's number ring nobody after a downgrade.
    for table in ("dids", "live_dids"):
        op.execute(f"UPDATE {table} SET destination = NULL WHERE destination NOT REGEXP '^[0-9]{{2,6}}$'")
        op.alter_column(table, "destination", new_column_name="extension", existing_type=sa.String(40, collation=BIN),
                        type_=sa.String(6, collation=BIN), existing_nullable=True)
    op.execute("UPDATE lp_did_routes SET destination = NULL WHERE destination NOT REGEXP '^[0-9]{2,6}$'")
    op.alter_column("lp_did_routes", "destination", new_column_name="extension", existing_type=sa.String(48),
                    type_=sa.String(16), existing_nullable=True)
    for table in ("extensions", "live_extensions"):
        op.execute(f"UPDATE {table} SET no_answer = 'voicemail', forward_to = NULL WHERE LENGTH(forward_to) > 20 "
                   "OR forward_to LIKE '%:%' OR forward_to = 'hangup'")
        op.alter_column(table, "forward_to", existing_type=sa.String(40, collation=BIN), type_=sa.String(20),
                        existing_nullable=True)
    op.execute("UPDATE lp_extension_plans SET forward_to = NULL WHERE LENGTH(forward_to) > 32")
    op.alter_column("lp_extension_plans", "forward_to", existing_type=sa.String(48), type_=sa.String(32),
                    existing_nullable=True)
