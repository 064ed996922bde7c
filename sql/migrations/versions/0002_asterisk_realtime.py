"""asterisk realtime: the tables Asterisk 22 reads and writes, plus LittlePBX's per-call plan

Revision ID: 0002_asterisk_realtime
Revises: 0001_foundation

Column names and types follow Asterisk 22's realtime schema (contrib/ast-db-manage); only the
columns LittlePBX sets or Asterisk writes. Identifier columns are utf8mb4_bin so lookups are exact.
Rows of one org are found by ps_endpoints.tenantid, by the ``<code>-`` prefix of the other
PJSIP ids (primary-key range scans), by voicemail.context, musiconhold.name and lp_*.tenantid.
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_asterisk_realtime"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

TABLES = ('cdr', 'lp_did_routes', 'lp_extension_plans', 'lp_org_plans', 'lp_upstream_sources', 'musiconhold', 'ps_aors', 'ps_auths', 'ps_contacts', 'ps_endpoints', 'ps_registrations', 'voicemail')


def upgrade() -> None:
    op.create_table(
        'cdr',
        sa.Column('id', sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column('calldate', sa.DateTime(), nullable=False),
        sa.Column('answer', sa.DateTime()),
        sa.Column('endtime', sa.DateTime()),
        sa.Column('tenantid', sa.String(80, collation='utf8mb4_bin')),
        sa.Column('peertenantid', sa.String(80, collation='utf8mb4_bin')),
        sa.Column('clid', sa.String(120)),
        sa.Column('src', sa.String(80)),
        sa.Column('dst', sa.String(80)),
        sa.Column('dcontext', sa.String(80)),
        sa.Column('channel', sa.String(120)),
        sa.Column('dstchannel', sa.String(120)),
        sa.Column('lastapp', sa.String(80)),
        sa.Column('lastdata', sa.String(255)),
        sa.Column('duration', sa.Integer()),
        sa.Column('billsec', sa.Integer()),
        sa.Column('disposition', sa.String(45)),
        sa.Column('amaflags', sa.String(20)),
        sa.Column('accountcode', sa.String(80)),
        sa.Column('userfield', sa.String(255)),
        sa.Column('uniqueid', sa.String(150)),
        sa.Column('linkedid', sa.String(150)),
        sa.Column('peeraccount', sa.String(80)),
        sa.Column('sequence', sa.Integer()),
        mysql_charset="utf8mb4",
    )
    op.create_index('ix_cdr_tenantid_calldate', 'cdr', ['tenantid', 'calldate'])
    op.create_index('ix_cdr_uniqueid', 'cdr', ['uniqueid'])
    op.create_table(
        'lp_did_routes',
        sa.Column('id', sa.String(80, collation='utf8mb4_bin'), primary_key=True),
        sa.Column('tenantid', sa.String(16, collation='utf8mb4_bin'), nullable=False),
        sa.Column('number', sa.String(32), nullable=False),
        sa.Column('extension', sa.String(16)),
        mysql_charset="utf8mb4",
    )
    op.create_index('ix_lp_did_routes_tenantid', 'lp_did_routes', ['tenantid'])
    op.create_table(
        'lp_extension_plans',
        sa.Column('id', sa.String(80, collation='utf8mb4_bin'), primary_key=True),
        sa.Column('tenantid', sa.String(16, collation='utf8mb4_bin'), nullable=False),
        sa.Column('number', sa.String(16), nullable=False),
        sa.Column('ring_seconds', sa.Integer(), nullable=False),
        sa.Column('no_answer', sa.String(16), nullable=False),
        sa.Column('forward_to', sa.String(32)),
        sa.Column('voicemail', sa.String(3), nullable=False),
        mysql_charset="utf8mb4",
    )
    op.create_index('ix_lp_extension_plans_tenantid', 'lp_extension_plans', ['tenantid'])
    op.create_table(
        'lp_org_plans',
        sa.Column('code', sa.String(16, collation='utf8mb4_bin'), primary_key=True),
        sa.Column('max_calls', sa.Integer(), nullable=False),
        sa.Column('caller_id', sa.String(32)),
        sa.Column('moh_class', sa.String(80, collation='utf8mb4_bin')),
        sa.Column('has_outbound', sa.String(3), nullable=False),
        mysql_charset="utf8mb4",
    )
    op.create_table(
        'lp_upstream_sources',
        sa.Column('address', sa.String(64, collation='utf8mb4_bin'), primary_key=True),
        sa.Column('tenantid', sa.String(16, collation='utf8mb4_bin'), nullable=False),
        mysql_charset="utf8mb4",
    )
    op.create_index('ix_lp_upstream_sources_tenantid', 'lp_upstream_sources', ['tenantid'])
    op.create_table(
        'musiconhold',
        sa.Column('name', sa.String(80, collation='utf8mb4_bin'), primary_key=True),
        sa.Column('mode', sa.String(20)),
        sa.Column('directory', sa.String(255)),
        sa.Column('application', sa.String(255)),
        sa.Column('digit', sa.String(1)),
        sa.Column('sort', sa.String(10)),
        sa.Column('format', sa.String(10)),
        sa.Column('stamp', sa.DateTime()),
        mysql_charset="utf8mb4",
    )
    op.create_table(
        'ps_aors',
        sa.Column('id', sa.String(80, collation='utf8mb4_bin'), primary_key=True),
        sa.Column('contact', sa.String(255)),
        sa.Column('default_expiration', sa.Integer()),
        sa.Column('minimum_expiration', sa.Integer()),
        sa.Column('maximum_expiration', sa.Integer()),
        sa.Column('max_contacts', sa.Integer()),
        sa.Column('remove_existing', sa.String(3)),
        sa.Column('qualify_frequency', sa.Integer()),
        sa.Column('qualify_timeout', sa.Float()),
        sa.Column('authenticate_qualify', sa.String(5)),
        sa.Column('mailboxes', sa.String(120)),
        sa.Column('outbound_proxy', sa.String(255)),
        sa.Column('support_path', sa.String(3)),
        mysql_charset="utf8mb4",
    )
    op.create_table(
        'ps_auths',
        sa.Column('id', sa.String(80, collation='utf8mb4_bin'), primary_key=True),
        sa.Column('auth_type', sa.String(20)),
        sa.Column('username', sa.String(80, collation='utf8mb4_bin')),
        sa.Column('password', sa.String(80)),
        sa.Column('realm', sa.String(80)),
        mysql_charset="utf8mb4",
    )
    op.create_table(
        'ps_contacts',
        sa.Column('id', sa.String(255, collation='utf8mb4_bin'), primary_key=True),
        sa.Column('uri', sa.String(511)),
        sa.Column('expiration_time', sa.BigInteger()),
        sa.Column('qualify_frequency', sa.Integer()),
        sa.Column('outbound_proxy', sa.String(255)),
        sa.Column('path', sa.Text()),
        sa.Column('user_agent', sa.String(255)),
        sa.Column('qualify_timeout', sa.Float()),
        sa.Column('reg_server', sa.String(255)),
        sa.Column('authenticate_qualify', sa.String(5)),
        sa.Column('via_addr', sa.String(64)),
        sa.Column('via_port', sa.Integer()),
        sa.Column('call_id', sa.String(255)),
        sa.Column('endpoint', sa.String(80, collation='utf8mb4_bin')),
        sa.Column('prune_on_boot', sa.String(5)),
        sa.Column('qualify_2xx_only', sa.String(5)),
        mysql_charset="utf8mb4",
    )
    op.create_index('ix_ps_contacts_endpoint', 'ps_contacts', ['endpoint'])
    op.create_table(
        'ps_endpoints',
        sa.Column('id', sa.String(80, collation='utf8mb4_bin'), primary_key=True),
        sa.Column('tenantid', sa.String(80, collation='utf8mb4_bin')),
        sa.Column('transport', sa.String(40)),
        sa.Column('aors', sa.String(200)),
        sa.Column('auth', sa.String(80)),
        sa.Column('outbound_auth', sa.String(80)),
        sa.Column('context', sa.String(40)),
        sa.Column('message_context', sa.String(40)),
        sa.Column('disallow', sa.String(200)),
        sa.Column('allow', sa.String(200)),
        sa.Column('direct_media', sa.String(3)),
        sa.Column('dtmf_mode', sa.String(10)),
        sa.Column('force_rport', sa.String(3)),
        sa.Column('rewrite_contact', sa.String(3)),
        sa.Column('rtp_symmetric', sa.String(3)),
        sa.Column('callerid', sa.String(120)),
        sa.Column('mailboxes', sa.String(120)),
        sa.Column('moh_suggest', sa.String(80)),
        sa.Column('from_user', sa.String(80)),
        sa.Column('from_domain', sa.String(80)),
        sa.Column('send_pai', sa.String(3)),
        sa.Column('trust_id_inbound', sa.String(3)),
        sa.Column('language', sa.String(40)),
        sa.Column('allow_subscribe', sa.String(3)),
        sa.Column('device_state_busy_at', sa.Integer()),
        sa.Column('identify_by', sa.String(80)),
        sa.Column('send_connected_line', sa.String(3)),
        sa.Column('set_var', sa.Text()),
        mysql_charset="utf8mb4",
    )
    op.create_index('ix_ps_endpoints_tenantid', 'ps_endpoints', ['tenantid'])
    op.create_table(
        'ps_registrations',
        sa.Column('id', sa.String(80, collation='utf8mb4_bin'), primary_key=True),
        sa.Column('server_uri', sa.String(255)),
        sa.Column('client_uri', sa.String(255)),
        sa.Column('contact_user', sa.String(80)),
        sa.Column('transport', sa.String(40)),
        sa.Column('outbound_auth', sa.String(80)),
        sa.Column('outbound_proxy', sa.String(255)),
        sa.Column('endpoint', sa.String(80, collation='utf8mb4_bin')),
        sa.Column('line', sa.String(3)),
        sa.Column('expiration', sa.Integer()),
        sa.Column('retry_interval', sa.Integer()),
        sa.Column('forbidden_retry_interval', sa.Integer()),
        sa.Column('fatal_retry_interval', sa.Integer()),
        sa.Column('max_retries', sa.Integer()),
        sa.Column('auth_rejection_permanent', sa.String(3)),
        sa.Column('support_path', sa.String(3)),
        mysql_charset="utf8mb4",
    )
    op.create_table(
        'voicemail',
        sa.Column('uniqueid', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('context', sa.String(80, collation='utf8mb4_bin'), nullable=False),
        sa.Column('mailbox', sa.String(80, collation='utf8mb4_bin'), nullable=False),
        sa.Column('password', sa.String(80), nullable=False),
        sa.Column('fullname', sa.String(80)),
        sa.Column('alias', sa.String(80)),
        sa.Column('email', sa.String(254)),
        sa.Column('pager', sa.String(254)),
        sa.Column('attach', sa.String(3)),
        sa.Column('attachfmt', sa.String(10)),
        sa.Column('serveremail', sa.String(254)),
        sa.Column('language', sa.String(20)),
        sa.Column('tz', sa.String(30)),
        sa.Column('deletevoicemail', sa.String(3)),
        sa.Column('saycid', sa.String(3)),
        sa.Column('sendvoicemail', sa.String(3)),
        sa.Column('review', sa.String(3)),
        sa.Column('envelope', sa.String(3)),
        sa.Column('maxmsg', sa.Integer()),
        sa.Column('stamp', sa.DateTime()),
        sa.UniqueConstraint('context', 'mailbox', name='uq_voicemail_context_mailbox'),
        mysql_charset="utf8mb4",
    )
    op.create_index('ix_voicemail_context', 'voicemail', ['context'])


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
