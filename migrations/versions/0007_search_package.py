"""The search package (hub/search): the postgres engine's tables for every declared index
(search_document, search_facet, search_word) replace the library's own search_vector column.

Revision ID: 0007_search
Revises: 0006_input
Create Date: 2026-12-02 00:40:00

The vector was derived data: it is rebuilt (`flask --app hub search reindex`) rather than moved; the
fts5 engine (the default) keeps its indexes in the data directory and needs nothing here.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0007_search'
down_revision = '0006_input'
branch_labels = None
depends_on = None

VECTOR = sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql')


def upgrade():
    op.create_table(
        'search_document',
        sa.Column('index_name', sa.String(length=40), nullable=False),
        sa.Column('doc_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('date', sa.Integer(), nullable=False),
        sa.Column('access', sa.Text(), nullable=False),
        sa.Column('title_ru', sa.Text(), nullable=False),
        sa.Column('title_en', sa.Text(), nullable=False),
        sa.Column('text_ru', sa.Text(), nullable=False),
        sa.Column('text_en', sa.Text(), nullable=False),
        sa.Column('vector', VECTOR, nullable=True),
        sa.PrimaryKeyConstraint('index_name', 'doc_id', name=op.f('pk_search_document')),
    )
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.create_index('ix_search_document_index_rank_date', ['index_name', 'rank', 'date'], unique=False)
        batch_op.create_index('ix_search_document_vector', ['vector'], unique=False, postgresql_using='gin',
                              postgresql_with={'fastupdate': 'off'})
    op.create_table(
        'search_facet',
        sa.Column('index_name', sa.String(length=40), nullable=False),
        sa.Column('doc_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('facet', sa.String(length=40), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('index_name', 'doc_id', 'facet', 'value', name=op.f('pk_search_facet')),
    )
    with op.batch_alter_table('search_facet', schema=None) as batch_op:
        batch_op.create_index('ix_search_facet_value', ['index_name', 'facet', 'value', 'doc_id'], unique=False)
    op.create_table(
        'search_word',
        sa.Column('index_name', sa.String(length=40), nullable=False),
        sa.Column('word', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('index_name', 'word', name=op.f('pk_search_word')),
    )
    # Not batch mode: on SQLite that recreates library_item, and with foreign keys on, dropping the
    # old table would cascade to its tags, files and usage. SQLite >= 3.35 drops a column in place.
    op.drop_index('ix_library_item_search_vector', table_name='library_item', postgresql_using='gin')
    op.execute('ALTER TABLE library_item DROP COLUMN search_vector')


def downgrade():
    op.add_column('library_item', sa.Column('search_vector', VECTOR, nullable=True))
    op.create_index('ix_library_item_search_vector', 'library_item', ['search_vector'], unique=False,
                    postgresql_using='gin')
    op.drop_table('search_word')
    with op.batch_alter_table('search_facet', schema=None) as batch_op:
        batch_op.drop_index('ix_search_facet_value')
    op.drop_table('search_facet')
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.drop_index('ix_search_document_vector', postgresql_using='gin')
        batch_op.drop_index('ix_search_document_index_rank_date')
    op.drop_table('search_document')
