"""leads: the vendor's lead pool offered to partners, and referral partners' recommendations with their fees

Revision ID: 0019_leads
Revises: 0018_cobrand
Create Date: 2026-12-02 18:40:13

Four new tables; no existing row changes.
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0019_leads'
down_revision = '0018_cobrand'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('inn', sa.String(length=12), nullable=True),
    sa.Column('contact_name', sa.String(length=120), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('need', sa.Text(), nullable=False),
    sa.Column('consent_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('won_amount_kopecks', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_referral_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_referral_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_referral_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_org', ['organisation_id', 'created_at'], unique=False)
        batch_op.create_index('ix_referral_status', ['status', 'created_at'], unique=False)

    op.create_table('lead',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_key', sa.String(length=120), nullable=True),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('inn', sa.String(length=12), nullable=True),
    sa.Column('contact_name', sa.String(length=120), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('region', sa.String(length=40), nullable=True),
    sa.Column('segment', sa.String(length=40), nullable=True),
    sa.Column('product', sa.String(length=40), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('last_outcome', sa.String(length=20), nullable=True),
    sa.Column('last_reason', sa.Text(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('offer_no', sa.Integer(), nullable=False),
    sa.Column('offered_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('due_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('offered_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['user.id'], name=op.f('fk_lead_accepted_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_lead_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], name=op.f('fk_lead_deal_id_deal'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['offered_by_id'], ['user.id'], name=op.f('fk_lead_offered_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_lead_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead')),
    sa.UniqueConstraint('source_key', name=op.f('uq_lead_source_key'))
    )
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index('ix_lead_org_status', ['organisation_id', 'status'], unique=False)
        batch_op.create_index('ix_lead_status_due', ['status', 'due_at'], unique=False)

    op.create_table('referral_fee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('amount_kopecks', sa.BigInteger(), nullable=False),
    sa.Column('basis', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('paid_at', hub.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_referral_fee_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_fee_referral_id_referral'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_fee')),
    sa.UniqueConstraint('referral_id', name=op.f('uq_referral_fee_referral_id'))
    )
    with op.batch_alter_table('referral_fee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_fee_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('lead_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_lead_step_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_lead_step_lead_id_lead'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_lead_step_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_step')),
    sa.UniqueConstraint('key', name=op.f('uq_lead_step_key'))
    )
    with op.batch_alter_table('lead_step', schema=None) as batch_op:
        batch_op.create_index('ix_lead_step_lead', ['lead_id', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('lead_step', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_step_lead')

    op.drop_table('lead_step')
    with op.batch_alter_table('referral_fee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_fee_organisation_id'))

    op.drop_table('referral_fee')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_status_due')
        batch_op.drop_index('ix_lead_org_status')

    op.drop_table('lead')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_status')
        batch_op.drop_index('ix_referral_org')

    op.drop_table('referral')
