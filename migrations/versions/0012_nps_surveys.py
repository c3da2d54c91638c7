"""nps: partner NPS surveys (one per person and occasion), answers and their follow-up

Revision ID: 0012_nps
Revises: 0011_mdf
Create Date: 2026-12-02 18:30:00

One new table; no existing row changes.
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


revision = '0012_nps'
down_revision = '0011_mdf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('nps_survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source_key', sa.String(length=80), nullable=False),
    sa.Column('tier', sa.String(length=20), nullable=True),
    sa.Column('segment', sa.String(length=20), nullable=True),
    sa.Column('partner_type', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opened_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('expires_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('answered_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('score', sa.SmallInteger(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('follow_up_status', sa.String(length=10), nullable=True),
    sa.Column('follow_up_note', sa.Text(), nullable=False),
    sa.Column('follow_up_by_id', sa.Integer(), nullable=True),
    sa.Column('follow_up_at', hub.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['follow_up_by_id'], ['user.id'], name=op.f('fk_nps_survey_follow_up_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_nps_survey_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_nps_survey_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nps_survey')),
    sa.UniqueConstraint('user_id', 'kind', 'source_key', name='uq_nps_survey_user_kind_source')
    )
    op.create_index('ix_nps_survey_follow_up', 'nps_survey', ['follow_up_status', 'answered_at'], unique=False)
    op.create_index('ix_nps_survey_org_answered', 'nps_survey', ['organisation_id', 'answered_at'], unique=False)
    op.create_index('ix_nps_survey_status_expires', 'nps_survey', ['status', 'expires_at'], unique=False)
    op.create_index('ix_nps_survey_user_status', 'nps_survey', ['user_id', 'status'], unique=False)


def downgrade():
    op.drop_index('ix_nps_survey_user_status', table_name='nps_survey')
    op.drop_index('ix_nps_survey_status_expires', table_name='nps_survey')
    op.drop_index('ix_nps_survey_org_answered', table_name='nps_survey')
    op.drop_index('ix_nps_survey_follow_up', table_name='nps_survey')
    op.drop_table('nps_survey')
