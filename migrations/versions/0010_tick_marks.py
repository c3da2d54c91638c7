"""rewards tick marks: what the tick saw last, so the next one evaluates only what changed

Revision ID: 0010_tick
Revises: 0009_filter
Create Date: 2026-12-02 01:40:00

One new table; no existing row changes. With no row the next tick runs a full evaluation once.
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


revision = '0010_tick'
down_revision = '0009_filter'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reward_tick_mark',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('point_entry_id', sa.BigInteger(), nullable=False),
    sa.Column('won_deal_id', sa.BigInteger(), nullable=False),
    sa.Column('ran_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('rules_digest', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_reward_tick_mark'))
    )


def downgrade():
    op.drop_table('reward_tick_mark')
