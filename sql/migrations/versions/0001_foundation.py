"""foundation: organizations, users, tokens, drafts, apply runs, audit

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-22 04:00:13.063716
"""
import sqlalchemy as sa
from alembic import op

revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16, collation='utf8mb4_bin'), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('admin_email', sa.String(length=254), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('max_extensions', sa.Integer(), nullable=False),
    sa.Column('max_concurrent_calls', sa.Integer(), nullable=False),
    sa.Column('apply_wait_seconds', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('last_applied_at', sa.DateTime(), nullable=True),
    sa.Column('last_applied_run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('code', name=op.f('uq_organizations_code'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('digest', sa.String(length=64, collation='utf8mb4_bin'), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_api_tokens_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('digest', name=op.f('uq_api_tokens_digest'))
    )
    op.create_index(op.f('ix_api_tokens_org_id'), 'api_tokens', ['org_id'], unique=False)
    op.create_table('apply_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('active_org_id', sa.Integer(), nullable=True),
    sa.Column('requested_by', sa.String(length=254), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('wait_deadline', sa.DateTime(), nullable=True),
    sa.Column('waiting_calls', sa.Integer(), nullable=False),
    sa.Column('waited', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('notify', sa.Boolean(), nullable=False),
    sa.Column('notify_email', sa.String(length=254), nullable=True),
    sa.Column('notified_at', sa.DateTime(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_apply_runs_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apply_runs')),
    sa.UniqueConstraint('active_org_id', name=op.f('uq_apply_runs_active_org_id'))
    )
    op.create_index('ix_apply_runs_org_id_state', 'apply_runs', ['org_id', 'state'], unique=False)
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=254), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_audit_log_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'], unique=False)
    op.create_index(op.f('ix_audit_log_org_id'), 'audit_log', ['org_id'], unique=False)
    op.create_table('dids',
    sa.Column('number', sa.String(length=16, collation='utf8mb4_bin'), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('extension', sa.String(length=6, collation='utf8mb4_bin'), nullable=True),
    sa.Column('description', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_dids_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_dids'))
    )
    op.create_index(op.f('ix_dids_org_id'), 'dids', ['org_id'], unique=False)
    op.create_table('extensions',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=6, collation='utf8mb4_bin'), nullable=False),
    sa.Column('display_name', sa.String(length=60), nullable=False),
    sa.Column('sip_password', sa.String(length=64, collation='utf8mb4_bin'), nullable=False),
    sa.Column('ring_seconds', sa.Integer(), nullable=False),
    sa.Column('no_answer', sa.String(length=16), nullable=False),
    sa.Column('forward_to', sa.String(length=20), nullable=True),
    sa.Column('voicemail_enabled', sa.Boolean(), nullable=False),
    sa.Column('voicemail_pin', sa.String(length=12), nullable=True),
    sa.Column('voicemail_email', sa.String(length=254), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_extensions_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('org_id', 'number', name=op.f('pk_extensions'))
    )
    op.create_table('live_dids',
    sa.Column('number', sa.String(length=16, collation='utf8mb4_bin'), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('extension', sa.String(length=6, collation='utf8mb4_bin'), nullable=True),
    sa.Column('description', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_live_dids_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_live_dids'))
    )
    op.create_index(op.f('ix_live_dids_org_id'), 'live_dids', ['org_id'], unique=False)
    op.create_table('live_extensions',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=6, collation='utf8mb4_bin'), nullable=False),
    sa.Column('display_name', sa.String(length=60), nullable=False),
    sa.Column('sip_password', sa.String(length=64, collation='utf8mb4_bin'), nullable=False),
    sa.Column('ring_seconds', sa.Integer(), nullable=False),
    sa.Column('no_answer', sa.String(length=16), nullable=False),
    sa.Column('forward_to', sa.String(length=20), nullable=True),
    sa.Column('voicemail_enabled', sa.Boolean(), nullable=False),
    sa.Column('voicemail_pin', sa.String(length=12), nullable=True),
    sa.Column('voicemail_email', sa.String(length=254), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_live_extensions_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('org_id', 'number', name=op.f('pk_live_extensions'))
    )
    op.create_table('live_music_on_hold',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_live_music_on_hold_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('org_id', name=op.f('pk_live_music_on_hold'))
    )
    op.create_table('live_trunks',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=8, collation='utf8mb4_bin'), nullable=False),
    sa.Column('host', sa.String(length=253), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('transport', sa.String(length=8), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('password', sa.String(length=128), nullable=True),
    sa.Column('register', sa.Boolean(), nullable=False),
    sa.Column('from_user', sa.String(length=64), nullable=True),
    sa.Column('from_domain', sa.String(length=253), nullable=True),
    sa.Column('source_addresses', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_live_trunks_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('org_id', 'direction', name=op.f('pk_live_trunks'))
    )
    op.create_table('music_on_hold',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_music_on_hold_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('org_id', name=op.f('pk_music_on_hold'))
    )
    op.create_table('trunks',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=8, collation='utf8mb4_bin'), nullable=False),
    sa.Column('host', sa.String(length=253), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('transport', sa.String(length=8), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('password', sa.String(length=128), nullable=True),
    sa.Column('register', sa.Boolean(), nullable=False),
    sa.Column('from_user', sa.String(length=64), nullable=True),
    sa.Column('from_domain', sa.String(length=253), nullable=True),
    sa.Column('source_addresses', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_trunks_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('org_id', 'direction', name=op.f('pk_trunks'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_users_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_index(op.f('ix_users_org_id'), 'users', ['org_id'], unique=False)


def downgrade() -> None:
    op.drop_table('users')
    op.drop_table('trunks')
    op.drop_table('music_on_hold')
    op.drop_table('live_trunks')
    op.drop_table('live_music_on_hold')
    op.drop_table('live_extensions')
    op.drop_table('live_dids')
    op.drop_table('extensions')
    op.drop_table('dids')
    op.drop_table('audit_log')
    op.drop_table('apply_runs')
    op.drop_table('api_tokens')
    op.drop_table('organizations')
