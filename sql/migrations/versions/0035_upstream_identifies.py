"""Asterisk identifies upstreams by their source address before any dialplan runs: a view of
every address an organization's upstream may send from (lp_upstream_sources, and the addresses of
lp_upstream_lines), as PJSIP "identify" objects of the one upstream endpoint. A request from any
other address meets no endpoint and is challenged: it starts no channel and runs no dialplan.

The view computes nothing the Apply does not already write, so it needs no rows of its own; it
always holds one address no packet comes from, so Asterisk's cache of it is never empty (an empty
cache would be read from the database again on every request).

Revision ID: 0035_upstream_identifies
Revises: 0034_freeswitch_plans
"""
from alembic import op

revision = "0035_upstream_identifies"
down_revision = "0034_freeswitch_plans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # INVOKER: its reader needs SELECT on both tables (Asterisk's account has it), and the view
    # never depends on the account that created it.
    op.execute("""
        CREATE SQL SECURITY INVOKER VIEW lp_upstream_identifies AS
        SELECT CONCAT('lp-', address) AS id, 'lp-upstream' AS endpoint, address AS `match`,
               'no' AS srv_lookups
        FROM (SELECT address FROM lp_upstream_sources
              UNION SELECT SUBSTRING_INDEX(id, '@', -1) FROM lp_upstream_lines
              UNION SELECT '255.255.255.255') AS addresses""")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS lp_upstream_identifies")
