"""kpis: the insights KPIs' read model (facts from the durable events, and each partner's signing and
first deal)

Revision ID: 0020_kpis
Revises: 0019_leads
Create Date: 2026-12-03 07:55:00

Two new tables; no existing row changes. Fill them from history with
`flask --app hub worker --replay insights.kpis`.
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0020_kpis'
down_revision = '0019_leads'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kpi_fact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.BigInteger(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('amount_kopecks', sa.BigInteger(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('occurred_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('recorded_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('event_id', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_fact')),
    sa.UniqueConstraint('kind', 'source_id', name='uq_kpi_fact_kind_source')
    )
    with op.batch_alter_table('kpi_fact', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_fact_kind_day', ['kind', 'day', 'organisation_id', 'month', 'amount_kopecks', 'score'], unique=False)
        batch_op.create_index('ix_kpi_fact_org_kind', ['organisation_id', 'kind'], unique=False)
        batch_op.create_index('ix_kpi_fact_recorded', ['recorded_at'], unique=False)

    op.create_table('kpi_partner',
    sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('signed_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('first_deal_at', hub.database.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_kpi_partner'))
    )


def downgrade():
    op.drop_table('kpi_partner')
    with op.batch_alter_table('kpi_fact', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_fact_recorded')
        batch_op.drop_index('ix_kpi_fact_org_kind')
        batch_op.drop_index('ix_kpi_fact_kind_day')
    op.drop_table('kpi_fact')
