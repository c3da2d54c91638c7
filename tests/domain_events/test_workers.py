"""Several workers at once never process the same delivery (SQLite and PostgreSQL); on PostgreSQL
they claim with FOR UPDATE SKIP LOCKED: a row another worker holds is skipped, not waited for."""
from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import select, text

from hub import signals
from hub.domain_events import outbox
from hub.domain_events.models import DONE, PENDING, EventDelivery
from hub.extensions import db

EVENTS = 30


def pending_deliveries(spy, name: str, count: int, func=None):
    """`count` events stored before listener `name` existed, then replayed for it: pending rows
    that only a worker delivers (the in-process dispatch ran before the listener was there)."""
    for n in range(count):
        signals.library_item_used.emit(item_id=n, item_slug=f"item-{n}", item_kind="case_study", user_id=1,
                                       organisation_id=1, action="view", file_name=None)
    db.session.commit()
    seen = spy(name, signals.library_item_used, func=func)
    assert outbox.replay(name) == count
    return seen


def test_two_workers_in_threads_never_process_the_same_delivery(app, spy, database_url):
    lock = threading.Lock()
    processed: list[tuple[str, int]] = []

    def slow(event):
        with lock:
            processed.append((threading.current_thread().name, event.item_id))
        time.sleep(0.02)  # long enough for the other worker to try the same row
    pending_deliveries(spy, "tests.slow", EVENTS, func=slow)
    db.session.remove()

    barrier = threading.Barrier(2)
    reports, errors = {}, []

    def work(name):
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                reports[name] = outbox.run_due()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,), name=name) for name in ("worker-1", "worker-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []

    items = Counter(item for _, item in processed)
    assert sorted(items) == list(range(EVENTS)) and set(items.values()) == {1}  # each once, none twice
    assert sum(r.delivered for r in reports.values()) == EVENTS
    rows = list(db.session.scalars(select(EventDelivery).where(EventDelivery.listener == "tests.slow")))
    assert {(r.status, r.attempts) for r in rows} == {(DONE, 1)}
    if database_url.startswith("postgresql"):
        # SKIP LOCKED lets both work side by side (on SQLite, BEGIN IMMEDIATE takes turns).
        assert all(r.delivered > 0 for r in reports.values()), reports


def test_a_row_held_by_another_worker_is_skipped_not_waited_for(app, spy, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) are PostgreSQL's; SQLite locks the whole database")
    seen = pending_deliveries(spy, "tests.skip", 3)
    held_id = db.session.scalar(select(EventDelivery.id).where(EventDelivery.listener == "tests.skip")
                                .order_by(EventDelivery.id).limit(1))
    db.session.commit()
    other = db.engine.connect()
    transaction = other.begin()
    try:
        other.execute(text("SELECT id FROM domain_event_delivery WHERE id = :id FOR UPDATE"), {"id": held_id})
        started = time.monotonic()
        report = outbox.run_due()
        assert time.monotonic() - started < 10  # did not wait for the other worker's lock
        assert report.delivered == 2
        assert outbox.deliver(held_id) is None  # the in-process dispatch skips it too
    finally:
        transaction.rollback()
        other.close()
    db.session.expire_all()
    assert db.session.get(EventDelivery, held_id).status == PENDING
    assert outbox.run_due().delivered == 1
    assert sorted(e.item_id for e in seen) == [0, 1, 2]
