"""The partner directory and the public locator at scale: search and ranking latency (a benchmark, not a test).

    .venv/bin/python -m bench.directory [--orgs 5000] [--requests 50]

From an empty SQLite database in a fresh temporary data directory (or HUB_BENCH_DATABASE_URL, whose
tables are all dropped first: give it a throwaway PostgreSQL database): migrate, load content/,
create the demo, then `demo large` organisations and people (no deals: the locator ranks on its read
model, which the directory's large demo step fills with certificates and wins per region, as the
events would) and the directory's large step (profile lists, listing choices). It then times
requests through the Flask test client (routing, login, SQL, templates; no network): the
partners' directory as a partner admin and the locator as an anonymous customer, unfiltered and
with the filters customers and partners use, and prints p50 / p95 and the SQL statements per page.
"""
from __future__ import annotations

import argparse
import os
import platform
import time

from . import build_program, client_as, fresh_data_dir, print_times, time_get


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.directory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--users-per-org", type=int, default=4)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--profile", metavar="PATH", help="also print a cProfile of 20 requests to this path")
    args = parser.parse_args(argv)
    print(f"Partner Hub directory benchmark: {args.orgs:,} organisations; Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs")
    with fresh_data_dir("hub-bench-directory-", "HUB_BENCH_DATABASE_URL"):
        _run(args)
    return 0


def _run(args) -> None:
    from sqlalchemy import event, func, select

    from hub.community.directory.models import DirectoryOrganisation
    from hub.extensions import db

    started = time.perf_counter()
    app = build_program(args.orgs, args.users_per_org)
    with app.app_context():
        print(f"  SEEDING: {args.orgs:,} organisations with their directory data in "
              f"{time.perf_counter() - started:.1f} s ({db.engine.dialect.name})")
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        on_locator = db.session.scalar(select(func.count()).select_from(DirectoryOrganisation)
                                       .where(DirectoryOrganisation.in_locator.is_(True)))
        print(f"  {on_locator:,} organisations on the locator")
        engine = db.engine
    partner = client_as(app, "admin@volgasoft.demo")
    anonymous = app.test_client()
    pages = [
        ("directory: everyone", partner, "/directory/"),
        ("directory: region spb", partner, "/directory/?region=spb"),
        ("directory: region + expertise", partner, "/directory/?region=spb&expertise=implementation"),
        ("directory: region+product+industry", partner,
         "/directory/?region=moscow&product=crm&industry=retail"),
        ("directory: tier gold, page 3", partner, "/directory/?tier=gold&page=3"),
        ("directory: name search", partner, "/directory/?q=100"),
        ("directory: htmx live filter", partner, "/directory/?region=volga&language=en"),
        ("locator: everyone", anonymous, "/directory/locator"),
        ("locator: region moscow", anonymous, "/directory/locator?region=moscow"),
        ("locator: region + product", anonymous, "/directory/locator?region=spb&product=crm"),
        ("locator: region+industry+expertise", anonymous,
         "/directory/locator?region=moscow&industry=banking&expertise=integration"),
    ]
    statements: list[str] = []

    def count(conn, cursor, statement, *a):
        statements.append(statement)
    all_times = {"directory": [], "locator": []}
    for name, client, path in pages:
        headers = {"HX-Request": "true", "HX-Target": "directory-results"} if "htmx" in name else {}
        time_get(client, path, 0, headers)
        event.listen(engine, "before_cursor_execute", count)
        statements.clear()
        client.get(path, headers=headers)
        event.remove(engine, "before_cursor_execute", count)
        queries = len([s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "PRAGMA"))])
        times = time_get(client, path, args.requests, headers, warm=0)
        all_times[name.split(":")[0]].extend(times)
        print_times(name, times, f"   {queries} SQL", width=36)
    for kind, times in all_times.items():
        print_times(kind + " overall", times, width=36)
    if args.profile:
        import cProfile
        import pstats
        client = anonymous if args.profile.startswith("/directory/locator") else partner
        profiler = cProfile.Profile()
        sql = []
        event.listen(engine, "before_cursor_execute", lambda *a: sql.append(time.perf_counter()))
        profiler.enable()
        for _ in range(20):
            client.get(args.profile)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    raise SystemExit(main())
