"""Community Q&A at scale (issue 13 point 7): a thread with 500 replies, the thread list and the
search over threads.

    .venv/bin/python -m bench.qa [--orgs 5000] [--threads 20000] [--replies 500] [--requests 50]

From an empty SQLite database in a fresh temporary data directory: migrate, load content/, create
the demo, `demo large` organisations and people (no deals), then `--threads` threads (each with its
question and two replies, authors spread over the partner people, texts recombined from the demo's
Russian and English threads) and one thread with `--replies` replies, all bulk-inserted, and the
search index rebuilt. It times requests through the Flask test client (routing, login, SQL,
templates; no network) for a Gold partner admin: the thread with 500 replies, the public list, the
search (Russian and English words, one typo) and prints p50 and p95 per page.
"""
from __future__ import annotations

import argparse
import os
import platform
import time

from . import build_program, client_as, fresh_data_dir, print_times, time_get


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.qa", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--users-per-org", type=int, default=4)
    parser.add_argument("--threads", type=int, default=20_000)
    parser.add_argument("--replies", type=int, default=500)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args(argv)
    print(f"Partner Hub Q&A benchmark: {args.threads:,} threads, one with {args.replies} replies, "
          f"{args.orgs:,} organisations; Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    with fresh_data_dir("hub-bench-qa-"):
        app = build_program(args.orgs, args.users_per_org)
        from hub.database import utcnow
        with app.app_context():
            long_id = _seed(args, utcnow())
        client = client_as(app, "admin@volgasoft.demo")
        pages = {
            f"thread, {args.replies} replies": f"/community/t/{long_id}",
            "thread list (public)": "/community/s/public",
            "search: синхронизация": "/community/search?q=синхронизация",
            "search: free CRM": "/community/search?q=free+CRM",
            "search: typo (шаблн)": "/community/search?q=шаблн",
        }
        for name, path in pages.items():
            print_times(name, time_get(client, path, args.requests))
    return 0


def _seed(args, now):
    """Bulk threads and the long thread; returns the long thread's id."""
    from datetime import timedelta

    from sqlalchemy import insert, select

    from hub import search
    from hub.accounts.models import PARTNER_ROLES, User
    from hub.community.qa import demo as qa_demo
    from hub.community.qa import search_index
    from hub.community.qa.models import QaPost, QaThread
    from hub.community.qa.services import SPACE_OF
    from hub.content import render_markdown
    from hub.extensions import db

    people = list(db.session.execute(select(User.id, User.organisation_id).where(User.role.in_(PARTNER_ROLES))
                                     .order_by(User.id)).all())
    texts = [(category, title, question, [r for _, r in replies]) for category, title, question, replies, *_ in
             qa_demo.THREADS]
    rendered: dict[str, str] = {}

    def html(body: str) -> str:
        if body not in rendered:
            rendered[body] = render_markdown(body)
        return rendered[body]

    started = time.perf_counter()
    batch = 2000
    for start in range(0, args.threads, batch):
        rows = []
        for n in range(start, min(args.threads, start + batch)):
            category, title, _, _ = texts[n % len(texts)]
            user_id, org_id = people[(n * 7919) % len(people)]
            at = now - timedelta(minutes=n)
            rows.append(dict(space=SPACE_OF[category], category=category, title=f"{title} ({n})", user_id=user_id,
                             organisation_id=org_id, reply_count=2, created_at=at, last_post_at=at))
        ids = db.session.scalars(insert(QaThread).returning(QaThread.id, sort_by_parameter_order=True), rows).all()
        posts = []
        for n, thread_id in zip(range(start, start + batch), ids):
            _, _, question, replies = texts[n % len(texts)]
            for k, body in enumerate([question, *(replies * 2)[:2]]):
                user_id, org_id = people[(n * 7919 + k * 31) % len(people)]
                posts.append(dict(thread_id=thread_id, user_id=user_id, organisation_id=org_id, is_question=k == 0,
                                  body=body, body_html=html(body), created_at=now - timedelta(minutes=n - k)))
        db.session.execute(insert(QaPost), posts)
    category, title, question, replies = texts[0]
    long_id = db.session.scalar(insert(QaThread).returning(QaThread.id), [dict(
        space=SPACE_OF[category], category=category, title="Большая ветка: " + title, user_id=people[0][0],
        organisation_id=people[0][1], reply_count=args.replies, created_at=now - timedelta(days=30),
        last_post_at=now)])
    posts = [dict(thread_id=long_id, user_id=people[0][0], organisation_id=people[0][1], is_question=True,
                  body=question, body_html=html(question), created_at=now - timedelta(days=30))]
    for k in range(args.replies):
        user_id, org_id = people[(k * 104729) % len(people)]
        body = replies[k % len(replies)]
        posts.append(dict(thread_id=long_id, user_id=user_id, organisation_id=org_id, is_question=False,
                          body=body, body_html=html(body), votes=k % 7,
                          created_at=now - timedelta(days=30) + timedelta(minutes=k)))
    db.session.execute(insert(QaPost), posts)
    db.session.commit()
    print(f"  SEEDING: {args.threads:,} threads and one of {args.replies} replies in "
          f"{time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    count = search.rebuild(search_index.NAME)
    print(f"  INDEX: {count:,} threads in {time.perf_counter() - started:.1f} s "
          f"({count / (time.perf_counter() - started):,.0f} docs/s)")
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()
    return long_id


if __name__ == "__main__":
    raise SystemExit(main())
