"""directory: organisations' and people's listing choices, and the locator's verified numbers (read model)

Revision ID: 0021_directory
Revises: 0020_kpis
Create Date: 2026-12-03 07:50:00

Six new tables; no existing row changes. The read-model tables (certificates, deals, wins per region,
per-organisation stats) fill from the durable events; for the events stored before this release:
`flask --app hub worker --replay directory.certificates` (and directory.certificates_expired,
directory.deal_regions, directory.deals_won).
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0021_directory'
down_revision = '0020_kpis'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('directory_organisation',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('in_directory', sa.Boolean(), nullable=False),
    sa.Column('in_locator', sa.Boolean(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_directory_organisation_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_directory_organisation_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_directory_organisation'))
    )
    with op.batch_alter_table('directory_organisation', schema=None) as batch_op:
        batch_op.create_index('ix_directory_organisation_locator', ['in_locator'], unique=False)

    op.create_table('directory_person',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.Column('job_title', sa.String(length=120), nullable=False),
    sa.Column('updated_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_directory_person_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_directory_person_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_directory_person'))
    )
    with op.batch_alter_table('directory_person', schema=None) as batch_op:
        batch_op.create_index('ix_directory_person_org_listed', ['organisation_id', 'listed'], unique=False)

    op.create_table('directory_certificate',
    sa.Column('certificate_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('track_slug', sa.String(length=80), nullable=False),
    sa.Column('expires_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('as_of', hub.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('certificate_id', name=op.f('pk_directory_certificate'))
    )
    with op.batch_alter_table('directory_certificate', schema=None) as batch_op:
        batch_op.create_index('ix_directory_certificate_org', ['organisation_id', 'valid'], unique=False)

    op.create_table('directory_deal',
    sa.Column('deal_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=True),
    sa.Column('won', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('deal_id', name=op.f('pk_directory_deal'))
    )
    with op.batch_alter_table('directory_deal', schema=None) as batch_op:
        batch_op.create_index('ix_directory_deal_org_region', ['organisation_id', 'region', 'won'], unique=False)

    op.create_table('directory_region_win',
    sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=40), nullable=False),
    sa.Column('wins', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('organisation_id', 'region', name=op.f('pk_directory_region_win'))
    )
    with op.batch_alter_table('directory_region_win', schema=None) as batch_op:
        batch_op.create_index('ix_directory_region_win_region', ['region', 'wins'], unique=False)

    op.create_table('directory_stat',
    sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('valid_certificates', sa.Integer(), nullable=False),
    sa.Column('certified_people', sa.Integer(), nullable=False),
    sa.Column('deals_won', sa.Integer(), nullable=False),
    sa.Column('updated_at', hub.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_directory_stat'))
    )


def downgrade():
    op.drop_table('directory_stat')
    with op.batch_alter_table('directory_region_win', schema=None) as batch_op:
        batch_op.drop_index('ix_directory_region_win_region')
    op.drop_table('directory_region_win')
    with op.batch_alter_table('directory_deal', schema=None) as batch_op:
        batch_op.drop_index('ix_directory_deal_org_region')
    op.drop_table('directory_deal')
    with op.batch_alter_table('directory_certificate', schema=None) as batch_op:
        batch_op.drop_index('ix_directory_certificate_org')
    op.drop_table('directory_certificate')
    with op.batch_alter_table('directory_person', schema=None) as batch_op:
        batch_op.drop_index('ix_directory_person_org_listed')
    op.drop_table('directory_person')
    with op.batch_alter_table('directory_organisation', schema=None) as batch_op:
        batch_op.drop_index('ix_directory_organisation_locator')
    op.drop_table('directory_organisation')
