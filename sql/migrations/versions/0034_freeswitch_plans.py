"""The FreeSWITCH backend's live configuration: one row per organization holding its applied plan
(what OrgPBXConfig says, as JSON), which LittlePBX's mod_xml_curl server reads on every
registration and call. An Apply replaces the row in its transaction: nothing is reloaded.

Revision ID: 0034_freeswitch_plans
Revises: 0033_call_settings
"""
import sqlalchemy as sa
from alembic import op

revision = "0034_freeswitch_plans"
down_revision = "0033_call_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lp_fs_plans",
        sa.Column("code", sa.String(16, collation="utf8mb4_bin"), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("plan", sa.Text(length=2**24 - 1), nullable=False),
        mysql_charset="utf8mb4",
    )


def downgrade() -> None:
    op.drop_table("lp_fs_plans")
