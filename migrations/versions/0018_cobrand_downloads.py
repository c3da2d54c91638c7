"""cobrand: co-branded material downloads and custom piece requests

Revision ID: 0018_cobrand
Revises: 0017_qa
Create Date: 2026-12-02 18:45:00

Two new tables; no existing row changes.
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


revision = '0018_cobrand'
down_revision = '0017_qa'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cobrand_download',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('template', sa.String(length=80), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_cobrand_download_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_cobrand_download_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cobrand_download'))
    )
    op.create_index('ix_cobrand_download_org_created', 'cobrand_download', ['organisation_id', 'created_at'], unique=False)
    op.create_index('ix_cobrand_download_template_org', 'cobrand_download', ['template', 'organisation_id'], unique=False)
    op.create_table('cobrand_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('template', sa.String(length=80), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('logo_sha256', sa.String(length=64), nullable=True),
    sa.Column('logo_content_type', sa.String(length=40), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('file_content_type', sa.String(length=120), nullable=True),
    sa.Column('delivered_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('decided_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['manager_id'], ['user.id'], name=op.f('fk_cobrand_request_manager_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_cobrand_request_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_cobrand_request_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cobrand_request'))
    )
    op.create_index('ix_cobrand_request_org_created', 'cobrand_request', ['organisation_id', 'created_at'], unique=False)
    op.create_index('ix_cobrand_request_status_due', 'cobrand_request', ['status', 'due_on'], unique=False)


def downgrade():
    op.drop_index('ix_cobrand_request_status_due', table_name='cobrand_request')
    op.drop_index('ix_cobrand_request_org_created', table_name='cobrand_request')
    op.drop_table('cobrand_request')
    op.drop_index('ix_cobrand_download_template_org', table_name='cobrand_download')
    op.drop_index('ix_cobrand_download_org_created', table_name='cobrand_download')
    op.drop_table('cobrand_download')
