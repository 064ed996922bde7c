"""Phones may connect over UDP, TCP or TLS (a choice per extension); over TLS the calls' audio is
SRTP, which the PBX's endpoints say with media_encryption.

Revision ID: 0017_phone_transports
Revises: 0016_upstream_lines
"""
import sqlalchemy as sa
from alembic import op

revision = "0017_phone_transports"
down_revision = "0016_upstream_lines"
branch_labels = None
depends_on = None

TABLES = ("extensions", "live_extensions")
ENDPOINT_COLUMNS = (("media_encryption", 10), ("media_encryption_optimistic", 3))


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("sip_transport", sa.String(8), nullable=False, server_default="udp"))
    for name, length in ENDPOINT_COLUMNS:
        op.add_column("ps_endpoints", sa.Column(name, sa.String(length), nullable=True))


def downgrade() -> None:
    # Phones on TCP or TLS are told of UDP again at the next Apply.
    for name, _ in ENDPOINT_COLUMNS:
        op.drop_column("ps_endpoints", name)
    for table in TABLES:
        op.drop_column(table, "sip_transport")
