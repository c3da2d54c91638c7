"""The library's `demo large` step: generated items up to the size asked for, indexed once,
idempotent (a second run adds nothing)."""
from __future__ import annotations

import random
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from hub import search
from hub.core.cli import DemoContext
from hub.extensions import db
from hub.library import demo_large
from hub.library.models import LibraryItem, LibraryTag

pytestmark = pytest.mark.usefixtures("library")


def context(items: int) -> DemoContext:
    return DemoContext(rng=random.Random(3), today=date(2026, 12, 1), now=datetime(2026, 12, 1, tzinfo=timezone.utc),
                       echo=lambda _: None, options={"library_items": items})


def test_large_step_fills_the_library_and_indexes_it(app):
    counts = demo_large.large(context(120))
    assert counts == {"library items": 74, "library items indexed": 120}
    assert db.session.scalar(select(func.count()).select_from(LibraryItem)) == 120
    generated = db.session.scalar(select(LibraryItem).where(LibraryItem.slug.startswith("generated-"))
                                  .order_by(LibraryItem.id))
    assert db.session.scalar(select(func.count()).select_from(LibraryTag).where(LibraryTag.item_id == generated.id)) >= 5
    result = search.search("library", search.SearchQuery(text=generated.title_ru, max_rank=3))
    assert generated.id in [hit.id for hit in result.hits]
    assert demo_large.large(context(120)) == {"library items": 0, "library items indexed": 0}
