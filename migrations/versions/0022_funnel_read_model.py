"""funnel: the partner funnel's read model (applications, organisations' stage dates, won deals) and the
weekly report's once-per-week key

Revision ID: 0022_funnel
Revises: 0021_directory
Create Date: 2026-12-03 08:00:00

Four new tables, filled by the insights.funnel listener (`flask --app hub worker --replay insights.funnel`
rebuilds them from the stored events); no existing row changes.
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0022_funnel'
down_revision = '0021_directory'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('funnel_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('partner_type', sa.String(length=20), nullable=False),
    sa.Column('submitted_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('qualified_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('declined_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('approved_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_funnel_application_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funnel_application')),
    sa.UniqueConstraint('application_id', name=op.f('uq_funnel_application_application_id')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_funnel_application_organisation_id'))
    )
    op.create_table('funnel_organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('signed_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('first_deal_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('first_won_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('expanding_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('won_deals', sa.Integer(), nullable=False),
    sa.Column('updated_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_funnel_organisation_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funnel_organisation')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_funnel_organisation_organisation_id'))
    )
    with op.batch_alter_table('funnel_organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funnel_organisation_signed_at'), ['signed_at'], unique=False)

    op.create_table('funnel_win',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=False),
    sa.Column('amount_kopecks', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_funnel_win_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funnel_win')),
    sa.UniqueConstraint('deal_id', name=op.f('uq_funnel_win_deal_id'))
    )
    with op.batch_alter_table('funnel_win', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funnel_win_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('funnel_weekly_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('sent_at', hub.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funnel_weekly_report')),
    sa.UniqueConstraint('week_start', name=op.f('uq_funnel_weekly_report_week_start'))
    )


def downgrade():
    op.drop_table('funnel_weekly_report')
    with op.batch_alter_table('funnel_win', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funnel_win_organisation_id'))
    op.drop_table('funnel_win')
    with op.batch_alter_table('funnel_organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funnel_organisation_signed_at'))
    op.drop_table('funnel_organisation')
    op.drop_table('funnel_application')
