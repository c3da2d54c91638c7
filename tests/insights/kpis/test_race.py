"""Two deliveries of one event at the same moment (a replay beside the worker) write one fact, and the
partner's first deal stays the earliest: INSERT ... ON CONFLICT on the unique keys, on SQLite and
PostgreSQL alike."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from hub import signals
from hub.database import write_intent
from hub.domain_events.outbox import Event
from hub.extensions import db
from hub.insights.kpis import listeners
from hub.insights.kpis.models import KpiFact, KpiPartner
from tests import factories

from .conftest import at


def deliver_together(app, events: list[Event]) -> None:
    db.session.remove()
    barrier = threading.Barrier(len(events))
    errors: list[BaseException] = []

    def run(event):
        try:
            with app.app_context():
                barrier.wait(timeout=60)
                with write_intent():
                    listeners.on_event(event)
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in events]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors


def registration(org_id: int, deal_id: int, day) -> Event:
    return Event(id=deal_id, type=signals.deal_submitted, occurred_at=day, payload=dict(
        deal_id=deal_id, organisation_id=org_id, created_by_id=None, product="crm", region="moscow",
        amount_kopecks=100_000_00, submitted_at=day, conflict_with_id=None, actor_id=None))


def test_one_event_delivered_twice_at_once_counts_once(app):
    org = factories.create_org("Racer")
    org_id = org.id
    deliver_together(app, [registration(org_id, 42, at(2026, 9, 2)), registration(org_id, 42, at(2026, 9, 2)),
                           registration(org_id, 43, at(2026, 9, 1))])
    assert db.session.scalar(select(func.count()).select_from(KpiFact)) == 2
    assert db.session.get(KpiPartner, org_id).first_deal_at == at(2026, 9, 1)
