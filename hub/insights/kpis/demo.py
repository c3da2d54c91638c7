"""The KPIs' demo data. The listeners already counted what the other demo steps emitted (wins, NPS
answers, attendances, ...); the deals demo writes its registrations without a deal_submitted event,
so this step records them from the deals feature's facts, and the large demo does the same for the
benchmark's 200,000 deals. Idempotent like the listeners: INSERT ... ON CONFLICT DO NOTHING on the
facts' unique keys, in batches."""
from __future__ import annotations

from datetime import datetime, time, timezone

from sqlalchemy import func, select

from ... import facts
from ...core.cli import DemoContext, demo_step
from ...database import utcnow
from ...extensions import db
from ...upsert import dialect_insert
from .listeners import note_partner, program_day
from .models import SUBMITTED, WON, KpiFact

BATCH = 5000


def _insert(rows: list[dict]) -> None:
    for i in range(0, len(rows), BATCH):
        db.session.execute(dialect_insert(KpiFact).on_conflict_do_nothing(index_elements=["kind", "source_id"]),
                           rows[i:i + BATCH])


def backfill() -> dict[str, int]:
    before = db.session.scalar(select(func.count()).select_from(KpiFact)) or 0
    now = utcnow()
    rows, first = [], {}
    for deal in facts.get("deal_registrations", default=[]):
        day = program_day(deal["submitted_at"])
        rows.append(dict(kind=SUBMITTED, source_id=deal["id"], organisation_id=deal["organisation_id"], day=day,
                         month=day.strftime("%Y-%m"), amount_kopecks=deal["amount_kopecks"], score=None,
                         occurred_at=deal["submitted_at"], recorded_at=now, event_id=None))
        org = deal["organisation_id"]
        if org not in first or deal["submitted_at"] < first[org]:
            first[org] = deal["submitted_at"]
    for deal in facts.get("won_deals", default=[]):
        day = deal["closed_on"]
        rows.append(dict(kind=WON, source_id=deal["id"], organisation_id=deal["organisation_id"], day=day,
                         month=day.strftime("%Y-%m"), amount_kopecks=deal["amount_kopecks"], score=None,
                         occurred_at=datetime.combine(day, time(12), timezone.utc), recorded_at=now, event_id=None))
    _insert(rows)
    for org, moment in first.items():
        note_partner(org, first_deal_at=moment)
    after = db.session.scalar(select(func.count()).select_from(KpiFact)) or 0
    return {"kpi facts": after - before} if after > before else {}


@demo_step("insights-kpis", order=95)
def demo(ctx: DemoContext) -> dict | None:
    return backfill() or None


@demo_step("insights-kpis", order=95, large=True)
def demo_large(ctx: DemoContext) -> dict | None:
    return backfill() or None
