"""Events at scale: the catalogue, the month view, an event page and a subscription feed.

    .venv/bin/python -m bench.events [--orgs 5000] [--events 2000] [--registrations 200000] [--requests 100]

From an empty SQLite database in a fresh temporary data directory: migrate, load content/ (the
program's events), create the demo, then `demo large` organisations and people (no deals) and the
events' large demo step (events spread over three years, registrations spread over them). It then
times requests through the Flask test client (routing, login, SQL, templates; no network) for a
partner: the list (coming and past), the month view, an event page and the partner's own feed.
Until bench/pages.py (wrk + gunicorn) names these pages, this prints in-process figures.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time

from . import p95


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.events", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--users-per-org", type=int, default=4)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--registrations", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args(argv)
    print(f"Partner Hub events benchmark: {args.events:,} events, {args.registrations:,} registrations, "
          f"{args.orgs:,} organisations; Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    data_dir = tempfile.mkdtemp(prefix="hub-bench-events-")
    os.environ["HUB_DATA_DIR"] = data_dir
    os.environ.pop("HUB_DATABASE_URL", None)
    os.environ.pop("DATABASE_URL", None)
    try:
        _run(args)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def _run(args) -> None:
    import random

    from flask_migrate import upgrade
    from sqlalchemy import select

    from hub import create_app, demo
    from hub.accounts import sessions
    from hub.accounts.models import User
    from hub.community.events import demo as events_demo
    from hub.community.events import services
    from hub.community.events.models import Event, Registration
    from hub.core.cli import CONTENT_LOADERS, DemoContext
    from hub.database import utcnow, write_intent
    from hub.extensions import db

    app = create_app()
    with app.app_context():
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
        for loader in CONTENT_LOADERS.values():
            loader(app.config["CONTENT_DIR"], lambda _t: None)
            db.session.commit()
        demo.create_demo(echo=lambda _t: None)
        demo.create_large(orgs=args.orgs, deals=0, users_per_org=args.users_per_org, echo=lambda _t: None)
        started = time.perf_counter()
        now = utcnow()
        with write_intent():
            report = events_demo.large(DemoContext(rng=random.Random(1), today=now.date(), now=now, echo=print,
                                                   options={"events": args.events,
                                                            "event_registrations": args.registrations}))
            db.session.commit()
        print(f"  SEEDING: {report['events']:,} events, {report['registrations']:,} registrations in "
              f"{time.perf_counter() - started:.1f} s")
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()

        user = db.session.scalar(select(User).where(User.email == "admin@volgasoft.demo"))
        # The partner holds seats in many benchmark events, as a busy partner would.
        busy = db.session.scalar(select(Registration.user_id).group_by(Registration.user_id)
                                 .order_by(db.func.count().desc()).limit(1))
        busy_user = db.session.get(User, busy)
        token = services.feed_token(busy_user)
        event = db.session.scalar(select(Event).where(Event.slug.like("bench-%")).order_by(Event.id.desc()).limit(1))
        month = event.starts_at.strftime("%Y-%m")
        pages = {
            "list (coming)": "/events/",
            "list (past, page 3)": "/events/?when=past&page=3",
            "month view": f"/events/month?month={month}",
            "event page": f"/events/{event.slug}",
            f"feed ({len(services.feed_registrations(busy_user))} events)": f"/events/feed/{token}.ics",
        }
        key = sessions.open_session(user, remember=False)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = key
            session["_fresh"] = True
        for name, path in pages.items():
            for _ in range(5):
                assert client.get(path).status_code == 200, path
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            print(f"  {name:28} p50 {statistics.median(times):6.1f} ms   p95 {p95(times):6.1f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
