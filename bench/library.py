"""Library search at scale: indexing speed and query latency (a benchmark, not a test).

    .venv/bin/python -m bench.library [--items 10000] [--repeat 20]

For each backend it starts from an empty database in a fresh temporary data directory: fts5 on
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
from datetime import date
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
    parser.add_argument("--backend", choices=("all", "fts5", "postgres"), default="all")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)

    runs = []
    if args.backend in ("all", "fts5"):
        runs.append(("fts5 (SQLite)", None, "fts5"))
    pg_url = os.environ.get("HUB_BENCH_DATABASE_URL")
    if args.backend in ("all", "postgres"):
        if pg_url:
            runs.append(("postgres (PostgreSQL full-text)", pg_url, "postgres"))
            if args.backend == "all":
                runs.append(("fts5 (PostgreSQL database)", pg_url, "fts5"))
        elif args.backend == "postgres":
            parser.error("--backend postgres needs HUB_BENCH_DATABASE_URL")
        else:
            print("(HUB_BENCH_DATABASE_URL is not set: fts5 on SQLite only)")
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
    from sqlalchemy import func, select

    from hub import create_app, search
    from hub.extensions import db
    from hub.library import loaders
    from hub.library.demo_large import generate_items
    from hub.library.models import LibraryItem

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

        started = time.perf_counter()
        want = generate_items(args.items, random.Random(args.seed), date.today())
        db.session.commit()
        total = db.session.scalar(select(func.count()).select_from(LibraryItem))
        print(f"  seeded {want:,} generated items in {time.perf_counter() - started:.1f} s ({total:,} in all)")

        started, cpu = time.perf_counter(), time.process_time()
        count = search.rebuild()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        # CPU time beside wall time: on a shared machine the wall clock also counts other processes.
        print(f"  INDEXING: {count:,} documents in {seconds:.1f} s = {count / seconds:,.0f} docs/s "
              f"(CPU {cpu:.1f} s of this process = {count / cpu:,.0f} docs per CPU-second)")
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
    return app


def seed_items(items: int, seed: int = 7) -> None:
    """Fill the library up to `items` generated items (bench/pages.py builds its data set with it);
    the caller has an app context; the search index is not rebuilt here."""
    from hub.extensions import db
    from hub.library.demo_large import generate_items

    started = time.perf_counter()
    added = generate_items(items, random.Random(seed), date.today())
    db.session.commit()
    print(f"  seeded {added:,} generated library items in {time.perf_counter() - started:.1f} s")


def _measure(app, args) -> None:
    from hub import search

    all_times: list[float] = []
    all_cpu: list[float] = []
    rows = []
    with app.app_context():
        for text in QUERIES:  # one warm-up round: caches (vocabulary, index files) as in a running server
            search.search("library", search.SearchQuery(text=text, max_rank=1, per_page=20))
        for text in QUERIES:
            times = []
            for _ in range(args.repeat):
                started, cpu = time.perf_counter(), time.process_time()
                result = search.search("library", search.SearchQuery(text=text, max_rank=1, per_page=20, locale="ru"))
                times.append((time.perf_counter() - started) * 1000)
                all_cpu.append((time.process_time() - cpu) * 1000)
            all_times.extend(times)
            rows.append((text, result.total, result.corrected, statistics.median(times), p95(times)))
    width = max(len(r[0]) for r in rows)
    print(f"  {'query':<{width}}  {'hits':>6}  {'median ms':>9}  {'p95 ms':>7}")
    for text, total, corrected, median, high in rows:
        note = f"  (corrected to “{corrected}”)" if corrected else ""
        print(f"  {text:<{width}}  {total:>6,}  {median:>9.1f}  {high:>7.1f}{note}")
    print(f"  ALL QUERIES (search + filter counts + snippets, Silver viewer): median "
          f"{statistics.median(all_times):.1f} ms, p95 {p95(all_times):.1f} ms; CPU time of this process: "
          f"median {statistics.median(all_cpu):.1f} ms, p95 {p95(all_cpu):.1f} ms")



if __name__ == "__main__":
    raise SystemExit(main())
