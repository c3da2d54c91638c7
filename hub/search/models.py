"""The postgres engine's tables (see hub/search/postgres.py); present but unused on SQLite."""
from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

# A tsvector on PostgreSQL, an unused text column elsewhere.
SearchVector = Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class SearchDocument(db.Model):
    __tablename__ = "search_document"
    __table_args__ = (
        # fastupdate off: a pending list left by bulk writes is scanned by every search until vacuum
        # merges it (measured 14 ms for a one-hit query at 10,000 documents).
        Index("ix_search_document_vector", "vector", postgresql_using="gin", postgresql_with={"fastupdate": "off"}),
        Index("ix_search_document_index_rank_date", "index_name", "rank", "date"),
    )

    index_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    doc_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    rank: Mapped[int] = mapped_column(Integer)
    date: Mapped[int] = mapped_column(Integer)
    # The access keys, space-separated ("*": public), matched with && against the viewer's.
    access: Mapped[str] = mapped_column(Text)
    title_ru: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    text_ru: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    vector = mapped_column(SearchVector, nullable=True)


class SearchFacet(db.Model):
    __tablename__ = "search_facet"
    __table_args__ = (Index("ix_search_facet_value", "index_name", "facet", "value", "doc_id"),)

    index_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    doc_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    facet: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)


class SearchWord(db.Model):
    """The surface words typo correction may propose."""
    __tablename__ = "search_word"

    index_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    word: Mapped[str] = mapped_column(String(200), primary_key=True)
