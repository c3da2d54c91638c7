"""The Q&A search index (C5), declared to hub.search: one document per visible thread (its title, the
question and the replies that are not hidden), filters by space, category and solved, newest activity
first without words. A private-space thread carries the access keys "space:private" and "vendor", so
only a viewer whose query holds one of them (services.search_keys) finds it — in the hits and in every
filter count. Hidden threads are not in the index at all.
"""
from __future__ import annotations

import html as html_lib
import re
from typing import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ... import search
from ...extensions import db
from .models import PRIVATE, QaPost, QaThread

NAME = "qa"
FACETS = ("space", "category", "solved")
PRIVATE_KEYS = ("space:private", "vendor")
BATCH = 500
TAGS = re.compile(r"<[^>]+>")


def plain_text(html: str) -> str:
    return html_lib.unescape(TAGS.sub(" ", html or ""))


def _documents(session: Session, threads: list) -> Iterable[search.Document]:
    texts: dict[int, list[str]] = {}
    for thread_id, html in session.execute(
            select(QaPost.thread_id, QaPost.body_html).where(QaPost.thread_id.in_([t.id for t in threads]),
                                                             QaPost.hidden.is_(False))
            .order_by(QaPost.thread_id, QaPost.id)):
        texts.setdefault(thread_id, []).append(plain_text(html))
    for t in threads:
        text = "\n".join(texts.get(t.id, []))
        yield search.Document(
            id=t.id, titles={"ru": t.title, "en": t.title}, texts={"ru": text, "en": text},
            facets={"space": [t.space], "category": [t.category], "solved": ["yes" if t.accepted_post_id else "no"]},
            access=PRIVATE_KEYS if t.space == PRIVATE else (), date=t.last_post_at.toordinal())


def load_documents(session: Session, ids: Sequence[int] | None = None) -> Iterable[search.Document]:
    columns = (QaThread.id, QaThread.title, QaThread.space, QaThread.category, QaThread.accepted_post_id,
               QaThread.last_post_at)
    visible = QaThread.hidden.is_(False)
    if ids is not None:
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), BATCH):
            rows = session.execute(select(*columns).where(visible, QaThread.id.in_(wanted[start:start + BATCH]))
                                   .order_by(QaThread.id)).all()
            if rows:
                yield from _documents(session, rows)
        return
    last = 0
    while True:
        rows = session.execute(select(*columns).where(visible, QaThread.id > last).order_by(QaThread.id)
                               .limit(BATCH)).all()
        if not rows:
            return
        last = rows[-1].id
        yield from _documents(session, rows)


def count_documents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(QaThread).where(QaThread.hidden.is_(False))) or 0


def browse(q: search.SearchQuery) -> search.SearchResult:
    """Threads by filters alone, from the Q&A tables, with the same access rule as the index."""
    def conditions(skip: str | None = None) -> list:
        out = [QaThread.hidden.is_(False)]
        if not set(q.keys) & set(PRIVATE_KEYS):
            out.append(QaThread.space != PRIVATE)
        for facet, value in q.filters.items():
            if facet == skip or not value:
                continue
            if facet == "space":
                out.append(QaThread.space == value)
            elif facet == "category":
                out.append(QaThread.category == value)
            elif facet == "solved":
                out.append(QaThread.accepted_post_id.is_not(None) if value == "yes" else QaThread.accepted_post_id.is_(None))
        return out

    total = db.session.scalar(select(func.count()).select_from(QaThread).where(*conditions())) or 0
    ids = db.session.scalars(select(QaThread.id).where(*conditions()).order_by(QaThread.last_post_at.desc(),
                                                                                QaThread.id.desc())
                             .limit(q.per_page).offset((q.page - 1) * q.per_page))
    counts: dict[str, dict[str, int]] = {}
    for facet, column in (("space", QaThread.space), ("category", QaThread.category)):
        counts[facet] = dict(db.session.execute(select(column, func.count()).where(*conditions(facet))
                                                .group_by(column)).all())
    return search.SearchResult(hits=[search.Hit(id=i, score=0.0) for i in ids], total=total, counts=counts, query=q)


INDEX = search.register(search.SearchIndex(
    name=NAME, facets=FACETS, load=load_documents, count=count_documents, browse=browse,
    watch={QaThread: lambda thread: thread.id, QaPost: lambda post: post.thread_id},
))
