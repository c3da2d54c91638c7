"""recruitment: partner applications, the target list, recruitment costs, referral bonuses

Revision ID: 0016_apply
Revises: 0015_terms
Create Date: 2026-12-02 18:31:32

Four new tables; no existing row changes.
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0016_apply'
down_revision = '0015_terms'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recruitment_referral_bonus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=False),
    sa.Column('referred_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['referred_id'], ['organisation.id'], name=op.f('fk_recruitment_referral_bonus_referred_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referrer_id'], ['organisation.id'], name=op.f('fk_recruitment_referral_bonus_referrer_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruitment_referral_bonus')),
    sa.UniqueConstraint('key', name=op.f('uq_recruitment_referral_bonus_key'))
    )
    with op.batch_alter_table('recruitment_referral_bonus', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruitment_referral_bonus_referrer_id'), ['referrer_id'], unique=False)

    op.create_table('recruitment_cost',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('campaign', sa.String(length=200), nullable=False),
    sa.Column('amount_kopecks', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user.id'], name=op.f('fk_recruitment_cost_entered_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruitment_cost'))
    )
    with op.batch_alter_table('recruitment_cost', schema=None) as batch_op:
        batch_op.create_index('ix_recruitment_cost_period', ['period'], unique=False)

    op.create_table('recruitment_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('inn', sa.String(length=12), nullable=True),
    sa.Column('domain', sa.String(length=200), nullable=True),
    sa.Column('segment', sa.String(length=20), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=False),
    sa.Column('offer', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_recruitment_target_owner_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruitment_target')),
    sa.UniqueConstraint('domain', name=op.f('uq_recruitment_target_domain')),
    sa.UniqueConstraint('inn', name=op.f('uq_recruitment_target_inn'))
    )
    with op.batch_alter_table('recruitment_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruitment_target_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_recruitment_target_stage', ['stage'], unique=False)

    op.create_table('recruitment_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('inn', sa.String(length=12), nullable=False),
    sa.Column('open_inn', sa.String(length=12), nullable=True),
    sa.Column('website', sa.String(length=200), nullable=False),
    sa.Column('domain', sa.String(length=200), nullable=False),
    sa.Column('partner_type', sa.String(length=20), nullable=False),
    sa.Column('regions', sa.String(length=400), nullable=False),
    sa.Column('products', sa.String(length=400), nullable=False),
    sa.Column('expected_deals', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('consent_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('checklist', sa.String(length=400), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answer_token_hash', sa.String(length=64), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('invitation_note', sa.Text(), nullable=False),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_recruitment_application_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_recruitment_application_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referrer_id'], ['organisation.id'], name=op.f('fk_recruitment_application_referrer_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['target_id'], ['recruitment_target.id'], name=op.f('fk_recruitment_application_target_id_recruitment_target'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruitment_application')),
    sa.UniqueConstraint('answer_token_hash', name=op.f('uq_recruitment_application_answer_token_hash')),
    sa.UniqueConstraint('open_inn', name=op.f('uq_recruitment_application_open_inn')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_recruitment_application_organisation_id'))
    )
    with op.batch_alter_table('recruitment_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruitment_application_domain'), ['domain'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruitment_application_inn'), ['inn'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruitment_application_referrer_id'), ['referrer_id'], unique=False)
        batch_op.create_index('ix_recruitment_application_status', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruitment_application_target_id'), ['target_id'], unique=False)



def downgrade():
    with op.batch_alter_table('recruitment_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recruitment_application_target_id'))
        batch_op.drop_index('ix_recruitment_application_status')
        batch_op.drop_index(batch_op.f('ix_recruitment_application_referrer_id'))
        batch_op.drop_index(batch_op.f('ix_recruitment_application_inn'))
        batch_op.drop_index(batch_op.f('ix_recruitment_application_domain'))

    op.drop_table('recruitment_application')
    with op.batch_alter_table('recruitment_target', schema=None) as batch_op:
        batch_op.drop_index('ix_recruitment_target_stage')
        batch_op.drop_index(batch_op.f('ix_recruitment_target_owner_id'))

    op.drop_table('recruitment_target')
    with op.batch_alter_table('recruitment_cost', schema=None) as batch_op:
        batch_op.drop_index('ix_recruitment_cost_period')

    op.drop_table('recruitment_cost')
    with op.batch_alter_table('recruitment_referral_bonus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recruitment_referral_bonus_referrer_id'))

    op.drop_table('recruitment_referral_bonus')
