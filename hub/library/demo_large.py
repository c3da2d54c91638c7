"""The library's part of `flask --app hub demo large`: generated items up to 10,000 (for bench/pages.py
and bench/library.py), then the search index rebuilt once (bulk inserts bypass the ORM's change
tracking, and one rebuild is far cheaper than 10,000 updates).

The generated items recombine the paragraphs and titles of content/library's real items, so the
vocabulary, the lengths and the search results are realistic; tiers, kinds and tags are drawn at
random (seeded).
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from .. import search
from ..core.cli import DemoContext, demo_step
from ..database import utcnow
from ..extensions import db
from . import search_index
from .models import FACETS, KINDS, TAG_VALUES, TIERS, LibraryItem, LibraryTag

LARGE_ITEMS = 10_000


def generate_items(total: int, rng: random.Random, today: date, batch: int = 2000) -> int:
    """Bulk-insert generated items until the library holds `total` (none when it holds that many,
    or has no real items to recombine); how many were added."""
    real = list(db.session.scalars(select(LibraryItem).where(~LibraryItem.slug.startswith("generated-"))
                                   .order_by(LibraryItem.id)))
    have = db.session.scalar(select(func.count()).select_from(LibraryItem)) or 0
    want = max(0, total - have)
    if not real or not want:
        return 0
    paragraphs_ru = [p for item in real for p in item.body_ru.split("\n\n") if len(p) > 40]
    paragraphs_en = [p for item in real for p in item.body_en.split("\n\n") if len(p) > 40]
    titles = [(item.title_ru, item.title_en) for item in real]
    next_id = (db.session.scalar(select(func.max(LibraryItem.id))) or 0) + 1
    items, tags = [], []
    now = utcnow()
    for n in range(want):
        title_ru, title_en = rng.choice(titles)
        body_ru = "\n\n".join(rng.sample(paragraphs_ru, min(4, len(paragraphs_ru))))
        body_en = "\n\n".join(rng.sample(paragraphs_en, min(4, len(paragraphs_en))))
        tier = rng.choices(TIERS, weights=(60, 25, 10, 5))[0]
        item_id = next_id + n
        items.append(dict(
            id=item_id, slug=f"generated-{item_id}", kind=rng.choice(KINDS), min_tier=tier,
            tier_rank=TIERS.index(tier), title_ru=f"{title_ru} ({item_id})", title_en=f"{title_en} ({item_id})",
            summary_ru=body_ru[:200], summary_en=body_en[:200], body_ru=body_ru, body_en=body_en,
            body_html_ru="", body_html_en="", plain_ru=body_ru, plain_en=body_en,
            published=today - timedelta(days=rng.randrange(900)), source="hub", checksum=None,
            created_at=now, updated_at=now))
        for facet in FACETS:
            values = TAG_VALUES[facet] if facet != "industry" else TAG_VALUES[facet][:-1]
            for value in rng.sample(values, rng.randint(1, 2)):
                tags.append(dict(item_id=item_id, facet=facet, value=value))
        if len(items) >= batch:
            _flush(items, tags)
    _flush(items, tags)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.text("SELECT setval(pg_get_serial_sequence('library_item', 'id'), "
                                   "(SELECT max(id) FROM library_item))"))
    return want


def _flush(items: list, tags: list) -> None:
    if items:
        db.session.execute(insert(LibraryItem), items)
        db.session.execute(insert(LibraryTag), tags)
        items.clear()
        tags.clear()


@demo_step("library", order=70, large=True)
def large(ctx: DemoContext) -> dict[str, int]:
    added = generate_items(int(ctx.options.get("library_items", LARGE_ITEMS)), ctx.rng, ctx.today)
    db.session.commit()
    indexed = search.rebuild(search_index.NAME) if added else 0
    return {"library items": added, "library items indexed": indexed}
