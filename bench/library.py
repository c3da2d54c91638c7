"""Library search at scale: indexing speed and query latency (a benchmark, not a test).

    .venv/bin/python -m bench.library [--items 10000] [--repeat 20]

For each backend it starts from an empty database in a fresh temporary data directory: Whoosh on
SQLite always; the PostgreSQL backend too when HUB_BENCH_DATABASE_URL is set (every table in that
database is dropped first, so give it a throwaway one; `pg_virtualenv bash bench/postgres-library.sh`
makes one). It migrates, loads content/library (46 real items), bulk-inserts generated bilingual
items up to --items (their text recombined from the real bodies, so the vocabulary is realistic),
times a full index rebuild (documents per second), then runs 20 representative Russian and English
queries through hub.search (the same call the search page makes, with tier gating, filter counts
and snippets) as a Silver partner and prints the median and 95th percentile per query and overall.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from . import p95

QUERIES = [
    "партнёрская программа", "окупаемость", "расчёт стоимости", "внедрение crm", "скрипт холодного звонка",
    "импортозамещение", "розничная сеть", "сервис-деск для клиники", "дорожная карта", "лицензии",
    "payback", "running", "demo script", "case study retail", "price list", "objection handling",
    "service desk", "migration from western crm", "discovery questions", "окупаемсть",  # the last one misspelt
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.library", description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000, help="library items in all (default 10000)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each query (default 20)")
    parser.add_argument("--backend", choices=("all", "whoosh", "postgres"), default="all")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)

    runs = []
    if args.backend in ("all", "whoosh"):
        runs.append(("whoosh (SQLite)", None, "whoosh"))
    pg_url = os.environ.get("HUB_BENCH_DATABASE_URL")
    if args.backend in ("all", "postgres"):
        if pg_url:
            runs.append(("postgres (PostgreSQL full-text)", pg_url, "postgres"))
            if args.backend == "all":
                runs.append(("whoosh (PostgreSQL database)", pg_url, "whoosh"))
        elif args.backend == "postgres":
            parser.error("--backend postgres needs HUB_BENCH_DATABASE_URL")
        else:
            print("(HUB_BENCH_DATABASE_URL is not set: whoosh on SQLite only)")
    print(f"Partner Hub library benchmark: {args.items:,} items, {len(QUERIES)} queries x {args.repeat}; "
          f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")
    for label, url, backend in runs:
        run(label, url, backend, args)
    return 0


def run(label: str, url: str | None, backend: str, args) -> None:
    data_dir = tempfile.mkdtemp(prefix="hub-bench-library-")
    os.environ["HUB_DATA_DIR"] = data_dir
    os.environ["HUB_SEARCH_BACKEND"] = backend
    if url:
        os.environ["HUB_DATABASE_URL"] = url
    else:
        os.environ.pop("HUB_DATABASE_URL", None)
        os.environ.pop("DATABASE_URL", None)
    try:
        print(f"\n== {label} ==")
        app = _prepare(args)
        _measure(app, args)
        try:
            print(f"  load average (1 min): {os.getloadavg()[0]:.1f}")
        except OSError:
            pass
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _prepare(args):
    from flask_migrate import upgrade

    from hub import create_app, search
    from hub.extensions import db
    from hub.library import loaders

    app = create_app()
    with app.app_context():
        print(f"  database: {db.engine.url.render_as_string(hide_password=True)}; "
              f"search backend: {search.backend().name}")
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
        loaders.sync_library(Path(app.config["CONTENT_DIR"]) / "library")
        db.session.commit()

        seed_items(args.items, args.seed)

        started = time.perf_counter()
        count = search.rebuild()
        seconds = time.perf_counter() - started
        print(f"  INDEXING: {count:,} documents in {seconds:.1f} s = {count / seconds:,.0f} docs/s")
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
    return app


def seed_items(items: int, seed: int = 7) -> None:
    """Bulk-insert generated library items (from the real items' paragraphs, random tiers and tags)
    up to `items` in all; bench/pages.py builds its large data set with it too. The caller has an
    app context; the search index is not rebuilt here."""
    from sqlalchemy import func, insert, select

    from hub.extensions import db
    from hub.library.models import FACETS, KINDS, TAG_VALUES, TIERS, LibraryItem, LibraryTag

    rng = random.Random(seed)
    real = list(db.session.scalars(select(LibraryItem)))
    paragraphs_ru = [p for item in real for p in item.body_ru.split("\n\n") if len(p) > 40]
    paragraphs_en = [p for item in real for p in item.body_en.split("\n\n") if len(p) > 40]
    titles = [(item.title_ru, item.title_en) for item in real]
    want = max(0, items - len(real))
    started = time.perf_counter()
    batch, tag_batch = [], []
    next_id = (db.session.scalar(select(func.max(LibraryItem.id))) or 0) + 1
    today = date.today()
    for n in range(want):
        title_ru, title_en = rng.choice(titles)
        body_ru = "\n\n".join(rng.sample(paragraphs_ru, 4))
        body_en = "\n\n".join(rng.sample(paragraphs_en, 4))
        tier = rng.choices(TIERS, weights=(60, 25, 10, 5))[0]
        item_id = next_id + n
        batch.append(dict(
            id=item_id, slug=f"bench-{item_id}", kind=rng.choice(KINDS), min_tier=tier,
            tier_rank=TIERS.index(tier), title_ru=f"{title_ru} ({n})", title_en=f"{title_en} ({n})",
            summary_ru=body_ru[:200], summary_en=body_en[:200], body_ru=body_ru, body_en=body_en,
            body_html_ru="", body_html_en="", plain_ru=body_ru, plain_en=body_en,
            published=today - timedelta(days=rng.randrange(900)), source="hub", checksum=None,
            created_at=_now(), updated_at=_now()))
        for facet in FACETS:
            values = TAG_VALUES[facet] if facet != "industry" else TAG_VALUES[facet][:-1]
            for value in rng.sample(values, rng.randint(1, 2)):
                tag_batch.append(dict(item_id=item_id, facet=facet, value=value))
        if len(batch) >= 2000:
            _flush(db, insert, LibraryItem, LibraryTag, batch, tag_batch)
    _flush(db, insert, LibraryItem, LibraryTag, batch, tag_batch)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("SELECT setval(pg_get_serial_sequence('library_item', 'id'), "
                                   "(SELECT max(id) FROM library_item))"))
    db.session.commit()
    total = db.session.scalar(select(func.count()).select_from(LibraryItem))
    print(f"  seeded {want:,} generated items in {time.perf_counter() - started:.1f} s ({total:,} in all)")


def _now():
    from hub.database import utcnow
    return utcnow()


def _flush(db, insert, Item, Tag, batch, tag_batch) -> None:
    if batch:
        db.session.execute(insert(Item), batch)
        db.session.execute(insert(Tag), tag_batch)
        batch.clear()
        tag_batch.clear()


def _measure(app, args) -> None:
    from hub import search

    all_times: list[float] = []
    rows = []
    with app.app_context():
        for text in QUERIES:  # one warm-up round: caches (vocabulary, index files) as in a running server
            search.search(search.SearchQuery(text=text, max_rank=1, per_page=20))
        for text in QUERIES:
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                result = search.search(search.SearchQuery(text=text, max_rank=1, per_page=20, locale="ru"))
                times.append((time.perf_counter() - started) * 1000)
            all_times.extend(times)
            rows.append((text, result.total, result.corrected, statistics.median(times), p95(times)))
    width = max(len(r[0]) for r in rows)
    print(f"  {'query':<{width}}  {'hits':>6}  {'median ms':>9}  {'p95 ms':>7}")
    for text, total, corrected, median, high in rows:
        note = f"  (corrected to “{corrected}”)" if corrected else ""
        print(f"  {text:<{width}}  {total:>6,}  {median:>9.1f}  {high:>7.1f}{note}")
    print(f"  ALL QUERIES (search + filter counts + snippets, Silver viewer): median "
          f"{statistics.median(all_times):.1f} ms, p95 {p95(all_times):.1f} ms")



if __name__ == "__main__":
    raise SystemExit(main())
