"""Phones' SIP credentials are kept in Asterisk's table as a digest (md5_cred), not a password.

Revision ID: 0006_phone_digest_credentials
Revises: 0005_login_throttle_per_address
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_phone_digest_credentials"
down_revision = "0005_login_throttle_per_address"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ps_auths", sa.Column("md5_cred", sa.String(40), nullable=True))


def downgrade() -> None:
    op.drop_column("ps_auths", "md5_cred")
