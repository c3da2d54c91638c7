"""Server-side logins (user_session) and wrong-password counters of addresses without an account
(login_failure).

Existing session and remember cookies carry a bare user id, which no login row matches: after
this upgrade everyone logs in once more.

Revision ID: 0003_trust_sessions
Revises: 0002_files
Create Date: 2026-12-01 21:04:54.281532

"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0003_trust_sessions'
down_revision = '0002_files'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_failure',
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', hub.database.UTCDateTime(), nullable=True),
    sa.Column('updated_at', hub.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('address_hash', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_updated_at'), ['updated_at'], unique=False)

    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('expires_at', hub.database.UTCDateTime(), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_session_expires_at'))

    op.drop_table('user_session')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_updated_at'))

    op.drop_table('login_failure')
