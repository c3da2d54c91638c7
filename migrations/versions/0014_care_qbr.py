"""care: quarterly business reviews, action items, betas, announcements

Revision ID: 0014_care
Revises: 0013_claims
Create Date: 2026-12-02 18:27:46

Five new tables (key-partner care, SPEC C7); no existing row changes.
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


revision = '0014_care'
down_revision = '0013_claims'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('care_announcement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tiers', sa.String(length=100), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_care_announcement_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_announcement'))
    )
    with op.batch_alter_table('care_announcement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_announcement_published_at'), ['published_at'], unique=False)

    op.create_table('care_beta',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tiers', sa.String(length=100), nullable=False),
    sa.Column('signup_closes_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_care_beta_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_beta'))
    )
    with op.batch_alter_table('care_beta', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_beta_created_at'), ['created_at'], unique=False)

    op.create_table('care_qbr',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('meeting_on', sa.Date(), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_care_qbr_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_care_qbr_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_qbr'))
    )
    with op.batch_alter_table('care_qbr', schema=None) as batch_op:
        batch_op.create_index('ix_care_qbr_org_meeting', ['organisation_id', 'meeting_on'], unique=False)

    op.create_table('care_action_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('qbr_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['done_by_id'], ['user.id'], name=op.f('fk_care_action_item_done_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_care_action_item_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_care_action_item_owner_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['qbr_id'], ['care_qbr.id'], name=op.f('fk_care_action_item_qbr_id_care_qbr'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_action_item'))
    )
    with op.batch_alter_table('care_action_item', schema=None) as batch_op:
        batch_op.create_index('ix_care_action_item_org_done', ['organisation_id', 'done_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_action_item_qbr_id'), ['qbr_id'], unique=False)

    op.create_table('care_beta_signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('beta_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('feedback_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['beta_id'], ['care_beta.id'], name=op.f('fk_care_beta_signup_beta_id_care_beta'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_care_beta_signup_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_care_beta_signup_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_beta_signup')),
    sa.UniqueConstraint('beta_id', 'organisation_id', name='uq_care_beta_signup_beta_org')
    )
    with op.batch_alter_table('care_beta_signup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_beta_signup_organisation_id'), ['organisation_id'], unique=False)



def downgrade():
    with op.batch_alter_table('care_beta_signup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_beta_signup_organisation_id'))

    op.drop_table('care_beta_signup')
    with op.batch_alter_table('care_action_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_action_item_qbr_id'))
        batch_op.drop_index('ix_care_action_item_org_done')

    op.drop_table('care_action_item')
    with op.batch_alter_table('care_qbr', schema=None) as batch_op:
        batch_op.drop_index('ix_care_qbr_org_meeting')

    op.drop_table('care_qbr')
    with op.batch_alter_table('care_beta', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_beta_created_at'))

    op.drop_table('care_beta')
    with op.batch_alter_table('care_announcement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_announcement_published_at'))

    op.drop_table('care_announcement')
