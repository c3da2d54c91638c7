"""qa: community Q&A threads, posts, votes, reports and reminder marks

Revision ID: 0017_qa
Revises: 0016_apply
Create Date: 2026-12-02 18:33:03

Five new tables; no existing row changes.
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


revision = '0017_qa'
down_revision = '0016_apply'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('qa_thread',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('reply_count', sa.Integer(), nullable=False),
    sa.Column('accepted_post_id', sa.Integer(), nullable=True),
    sa.Column('solved_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('last_post_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_qa_thread_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_qa_thread_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_thread'))
    )
    with op.batch_alter_table('qa_thread', schema=None) as batch_op:
        batch_op.create_index('ix_qa_thread_space_activity', ['space', 'last_post_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_thread_user_id'), ['user_id'], unique=False)

    op.create_table('qa_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('is_question', sa.Boolean(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('votes', sa.Integer(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['user.id'], name=op.f('fk_qa_post_hidden_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_qa_post_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['thread_id'], ['qa_thread.id'], name=op.f('fk_qa_post_thread_id_qa_thread'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_qa_post_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_post'))
    )
    with op.batch_alter_table('qa_post', schema=None) as batch_op:
        batch_op.create_index('ix_qa_post_thread_created', ['thread_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_post_user_id'), ['user_id'], unique=False)

    op.create_table('qa_reminder',
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['qa_thread.id'], name=op.f('fk_qa_reminder_thread_id_qa_thread'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('thread_id', name=op.f('pk_qa_reminder'))
    )
    op.create_table('qa_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', hub.database.UTCDateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['qa_post.id'], name=op.f('fk_qa_report_post_id_qa_post'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('fk_qa_report_resolved_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_qa_report_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_report')),
    sa.UniqueConstraint('post_id', 'user_id', name='uq_qa_report_post_user')
    )
    with op.batch_alter_table('qa_report', schema=None) as batch_op:
        batch_op.create_index('ix_qa_report_open', ['resolved_at', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_report_user_id'), ['user_id'], unique=False)

    op.create_table('qa_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['qa_post.id'], name=op.f('fk_qa_vote_post_id_qa_post'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_qa_vote_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_vote')),
    sa.UniqueConstraint('post_id', 'user_id', name='uq_qa_vote_post_user')
    )
    with op.batch_alter_table('qa_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_vote_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('qa_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_vote_user_id'))

    op.drop_table('qa_vote')
    with op.batch_alter_table('qa_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_report_user_id'))
        batch_op.drop_index('ix_qa_report_open')

    op.drop_table('qa_report')
    op.drop_table('qa_reminder')
    with op.batch_alter_table('qa_post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_post_user_id'))
        batch_op.drop_index('ix_qa_post_thread_created')

    op.drop_table('qa_post')
    with op.batch_alter_table('qa_thread', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_thread_user_id'))
        batch_op.drop_index('ix_qa_thread_space_activity')

    op.drop_table('qa_thread')
