"""Organisation profile: logo (a file in hub.files' store), profile lists and the completion time

Revision ID: 0002_files
Revises: 0001_initial
Create Date: 2026-12-01 21:04:05.145661

"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0002_files'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('facet', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_organisation_tag_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_tag')),
    sa.UniqueConstraint('organisation_id', 'facet', 'value', name='uq_organisation_tag_org_facet_value')
    )
    with op.batch_alter_table('organisation_tag', schema=None) as batch_op:
        batch_op.create_index('ix_organisation_tag_facet_value', ['facet', 'value'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('logo_content_type', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('profile_completed_at', hub.database.UTCDateTime(), nullable=True))

    # Up to 0.1.0 the onboarding step "complete your profile" counted as done for a partner with a
    # website, a description and a region. Keep it done for them (since they joined) rather than
    # taking a ticked step away on upgrade; new profiles are judged by the fuller rule.
    organisation = sa.table('organisation', sa.column('kind', sa.String), sa.column('website', sa.String),
                            sa.column('description', sa.Text), sa.column('region', sa.String),
                            sa.column('created_at', hub.database.UTCDateTime()),
                            sa.column('profile_completed_at', hub.database.UTCDateTime()))
    op.execute(organisation.update().where(
        organisation.c.kind == 'partner', organisation.c.website.is_not(None), organisation.c.website != '',
        organisation.c.description.is_not(None), organisation.c.description != '',
        organisation.c.region.is_not(None), organisation.c.region != '')
        .values(profile_completed_at=organisation.c.created_at))


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('profile_completed_at')
        batch_op.drop_column('logo_content_type')
        batch_op.drop_column('logo_sha256')

    with op.batch_alter_table('organisation_tag', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_tag_facet_value')

    op.drop_table('organisation_tag')
