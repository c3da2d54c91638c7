"""events (C1-C3): the catalogue, registrations with the waitlist, calendar feeds; e-mail attachments

Revision ID: 0008_events
Revises: 0007_search
Create Date: 2026-12-02 00:25:45.155646

New tables, and one nullable column on outbox_message (calendar invitations attached to e-mail):
no existing row changes.
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


revision = '0008_events'
down_revision = '0007_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('community_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=True),
    sa.Column('title_ru', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('summary_ru', sa.Text(), nullable=False),
    sa.Column('summary_en', sa.Text(), nullable=False),
    sa.Column('timezone', sa.String(length=40), nullable=False),
    sa.Column('starts_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('ends_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('registration_closes_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('org_seat_cap', sa.Integer(), nullable=True),
    sa.Column('min_tier', sa.String(length=20), nullable=True),
    sa.Column('tier_visibility', sa.String(length=10), nullable=False),
    sa.Column('offer_hours', sa.Integer(), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('map_url', sa.String(length=500), nullable=True),
    sa.Column('join_url', sa.String(length=500), nullable=True),
    sa.Column('recording_url', sa.String(length=500), nullable=True),
    sa.Column('slides_url', sa.String(length=500), nullable=True),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('agenda', sa.JSON(), nullable=False),
    sa.Column('speakers', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('cancelled_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('from_content', sa.Boolean(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=True),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', hub.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_event')),
    sa.UniqueConstraint('slug', name=op.f('uq_community_event_slug'))
    )
    with op.batch_alter_table('community_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_event_region'), ['region'], unique=False)
        batch_op.create_index('ix_community_event_status_starts', ['status', 'starts_at'], unique=False)

    op.create_table('community_event_feed',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_community_event_feed_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_community_event_feed')),
    sa.UniqueConstraint('token', name=op.f('uq_community_event_feed_token'))
    )
    op.create_table('community_event_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('queued_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('offered_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('offer_expires_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('cancelled_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('attended_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('reminded_24h_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('reminded_1h_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('followed_up_at', hub.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['user.id'], name=op.f('fk_community_event_registration_checked_in_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['community_event.id'], name=op.f('fk_community_event_registration_event_id_community_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_community_event_registration_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_community_event_registration_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_event_registration')),
    sa.UniqueConstraint('event_id', 'user_id', name='uq_community_event_registration_event_user')
    )
    with op.batch_alter_table('community_event_registration', schema=None) as batch_op:
        batch_op.create_index('ix_community_event_registration_event_status', ['event_id', 'status', 'queued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_event_registration_offer_expires_at'), ['offer_expires_at'], unique=False)
        batch_op.create_index('ix_community_event_registration_org_event', ['organisation_id', 'event_id'], unique=False)
        batch_op.create_index('ix_community_event_registration_user_status', ['user_id', 'status'], unique=False)

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachments', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('attachments')

    with op.batch_alter_table('community_event_registration', schema=None) as batch_op:
        batch_op.drop_index('ix_community_event_registration_user_status')
        batch_op.drop_index('ix_community_event_registration_org_event')
        batch_op.drop_index(batch_op.f('ix_community_event_registration_offer_expires_at'))
        batch_op.drop_index('ix_community_event_registration_event_status')

    op.drop_table('community_event_registration')
    op.drop_table('community_event_feed')
    with op.batch_alter_table('community_event', schema=None) as batch_op:
        batch_op.drop_index('ix_community_event_status_starts')
        batch_op.drop_index(batch_op.f('ix_community_event_region'))

    op.drop_table('community_event')
