"""mdf: the MDF ledger (accounts, entries) and partners' requests

Revision ID: 0011_mdf
Revises: 0010_tick
Create Date: 2026-12-02 11:55:00

Four new tables; no existing row changes.
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


revision = '0011_mdf'
down_revision = '0010_tick'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mdf_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=7), nullable=False),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_mdf_account_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mdf_account')),
    sa.UniqueConstraint('organisation_id', 'quarter', name='uq_mdf_account_org_quarter')
    )
    op.create_table('mdf_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('quarter', sa.String(length=7), nullable=False),
    sa.Column('activity', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('planned_cost_kopecks', sa.BigInteger(), nullable=False),
    sa.Column('share_percent', sa.Integer(), nullable=False),
    sa.Column('requested_kopecks', sa.BigInteger(), nullable=False),
    sa.Column('expected_leads', sa.Integer(), nullable=False),
    sa.Column('expected_pipeline_kopecks', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('approved_kopecks', sa.BigInteger(), nullable=True),
    sa.Column('first_approver_id', sa.Integer(), nullable=True),
    sa.Column('approver_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('submitted_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('approved_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('decided_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approver_id'], ['user.id'], name=op.f('fk_mdf_request_approver_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['first_approver_id'], ['user.id'], name=op.f('fk_mdf_request_first_approver_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_mdf_request_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_mdf_request_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mdf_request'))
    )
    op.create_index('ix_mdf_request_org_status', 'mdf_request', ['organisation_id', 'status'], unique=False)
    op.create_index('ix_mdf_request_status', 'mdf_request', ['status', 'submitted_at'], unique=False)
    op.create_table('mdf_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount_kopecks', sa.BigInteger(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_mdf_entry_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_mdf_entry_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['mdf_request.id'], name=op.f('fk_mdf_entry_request_id_mdf_request'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mdf_entry')),
    sa.UniqueConstraint('key', name=op.f('uq_mdf_entry_key'))
    )
    op.create_index('ix_mdf_entry_org_quarter', 'mdf_entry', ['organisation_id', 'quarter'], unique=False)
    op.create_index(op.f('ix_mdf_entry_request_id'), 'mdf_entry', ['request_id'], unique=False)
    op.create_table('mdf_notice',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('sent_at', hub.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_mdf_notice'))
    )


def downgrade():
    op.drop_table('mdf_notice')
    op.drop_index(op.f('ix_mdf_entry_request_id'), table_name='mdf_entry')
    op.drop_index('ix_mdf_entry_org_quarter', table_name='mdf_entry')
    op.drop_table('mdf_entry')
    op.drop_index('ix_mdf_request_status', table_name='mdf_request')
    op.drop_index('ix_mdf_request_org_status', table_name='mdf_request')
    op.drop_table('mdf_request')
    op.drop_table('mdf_account')
