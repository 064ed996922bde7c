"""Requests from unknown addresses meet no dialplan: the endpoint Asterisk identifies every
unknown request as ("anonymous", for upstreams' calls) becomes a realtime row whose ACL admits
only the addresses organizations' upstreams call from (the Applies that change those rewrite
it); a request from anywhere else is answered 401 before a channel exists.

Revision ID: 0031_upstream_acl
Revises: 0030_narrower_pickup_groups
"""
import ipaddress

import sqlalchemy as sa
from alembic import op

revision = "0031_upstream_acl"
down_revision = "0030_narrower_pickup_groups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ps_endpoints", sa.Column("deny", sa.String(95), nullable=True))
    op.add_column("ps_endpoints", sa.Column("permit", sa.Text(), nullable=True))
    # The addresses already claimed, admitted at once (pjsip.conf no longer holds the endpoint).
    bind = op.get_bind()
    addresses = [row[0] for row in bind.execute(sa.text("SELECT address FROM lp_upstream_sources"))]
    addresses += [row[0].split("@", 1)[1] for row in bind.execute(sa.text("SELECT id FROM lp_upstream_lines"))]
    if addresses:
        networks = {ipaddress.ip_network(a) for a in addresses}
        permit = ",".join(str(n) for version in (4, 6)
                          for n in ipaddress.collapse_addresses(x for x in networks if x.version == version))
        bind.execute(sa.text(
            "INSERT INTO ps_endpoints (id, context, message_context, allow_subscribe, disallow, allow, direct_media,"
            " rtp_symmetric, deny, permit) VALUES ('anonymous', 'lp-upstream', 'lp-none', 'no', 'all', 'ulaw,alaw',"
            " 'no', 'yes', '0.0.0.0/0.0.0.0,::/0', :permit)"), {"permit": permit})


def downgrade() -> None:
    op.execute("DELETE FROM ps_endpoints WHERE id = 'anonymous'")
    op.drop_column("ps_endpoints", "permit")
    op.drop_column("ps_endpoints", "deny")
