"""The upstream addresses as 64 "identify" objects of up to many addresses each, instead of one
object per address. Asterisk tries every identify object on each request from an address it
does not know (each scanner's packet): at 1,000 organizations (2,000 objects) that cost 1.6 ms
of CPU per request and a flood of 1,000 a second left most unanswered. Every object names the same
endpoint (lp-upstream, whose dialplan tells the organization by the address), so grouping them
changes which request is identified as nothing; an object's addresses are one access list.

An address falls into one of 64 groups by its MD5 (as stable as the address). The addresses of a
group are joined with GROUP_CONCAT, bounded by the server's group_concat_max_len (MariaDB: 1 MB,
some 60,000 addresses to a group); the placeholder address keeps every group, and so the cache,
from being empty.

Revision ID: 0036_upstream_identifies_grouped
Revises: 0035_upstream_identifies
"""
from alembic import op

revision = "0036_upstream_identifies_grouped"
down_revision = "0035_upstream_identifies"
branch_labels = None
depends_on = None

GROUPS = 64


def upgrade() -> None:
    placeholders = " UNION ".join(f"SELECT '255.255.255.255', {group}" for group in range(GROUPS))
    op.execute(f"""
        CREATE OR REPLACE SQL SECURITY INVOKER VIEW lp_upstream_identifies AS
        SELECT CONCAT('lp-', grouped.part) AS id, 'lp-upstream' AS endpoint,
               GROUP_CONCAT(grouped.address ORDER BY grouped.address SEPARATOR ',') AS `match`,
               'no' AS srv_lookups
        FROM (SELECT address, CAST(CONV(LEFT(MD5(address), 4), 16, 10) AS UNSIGNED) % {GROUPS} AS part
              FROM (SELECT address FROM lp_upstream_sources
                    UNION SELECT SUBSTRING_INDEX(id, '@', -1) FROM lp_upstream_lines) AS addresses
              UNION ALL {placeholders}) AS grouped
        GROUP BY grouped.part""")


def downgrade() -> None:
    op.execute("""
        CREATE OR REPLACE SQL SECURITY INVOKER VIEW lp_upstream_identifies AS
        SELECT CONCAT('lp-', address) AS id, 'lp-upstream' AS endpoint, address AS `match`,
               'no' AS srv_lookups
        FROM (SELECT address FROM lp_upstream_sources
              UNION SELECT SUBSTRING_INDEX(id, '@', -1) FROM lp_upstream_lines
              UNION SELECT '255.255.255.255') AS addresses""")
