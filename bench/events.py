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
import time

from . import build_program, client_as, fresh_data_dir, print_times, time_get


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
    with fresh_data_dir("hub-bench-events-"):
        _run(args)
    return 0


def _run(args) -> None:
    import random

    from sqlalchemy import select

    from hub.accounts.models import User
    from hub.community.events import demo as events_demo
    from hub.community.events import services
    from hub.community.events.models import Event, Registration
    from hub.core.cli import DemoContext
    from hub.database import utcnow, write_intent
    from hub.extensions import db

    app = build_program(args.orgs, args.users_per_org)
    with app.app_context():
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
    client = client_as(app, "admin@volgasoft.demo")
    for name, path in pages.items():
        print_times(name, time_get(client, path, args.requests, warm=5))


if __name__ == "__main__":
    raise SystemExit(main())
