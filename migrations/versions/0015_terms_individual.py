"""terms: individual conditions (R5) - a partner's own rates and quarterly plans

Revision ID: 0015_terms
Revises: 0014_care
Create Date: 2026-12-02 18:27:51

One new table (reward_term) and one nullable column on reward_commission_line (term_id, the
term a line was priced by); existing lines keep every value (term_id NULL: the tier's rate).
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


revision = '0015_terms'
down_revision = '0014_care'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reward_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('product', sa.String(length=40), nullable=True),
    sa.Column('percent', sa.Numeric(precision=7, scale=3), nullable=True),
    sa.Column('target_kopecks', sa.BigInteger(), nullable=True),
    sa.Column('bonus_kopecks', sa.BigInteger(), nullable=True),
    sa.Column('bonus_percent', sa.Numeric(precision=7, scale=3), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('needs_second_approval', sa.Boolean(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_reward_term_approved_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user.id'], name=op.f('fk_reward_term_granted_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_reward_term_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_reward_term_revoked_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_term'))
    )
    with op.batch_alter_table('reward_term', schema=None) as batch_op:
        batch_op.create_index('ix_reward_term_org_status', ['organisation_id', 'status'], unique=False)

    with op.batch_alter_table('reward_commission_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('term_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_reward_commission_line_term_id_reward_term'), 'reward_term', ['term_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('reward_commission_line', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reward_commission_line_term_id_reward_term'), type_='foreignkey')
        batch_op.drop_column('term_id')

    with op.batch_alter_table('reward_term', schema=None) as batch_op:
        batch_op.drop_index('ix_reward_term_org_status')

    op.drop_table('reward_term')
