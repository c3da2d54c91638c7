"""Rewards at scale: seeding time, leaderboard and home-page latency, full re-evaluation time.

    .venv/bin/python -m bench.rewards [--orgs 5000] [--users-per-org 4] [--entries 1000000] [--requests 200]

From an empty SQLite database in a fresh temporary data directory: migrate, load the badges,
create the small demo (for the vendor's manager) plus `demo large` organisations and people
(no deals), then bulk-insert the points ledger (a tenth of it won deals, with their won-deal
rows) and rebuild the leaderboard aggregates from it. It then times requests through the Flask
test client (routing, login, SQL, templates; no network): every leaderboard view (three metrics x
four periods, one filtered) for a partner, and the partner home page; and it times one full
re-evaluation (tiers, retro-bonuses, badges for everyone), then `flask --app hub tick`'s rewards
job (its first run, a full pass, then runs with nothing new) and every tick job with nothing new,
and `rewards repair` writing the commission line of every seeded win.
Goal: leaderboard p95 under 50 ms on SQLite.
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
from datetime import timedelta

from . import p95


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rewards", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--users-per-org", type=int, default=4)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory (prints it)")
    args = parser.parse_args(argv)
    print(f"Partner Hub rewards benchmark: {args.orgs:,} organisations, {args.orgs * args.users_per_org:,} "
          f"users, {args.entries:,} ledger entries, {args.requests} requests per view; Python "
          f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")
    data_dir = tempfile.mkdtemp(prefix="hub-bench-rewards-")
    os.environ["HUB_DATA_DIR"] = data_dir
    os.environ.pop("HUB_DATABASE_URL", None)
    os.environ.pop("DATABASE_URL", None)
    try:
        app = _prepare(args)
        _measure(app, args)
    finally:
        if args.keep:
            print(f"  data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def _echo(text: str) -> None:
    print(f"  {text}")


def _prepare(args):
    from pathlib import Path

    from flask_migrate import upgrade

    from hub import create_app, demo
    from hub.database import write_intent
    from hub.extensions import db
    from hub.rewards import badges, services

    app = create_app()
    with app.app_context():
        print(f"  database: {db.engine.url.render_as_string(hide_password=True)}")
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
        badges.sync_badges(badges.read_badges(Path(app.config["CONTENT_DIR"]) / "badges.yml",
                                              Path(app.static_folder)))
        db.session.commit()
        demo.create_demo(echo=lambda _t: None)
        started = time.perf_counter()
        large = demo.create_large(orgs=args.orgs, deals=0, users_per_org=args.users_per_org, echo=lambda _t: None)
        print(f"  organisations {large['organisations']:,}, users {large['users']:,} in "
              f"{time.perf_counter() - started:.1f} s")

        seed_ledger(args.entries, args.seed)
        started = time.perf_counter()
        with write_intent():
            stats = services.rebuild_stats()
            db.session.commit()
        print(f"  aggregates rebuilt from the ledger: {stats:,} rows in {time.perf_counter() - started:.1f} s")
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()

        started = time.perf_counter()
        from hub.rewards.jobs import full_evaluation
        with write_intent():
            report = full_evaluation()
            db.session.commit()
        print(f"  FULL RE-EVALUATION (tiers, retro-bonuses, badges; first run): {time.perf_counter() - started:.1f} s "
              f"({', '.join(f'{k} {v:,}' for k, v in report.items())})")
        started = time.perf_counter()
        with write_intent():
            full_evaluation()
            db.session.commit()
        print(f"  FULL RE-EVALUATION (second run, nothing new): {time.perf_counter() - started:.1f} s")

        # `flask --app hub tick` (the rewards job): the first run has no mark and makes a full pass
        # in committed chunks; the next ones evaluate what changed since (hub/rewards/jobs.py).
        from hub.rewards.jobs import incremental_evaluation
        started = time.perf_counter()
        with write_intent():
            report = incremental_evaluation(commit=db.session.commit)
            db.session.commit()
        print(f"  TICK rewards (first run: no mark, full pass in chunks): {time.perf_counter() - started:.2f} s "
              f"({', '.join(f'{k} {v:,}' for k, v in report.items())})")
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            with write_intent():
                report = incremental_evaluation(commit=db.session.commit)
                db.session.commit()
            timings.append(time.perf_counter() - started)
        print(f"  TICK rewards (nothing new): median {statistics.median(timings) * 1000:.0f} ms, "
              f"max {max(timings) * 1000:.0f} ms ({', '.join(f'{k} {v:,}' for k, v in report.items())})")
        from hub.core.cli import TICK_JOBS
        for name, job in TICK_JOBS.items():  # once, so every job has done what was pending
            job(lambda _t: None)
            db.session.commit()
        started = time.perf_counter()
        costs = []
        for name, job in TICK_JOBS.items():
            job_started = time.perf_counter()
            job(lambda _t: None)
            db.session.commit()
            costs.append(f"{name} {(time.perf_counter() - job_started) * 1000:.0f}")
        print(f"  TICK all jobs (nothing new): {time.perf_counter() - started:.2f} s (ms: {', '.join(costs)})")

        # The seeded wins have no commission lines: `flask --app hub rewards repair` writes them all,
        # each at the tier held on its won date (the worst case: every line missing).
        from hub.rewards import commissions
        started = time.perf_counter()
        with write_intent():
            written = commissions.repair()
            db.session.commit()
        print(f"  REWARDS REPAIR (every won deal without its lines): {len(written):,} lines in "
              f"{time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        with write_intent():
            again = commissions.repair()
            db.session.commit()
        print(f"  REWARDS REPAIR (second run): {len(again):,} lines in {time.perf_counter() - started:.1f} s")
    return app



def seed_ledger(entries_wanted: int, seed: int = 7) -> None:
    """Bulk-insert `entries_wanted` points-ledger entries over the partners' people (a tenth won
    deals, with their won-deal rows), concentrated on a few organisations as revenue is; the
    aggregates are not rebuilt here (services.rebuild_stats). bench/pages.py uses it too."""
    from sqlalchemy import insert, select

    from hub.accounts.models import PARTNER, Organisation, User
    from hub.database import utcnow, write_intent
    from hub.extensions import db
    from hub.rewards import services
    from hub.rewards.models import CERTIFICATE_EARNED, DEAL_APPROVED, DEAL_WON, EVENT_ATTENDED, PointEntry, WonDeal

    rng = random.Random(seed)
    people = list(db.session.execute(
        select(User.id, User.organisation_id).join(Organisation, Organisation.id == User.organisation_id)
        .where(Organisation.kind == PARTNER)))
    # Activity concentrates on a few organisations, as revenue does (SPEC: 80/20).
    weights = [1.0 / (1 + (i % 997)) ** 0.8 for i in range(len(people))]
    rules_points = {DEAL_APPROVED: 10, DEAL_WON: 100, CERTIFICATE_EARNED: 50, EVENT_ATTENDED: 20}
    actions = [DEAL_APPROVED] * 4 + [DEAL_WON] + [CERTIFICATE_EARNED] * 2 + [EVENT_ATTENDED] * 3
    now = utcnow()
    products = ("crm", "bi", "servicedesk")
    started = time.perf_counter()
    batch, entries, wins = 20_000, 0, 0
    with write_intent():
        while entries < entries_wanted:
            picks = rng.choices(people, weights=weights, k=min(batch, entries_wanted - entries))
            rows, won_rows = [], []
            for user_id, org_id in picks:
                action = actions[entries % len(actions)]
                at = now - timedelta(minutes=rng.randint(1, 540 * 24 * 60))
                rows.append(dict(user_id=user_id, organisation_id=org_id, action=action,
                                 source_key=f"bench:{entries}", points=rules_points[action], created_at=at))
                if action == DEAL_WON:
                    won_rows.append(dict(deal_id=10_000_000 + entries, organisation_id=org_id, user_id=user_id,
                                         product=products[entries % 3],
                                         amount_kopecks=rng.randint(100_000, 20_000_000) * 100,
                                         closed_on=services.program_date(at), recorded_at=at))
                entries += 1
            db.session.execute(insert(PointEntry), rows)
            if won_rows:
                db.session.execute(insert(WonDeal), won_rows)
                wins += len(won_rows)
        db.session.commit()
    seed_s = time.perf_counter() - started
    print(f"  SEEDING ledger: {entries:,} entries + {wins:,} won deals in {seed_s:.1f} s = "
          f"{(entries + wins) / seed_s:,.0f} rows/s")


def _measure(app, args) -> None:
    from flask import url_for
    from sqlalchemy import func, select

    from hub.accounts import sessions
    from hub.accounts.models import PARTNER_ADMIN, User
    from hub.extensions import db
    from hub.rewards.models import PeriodStat

    with app.app_context():
        # A partner in the middle of the all-time revenue board: outside the top, so its own row
        # and rank are computed on every request (the heavier case).
        n_all = db.session.scalar(select(func.count()).select_from(PeriodStat).where(PeriodStat.period == "all"))
        org_id = db.session.scalar(
            select(PeriodStat.organisation_id).join(User, User.organisation_id == PeriodStat.organisation_id)
            .where(PeriodStat.period == "all", User.role == PARTNER_ADMIN)
            .order_by(PeriodStat.revenue_kopecks.desc()).offset(min(1500, n_all // 3)).limit(1))
        partner = db.session.scalar(select(User).where(User.organisation_id == org_id,
                                                       User.role == PARTNER_ADMIN).limit(1))
        n_orgs = db.session.scalar(select(func.count()).select_from(PeriodStat).where(PeriodStat.period == "all"))
        print(f"  viewer: {partner.organisation.name}; organisations on the all-time board: {n_orgs:,}")
        client = app.test_client()
        key = sessions.open_session(partner)
        with client.session_transaction() as session:
            session["_user_id"] = key
            session["_fresh"] = True
        with app.test_request_context():
            views = []
            for metric in ("revenue", "points", "deals"):
                for period in ("month", "quarter", "year", "all"):
                    views.append((f"leaderboard {metric}/{period}",
                                  url_for("rewards.leaderboard", metric=metric, period=period), {}))
            views.append(("leaderboard revenue/year, filtered (type+region)",
                          url_for("rewards.leaderboard", metric="revenue", period="year",
                                  partner_type="integrator", region="moscow"), {}))
            views.append(("leaderboard points/all (htmx block)",
                          url_for("rewards.leaderboard", metric="points", period="all"),
                          {"HX-Request": "true", "HX-Target": "board"}))
            views.append(("partner home page", url_for("core.home"), {}))
            views.append(("rewards dashboard", url_for("rewards.index"), {}))
            views.append(("commission statement (won date, tier, rate)",
                          url_for("rewards.statement", org_id=org_id), {}))
        width = max(len(v[0]) for v in views)
        print(f"\n  {'view (SQLite)':<{width}}  {'median ms':>9}  {'p95 ms':>7}  {'n':>4}")
        worst = 0.0
        for name, url, headers in views:
            for _ in range(5):
                _get(client, url, headers)
            timings = []
            for _ in range(args.requests):
                started = time.perf_counter()
                _get(client, url, headers)
                timings.append((time.perf_counter() - started) * 1000)
            high = p95(timings)
            if name.startswith("leaderboard"):
                worst = max(worst, high)
            print(f"  {name:<{width}}  {statistics.median(timings):9.1f}  {high:7.1f}  {len(timings):4d}")
        print(f"\n  worst leaderboard p95: {worst:.1f} ms (goal < 50 ms): {'met' if worst < 50 else 'NOT met'}")

        # The queries alone (the service call, no HTTP or template): what the aggregates cost.
        from hub.rewards import leaderboards
        print(f"\n  {'leaderboard queries only (service)':<{width}}  {'median ms':>9}  {'p95 ms':>7}  {'n':>4}")
        for metric in ("revenue", "points", "deals"):
            for period in ("month", "quarter", "year", "all"):
                timings = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    leaderboards.board(leaderboards.Filters(metric=metric, period=period), viewer_org_id=org_id)
                    timings.append((time.perf_counter() - started) * 1000)
                    db.session.rollback()
                print(f"  {metric + '/' + period:<{width}}  {statistics.median(timings):9.1f}  {p95(timings):7.1f}  {len(timings):4d}")
        try:
            print(f"  load average (1 min): {os.getloadavg()[0]:.1f}")
        except OSError:
            pass


def _get(client, url: str, headers: dict) -> None:
    response = client.get(url, headers=headers)
    if response.status_code != 200:
        sys.exit(f"bench: GET {url} answered {response.status_code}; the benchmark needs 200")
    response.close()


if __name__ == "__main__":
    sys.exit(main())
