"""The durable domain-event outbox (SPEC P11): domain_event and domain_event_delivery.

New tables only; no existing row changes. Events that happened before this revision were never
recorded: listeners registered from now on start with the events emitted from now on.

Revision ID: 0005_events
Revises: 0004_trust_notifications
Create Date: 2026-12-01 21:01:51.472875

"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0005_events'
down_revision = '0004_trust_notifications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('domain_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('occurred_at', hub.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_domain_event'))
    )
    with op.batch_alter_table('domain_event', schema=None) as batch_op:
        batch_op.create_index('ix_domain_event_name_id', ['name', 'id'], unique=False)

    op.create_table('domain_event_delivery',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('listener', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('last_attempt_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('delivered_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['domain_event.id'], name=op.f('fk_domain_event_delivery_event_id_domain_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_domain_event_delivery')),
    sa.UniqueConstraint('event_id', 'listener', name='uq_domain_event_delivery_event_listener')
    )
    with op.batch_alter_table('domain_event_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_domain_event_delivery_due', ['status', 'next_attempt_at'], unique=False)



def downgrade():
    with op.batch_alter_table('domain_event_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_domain_event_delivery_due')

    op.drop_table('domain_event_delivery')
    with op.batch_alter_table('domain_event', schema=None) as batch_op:
        batch_op.drop_index('ix_domain_event_name_id')

    op.drop_table('domain_event')
