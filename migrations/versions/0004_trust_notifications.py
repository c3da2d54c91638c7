"""Typed notifications: type, object and parameters instead of finished text; e-mail choices per
type; an HTML body (and the notification type) on outbox messages.

Data step: every existing notification keeps its stored text, as the type "core.legacy_text"
with params {"text": ...} (it was written in one language and is shown as it was).

Revision ID: 0004_trust_notifications
Revises: 0003_trust_sessions
"""
from alembic import op
import sqlalchemy as sa
import hub.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0004_trust_notifications'
down_revision = '0003_trust_sessions'
branch_labels = None
depends_on = None

LEGACY = "core.legacy_text"
CHUNK = 1000

notification = sa.table(
    "notification",
    sa.column("id", sa.Integer), sa.column("message", sa.String), sa.column("type", sa.String),
    sa.column("params", sa.JSON),
)


def upgrade():
    op.create_table('notification_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=60), nullable=False),
    sa.Column('email', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_preference_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'type', name=op.f('pk_notification_preference'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('type', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('object_type', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('object_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))

    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(sa.select(notification.c.id, notification.c.message)
                            .where(notification.c.id > last).order_by(notification.c.id).limit(CHUNK)).all()
        if not rows:
            break
        conn.execute(notification.update().where(notification.c.id == sa.bindparam("nid"))
                     .values(type=LEGACY, params=sa.bindparam("text_params")),
                     [{"nid": row.id, "text_params": {"text": row.message}} for row in rows])
        last = rows[-1].id

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column('type', existing_type=sa.String(length=60), nullable=False)
        batch_op.alter_column('params', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('message')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('html_body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('kind')
        batch_op.drop_column('html_body')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.VARCHAR(length=300), nullable=True))

    # Legacy rows get their text back; typed ones, which had none, their type's name.
    conn = op.get_bind()
    rows = conn.execute(sa.select(notification.c.id, notification.c.type, notification.c.params)).all()
    if rows:
        conn.execute(notification.update().where(notification.c.id == sa.bindparam("nid"))
                     .values(message=sa.bindparam("text")),
                     [{"nid": row.id, "text": str((row.params or {}).get("text") or row.type)[:300]}
                      for row in rows])

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column('message', existing_type=sa.VARCHAR(length=300), nullable=False)
        batch_op.drop_column('params')
        batch_op.drop_column('object_id')
        batch_op.drop_column('object_type')
        batch_op.drop_column('type')

    op.drop_table('notification_preference')
