"""The deal lists' text filter gets an index for "the customer name contains ..." (issue 10 point 4).

Revision ID: 0009_filter
Revises: 0008_events
Create Date: 2026-12-02 01:45:00

- SQLite (>= 3.34): `deal_name_fts`, an FTS5 table with the trigram tokenizer over
  `deal.customer_name_norm` (external content: it stores the trigram index only), kept in step
  with `deal` by three triggers; the data step fills it for the deals already there ('rebuild').
  Caution for later revisions: a batch-mode rebuild of `deal` drops its triggers; such a revision
  must create them again (`_create_triggers`).
- PostgreSQL: pg_trgm GIN indexes on `deal.customer_name_norm` and `deal.inn`, which serve the
  filter's `LIKE '%x%'` and `LIKE 'x%'` as they are. Creating the extension needs a privilege
  the database owner may lack: then the indexes are left out and the filter scans, as before.

Neither is in the models (one dialect each); hub/deals/textfilter.py declares their names as kept
outside the models.
"""
import sqlite3

from alembic import op
import sqlalchemy as sa


revision = '0009_filter'
down_revision = '0008_events'
branch_labels = None
depends_on = None

TRIGGERS = {
    'deal_name_fts_ai': "AFTER INSERT ON deal BEGIN "
                        "INSERT INTO deal_name_fts(rowid, customer_name_norm) VALUES (new.id, new.customer_name_norm); END",
    'deal_name_fts_ad': "AFTER DELETE ON deal BEGIN "
                        "INSERT INTO deal_name_fts(deal_name_fts, rowid, customer_name_norm) "
                        "VALUES ('delete', old.id, old.customer_name_norm); END",
    'deal_name_fts_au': "AFTER UPDATE OF customer_name_norm ON deal BEGIN "
                        "INSERT INTO deal_name_fts(deal_name_fts, rowid, customer_name_norm) "
                        "VALUES ('delete', old.id, old.customer_name_norm); "
                        "INSERT INTO deal_name_fts(rowid, customer_name_norm) VALUES (new.id, new.customer_name_norm); END",
}


def _create_triggers():
    for name, body in TRIGGERS.items():
        op.execute(f'CREATE TRIGGER {name} {body}')


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        if sqlite3.sqlite_version_info < (3, 34, 0):
            return  # no trigram tokenizer: hub/deals/textfilter.py scans on such a SQLite
        op.execute("CREATE VIRTUAL TABLE deal_name_fts USING fts5("
                   "customer_name_norm, content='deal', content_rowid='id', tokenize='trigram')")
        _create_triggers()
        op.execute("INSERT INTO deal_name_fts(deal_name_fts) VALUES ('rebuild')")
    elif dialect == 'postgresql':
        bind = op.get_bind()
        if not bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar():
            try:
                with bind.begin_nested():
                    bind.execute(sa.text('CREATE EXTENSION IF NOT EXISTS pg_trgm'))
            except sa.exc.DBAPIError:
                return  # no privilege (or no contrib package): the filter scans, as before
        op.execute('CREATE INDEX ix_deal_customer_name_trgm ON deal USING gin (customer_name_norm gin_trgm_ops)')
        op.execute('CREATE INDEX ix_deal_inn_trgm ON deal USING gin (inn gin_trgm_ops)')


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for name in TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS deal_name_fts')
    elif dialect == 'postgresql':
        # The extension stays: other databases objects may use it, and dropping it needs a privilege.
        op.execute('DROP INDEX IF EXISTS ix_deal_inn_trgm')
        op.execute('DROP INDEX IF EXISTS ix_deal_customer_name_trgm')
