"""Per-organization quotas: numbers, audio storage, Applies per minute, audit retention.

Revision ID: 0007_organization_quotas
Revises: 0006_phone_digest_credentials
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_organization_quotas"
down_revision = "0006_phone_digest_credentials"
branch_labels = None
depends_on = None

COLUMNS = (("max_dids", 100), ("max_storage_mb", 200), ("max_applies_per_minute", 10),
           ("audit_retention_days", 365))


def upgrade() -> None:
    for name, default in COLUMNS:
        op.add_column("organizations", sa.Column(name, sa.Integer(), nullable=False, server_default=str(default)))
        op.alter_column("organizations", name, existing_type=sa.Integer(), existing_nullable=False,
                        server_default=None)


def downgrade() -> None:
    for name, _ in COLUMNS:
        op.drop_column("organizations", name)
