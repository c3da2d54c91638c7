"""form drafts: what was typed into a form sent after the session expired (hub/drafts.py)

Revision ID: 0006_input
Revises: 0005_events
Create Date: 2026-12-01 21:04:24.968518

A new table only: no existing row changes.
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


revision = '0006_input'
down_revision = '0005_events'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('path', sa.String(length=2000), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
        sa.Column('expires_at', hub.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_form_draft')),
        sa.UniqueConstraint('token', name=op.f('uq_form_draft_token')),
    )
    with op.batch_alter_table('form_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_draft_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('form_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_draft_expires_at'))
    op.drop_table('form_draft')
