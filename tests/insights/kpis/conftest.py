"""The hand-built data set of the KPI tests, fed to the read model the way the events do."""
from __future__ import annotations

from datetime import date, datetime, timezone
from itertools import count
from types import SimpleNamespace

import pytest

from hub import signals
from hub.domain_events.outbox import Event
from hub.extensions import db
from hub.insights.kpis import listeners
from tests import factories
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)

_ids = count(1000)
RUB = 100
Q3 = date(2026, 7, 1)
NOW = date(2026, 10, 15)  # the quarter 2026-Q3 has ended


def at(y, m, d, h=12) -> datetime:
    return datetime(y, m, d, h, tzinfo=timezone.utc)


def feed(event_type, occurred_at: datetime, event_id: int | None = None, **payload) -> Event:
    """Deliver one event to the KPIs' listener, as the outbox would, and commit."""
    event = Event(id=event_id or next(_ids), type=event_type, occurred_at=occurred_at, payload=payload)
    listeners.on_event(event)
    db.session.commit()
    return event


def submitted(org, day: datetime, amount=1_000_000 * RUB, deal_id=None):
    deal_id = deal_id or next(_ids)
    feed(signals.deal_submitted, day, deal_id=deal_id, organisation_id=org.id, created_by_id=None, product="crm",
         region="moscow", amount_kopecks=amount, submitted_at=day, conflict_with_id=None, actor_id=None)
    return deal_id


def won(org, day: datetime, amount, deal_id=None):
    deal_id = deal_id or next(_ids)
    feed(signals.deal_won, day, deal_id=deal_id, organisation_id=org.id, created_by_id=None, product="crm",
         amount_kopecks=amount, closed_on=day.date(), actor_id=None)
    return deal_id


def answered(org, day, score):
    feed(signals.nps_answered, day, response_id=next(_ids), survey_kind="relationship", organisation_id=org.id,
         user_id=1, score=score, answered_at=day)


@pytest.fixture
def data(app):
    return build()


def build() -> SimpleNamespace:
    """Six partners beside the world's two, in each relationship type, with deals, answers, MDF and
    attendance in 2026-Q3."""
    w = factories.world()
    mk = factories.create_org
    d = SimpleNamespace(world=w)
    w.org_a.created_at = w.org_b.created_at = datetime(2020, 1, 1, tzinfo=timezone.utc)
    w.org_a.segment = w.org_b.segment = "sales"  # no deals: partners of the sales column, nothing else
    w.org_a.tier = w.org_b.tier = "silver"
    d.r1 = mk("Referral One", segment="referral", tier="bronze", created_at=at(2026, 6, 1))
    d.r2 = mk("Referral Two", segment="referral", tier="bronze", created_at=at(2026, 7, 10))
    d.s1 = mk("Sales Gold", segment="sales", tier="gold", partner_type="distributor", created_at=at(2026, 1, 1))
    d.s2 = mk("Sales Bronze", segment="sales", tier="bronze", partner_type="distributor", created_at=at(2026, 1, 1))
    d.s3 = mk("Sales Platinum", segment="sales", tier="platinum", partner_type="distributor",
              created_at=at(2025, 1, 1))
    d.t1 = mk("Strategic One", segment="strategic", tier="silver", created_at=at(2026, 1, 1))
    db.session.commit()

    submitted(d.r1, at(2026, 7, 20))
    won(d.r1, at(2026, 8, 1), 1_000_000 * RUB)
    submitted(d.r2, at(2026, 9, 29))
    submitted(d.s1, at(2026, 2, 1))
    won(d.s1, at(2026, 5, 10), 2_000_000 * RUB)          # the previous quarter
    won(d.s1, at(2026, 7, 15), 5_000_000 * RUB)          # large (threshold 3 000 000)
    won(d.s3, at(2026, 6, 1), 1_000_000 * RUB)           # previous quarter only: not retained
    submitted(d.s2, at(2026, 8, 10))
    won(d.s2, at(2026, 9, 1), 1_000_000 * RUB)
    answered(d.s1, at(2026, 8, 2), 10)
    answered(d.s2, at(2026, 8, 3), 5)
    answered(d.r1, at(2026, 8, 4), 9)
    feed(signals.mdf_request_decided, at(2026, 7, 5), request_id=next(_ids), organisation_id=d.s1.id,
         decision="approved", approved_kopecks=200_000 * RUB, decided_at=at(2026, 7, 5), actor_id=None)
    feed(signals.mdf_paid, at(2026, 9, 5), request_id=1, claim_id=next(_ids), organisation_id=d.s1.id,
         amount_kopecks=100_000 * RUB, paid_at=at(2026, 9, 5), actor_id=None)
    for _ in range(2):
        feed(signals.event_attended, at(2026, 9, 10), registration_id=next(_ids), event_id=1, user_id=1,
             organisation_id=d.t1.id, attended_at=at(2026, 9, 10))
    return d
