"""The library's search index (L2), declared to hub.search: its documents, its filters and its
listing by filters alone (what the library shows while the index is unavailable).

A document is one item: titles and plain texts (summary and body) per language, the facets kind,
industry, partner type, product and language, visibility by tier rank (tier_rank <= the viewer's
rank), ordered by publication date when there are no words.
"""
from __future__ import annotations

from itertools import groupby
from typing import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from .. import search
from ..extensions import db
from .models import LibraryFile, LibraryItem, LibraryTag

NAME = "library"
FACETS = ("kind", "industry", "partner_type", "product", "language")
BATCH = 1000


def load_documents(session: Session, ids: Sequence[int] | None = None) -> Iterable[search.Document]:
    """The items as documents, in id order. Plain column reads rather than ORM objects: a rebuild
    of 10,000 items spends its time stemming, not building objects."""
    columns = (LibraryItem.id, LibraryItem.tier_rank, LibraryItem.kind, LibraryItem.published, LibraryItem.title_ru,
               LibraryItem.title_en, LibraryItem.plain_ru, LibraryItem.plain_en)
    chunks: Iterable[list[int]]
    if ids is not None:
        wanted = sorted(set(ids))
        chunks = (wanted[start:start + BATCH] for start in range(0, len(wanted), BATCH))
    else:
        chunks = None
    last = 0
    while True:
        if chunks is not None:
            chunk = next(chunks, None)
            if chunk is None:
                return
            rows = session.execute(select(*columns).where(LibraryItem.id.in_(chunk)).order_by(LibraryItem.id)).all()
        else:
            rows = session.execute(select(*columns).where(LibraryItem.id > last).order_by(LibraryItem.id)
                                   .limit(BATCH)).all()
            if not rows:
                return
            last = rows[-1].id
        if not rows:
            continue
        tags: dict[int, dict[str, list[str]]] = {}
        tag_rows = session.execute(select(LibraryTag.item_id, LibraryTag.facet, LibraryTag.value)
                                   .where(LibraryTag.item_id.in_([r.id for r in rows]))
                                   .order_by(LibraryTag.item_id, LibraryTag.id)).all()
        for item_id, group in groupby(tag_rows, key=lambda r: r.item_id):
            found: dict[str, list[str]] = {}
            for _, facet, value in group:
                found.setdefault(facet, []).append(value)
            tags[item_id] = found
        for row in rows:
            yield search.Document(
                id=row.id, rank=row.tier_rank, date=row.published.toordinal(),
                titles={"ru": row.title_ru, "en": row.title_en}, texts={"ru": row.plain_ru or "", "en": row.plain_en or ""},
                facets={"kind": [row.kind], **tags.get(row.id, {})})


def count_documents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LibraryItem)) or 0


def browse(q: search.SearchQuery) -> search.SearchResult:
    """The filters without the words, straight from the library tables (any database)."""
    Item, Tag = LibraryItem, LibraryTag

    def conditions(skip: str | None = None) -> list:
        out = [Item.tier_rank <= q.max_rank]
        for facet, value in sorted(q.filters.items()):
            if facet == skip or not value:
                continue
            if facet == "kind":
                out.append(Item.kind == value)
            else:
                tag = aliased(Tag)
                out.append(select(tag.id).where(tag.item_id == Item.id, tag.facet == facet,
                                                tag.value == value).correlate(Item).exists())
        return out

    total = db.session.scalar(select(func.count()).select_from(Item).where(*conditions())) or 0
    ids = db.session.scalars(select(Item.id).where(*conditions()).order_by(Item.published.desc(), Item.id.desc())
                             .limit(q.per_page).offset((q.page - 1) * q.per_page))
    counts: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        if facet == "kind":
            stmt = select(Item.kind, func.count()).where(*conditions("kind")).group_by(Item.kind)
        else:
            stmt = (select(Tag.value, func.count()).join(Item, Item.id == Tag.item_id)
                    .where(Tag.facet == facet, *conditions(facet)).group_by(Tag.value))
        counts[facet] = {value: n for value, n in db.session.execute(stmt)}
    return search.SearchResult(hits=[search.Hit(id=i, score=0.0) for i in ids], total=total, counts=counts, query=q)


INDEX = search.register(search.SearchIndex(
    name=NAME, facets=FACETS, load=load_documents, count=count_documents, browse=browse,
    watch={LibraryItem: lambda item: item.id, LibraryTag: lambda tag: tag.item_id,
           LibraryFile: lambda file: file.item_id},
))
