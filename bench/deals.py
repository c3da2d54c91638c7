"""Deal registration at scale: seeding time and request latency (a benchmark, not a test).

    .venv/bin/python -m bench.deals [--orgs 5000] [--deals 200000] [--requests 200]

For each backend it starts from an empty database in a fresh temporary data directory: SQLite
always, PostgreSQL too when HUB_BENCH_DATABASE_URL is set (every table in that database is
dropped first, so give it a throwaway one; `bash bench/postgres.sh` makes one with
pg_virtualenv). It migrates, loads the demo program plus `demo large` (5,000 organisations,
20,000 users, 200,000 deals), runs ANALYZE, then times requests through the Flask test client
(the whole app: routing, login, SQL, templates; no network, no gunicorn): the deal list for a
partner and for a manager (plain, with a text filter, with a status filter), the manager's queue
and the live conflict check (as htmx sends it). It prints the median and 95th percentile per view.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field

from . import p95


@dataclass
class View:
    name: str
    user: str  # "partner" or "manager"
    urls: list[str]
    headers: dict = field(default_factory=dict)
    timings: list[float] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.deals", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=5000, help="partner organisations (default 5000)")
    parser.add_argument("--deals", type=int, default=200_000, help="deals (default 200000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per view (default 200)")
    parser.add_argument("--backend", choices=("all", "sqlite", "postgresql"), default="all",
                        help="which database(s) to measure (PostgreSQL needs HUB_BENCH_DATABASE_URL)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    backends = []
    if args.backend in ("all", "sqlite"):
        backends.append(("SQLite", None))
    pg_url = os.environ.get("HUB_BENCH_DATABASE_URL")
    if args.backend in ("all", "postgresql"):
        if pg_url:
            backends.append(("PostgreSQL", pg_url))
        elif args.backend == "postgresql":
            parser.error("--backend postgresql needs HUB_BENCH_DATABASE_URL")
        else:
            print("(HUB_BENCH_DATABASE_URL is not set: SQLite only)")

    print(f"Partner Hub deal benchmark: {args.orgs:,} organisations, {args.deals:,} deals, "
          f"{args.requests} requests per view; Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs")
    for label, url in backends:
        run(label, url, args)
    return 0


def run(label: str, url: str | None, args) -> None:
    data_dir = tempfile.mkdtemp(prefix="hub-bench-")
    os.environ["HUB_DATA_DIR"] = data_dir
    if url:
        os.environ["HUB_DATABASE_URL"] = url
    else:
        os.environ.pop("HUB_DATABASE_URL", None)
        os.environ.pop("DATABASE_URL", None)
    try:
        print(f"\n== {label} ==")
        app = _prepare(args)
        views = _views(app, args)
        load_before = _load()
        _measure(app, views)
        _report(label, views)
        # Latency on a busy machine is not latency on an idle one: say how busy it was.
        print(f"  load average (1 min) before/after measuring: {load_before} / {_load()}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:  # not available on this platform
        return "n/a"


def _echo(text: str) -> None:
    print(f"  {text}")


def _prepare(args):
    from flask_migrate import upgrade

    from hub import create_app, demo
    from hub.extensions import db

    app = create_app()
    with app.app_context():
        engine = db.engine
        print(f"  database: {engine.url.render_as_string(hide_password=True)}")
        # Start from nothing: the schema comes from the migrations, as in production.
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        started = time.perf_counter()
        upgrade()
        print(f"  migrated in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        small = demo.create_demo(echo=_echo)
        small_s = time.perf_counter() - started
        print(f"  demo program: {sum(small.values()):,} rows in {small_s:.1f} s")

        started = time.perf_counter()
        large = demo.create_large(orgs=args.orgs, deals=args.deals, echo=_echo)
        seed_s = time.perf_counter() - started
        rows = sum(large.values())
        print(f"  demo large: {', '.join(f'{k} {v:,}' for k, v in large.items())}")
        print(f"  SEEDING: {rows:,} rows in {seed_s:.1f} s = {rows / seed_s:,.0f} rows/s "
              f"({large['deals'] / seed_s:,.0f} deals/s)")

        started = time.perf_counter()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        print(f"  ANALYZE in {time.perf_counter() - started:.1f} s")
    return app


def _views(app, args) -> list[View]:
    from flask import url_for
    from sqlalchemy import func, select

    from hub.accounts import demo
    from hub.accounts.models import PARTNER_ADMIN, User
    from hub.deals.models import ACTIVE, STATUSES, Deal
    from hub.extensions import db

    rng = random.Random(args.seed)
    n = args.requests
    with app.app_context():
        # The partner with the most deals: the heaviest partner list there is.
        org_id, org_deals = db.session.execute(
            select(Deal.organisation_id, func.count(Deal.id)).group_by(Deal.organisation_id)
            .order_by(func.count(Deal.id).desc()).limit(1)).one()
        partner = db.session.scalar(select(User).where(User.organisation_id == org_id,
                                                       User.role == PARTNER_ADMIN).limit(1))
        manager = db.session.scalar(select(User).where(User.email == "manager@kvant.demo"))
        app.config["BENCH_USERS"] = {"partner": partner.id, "manager": manager.id}
        print(f"  partner view: {partner.organisation.name} ({org_deals:,} deals); "
              f"manager view: all {db.session.scalar(select(func.count(Deal.id))):,} deals")

        def sample(query, k):
            rows = list(db.session.execute(query.order_by(func.random()).limit(k)))
            return rows or [("", "", "")]

        columns = (Deal.customer_name, Deal.inn, Deal.domain)
        own = sample(select(*columns).where(Deal.organisation_id == org_id), n)
        anyone = sample(select(*columns), n)
        active = sample(select(*columns).where(Deal.status.in_(ACTIVE)), n)

        def text_terms(rows):
            terms = []
            for i in range(n):
                name, inn, domain = rows[i % len(rows)]
                kind = i % 4
                terms.append(rng.choice(demo.PREFIXES) if kind == 0 else name if kind == 1
                             else (inn or name)[:6] if kind == 2 else domain or name)
            return terms

        with app.test_request_context():
            index = url_for("deals.index")
            lists = [url_for("deals.index", page=1 + i % 3) for i in range(n)]
            views = [
                View("deal list, partner", "partner", [index] * n),
                View("deal list, partner, text filter", "partner",
                     [url_for("deals.index", q=t) for t in text_terms(own)]),
                View("deal list, partner, status filter", "partner",
                     [url_for("deals.index", status=STATUSES[i % len(STATUSES)]) for i in range(n)]),
                View("deal list, manager (pages 1-3)", "manager", lists),
                View("deal list, manager, text filter", "manager",
                     [url_for("deals.index", q=t) for t in text_terms(anyone)]),
                View("deal list, manager, status filter", "manager",
                     [url_for("deals.index", status=STATUSES[i % len(STATUSES)]) for i in range(n)]),
                View("manager queue", "manager", [url_for("deals.queue")] * n),
            ]
            # Half protected customers (name, INN and domain as a partner types them), a quarter
            # customers of closed deals, a quarter nobody has registered.
            checks = []
            for i in range(n):
                if i % 4 < 2:
                    name, inn, domain = active[i % len(active)]
                    checks.append(url_for("deals.check", customer_name=name.upper(), inn=inn or "",
                                          domain=f"https://www.{domain}/" if domain else ""))
                elif i % 4 == 2:
                    name, inn, domain = anyone[i % len(anyone)]
                    checks.append(url_for("deals.check", customer_name=name, inn="", domain=""))
                else:
                    word = f"{rng.choice(demo.PREFIXES)}{rng.choice(demo.SUFFIXES)} {rng.randint(1, 10**6)}"
                    checks.append(url_for("deals.check", customer_name=f"ООО «{word}»",
                                          inn=demo.inn10(f"{rng.randint(10**8, 10**9 - 1)}"),
                                          domain=f"{demo.translit(word).replace(' ', '-')}.ru"))
            views.append(View("conflict check (htmx)", "partner", checks,
                              headers={"HX-Request": "true", "HX-Target": "conflict-status",
                                       "HX-Current-URL": url_for("deals.new", _external=True)}))
    return views


def _client(app, user_id: int):
    from hub.accounts import sessions
    from hub.accounts.models import User
    from hub.extensions import db

    client = app.test_client()
    with app.app_context():  # a real server-side login, as the hub checks on every request
        key = sessions.open_session(db.session.get(User, user_id))
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True
    return client


def _measure(app, views: list[View]) -> None:
    users = app.config["BENCH_USERS"]
    clients = {role: _client(app, user_id) for role, user_id in users.items()}
    for view in views:
        client = clients[view.user]
        for url in view.urls[:5]:  # warm-up: template compilation, connection pool, caches
            _get(client, url, view.headers)
        for url in view.urls:
            started = time.perf_counter()
            _get(client, url, view.headers)
            view.timings.append((time.perf_counter() - started) * 1000)


def _get(client, url: str, headers: dict) -> None:
    response = client.get(url, headers=headers)
    if response.status_code != 200:
        sys.exit(f"bench: GET {url} answered {response.status_code}; the benchmark needs 200")
    response.close()


def _report(label: str, views: list[View]) -> None:
    width = max(len(v.name) for v in views)
    print(f"\n  {'view (' + label + ')':<{width}}  {'median ms':>9}  {'p95 ms':>7}  {'n':>4}")
    for view in views:
        data = sorted(view.timings)
        print(f"  {view.name:<{width}}  {statistics.median(data):9.1f}  {p95(data):7.1f}  {len(data):4d}")


if __name__ == "__main__":
    sys.exit(main())
