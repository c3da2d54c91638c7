"""The KPIs' demo data. The listeners already counted what the other demo steps emitted (wins, NPS
answers, attendances, ...); the deals demo writes its registrations without a deal_submitted event,
so this step records them from the deals feature's facts (idempotent: the facts' unique keys), and the
large demo does the same for the benchmark's 200,000 deals."""
from __future__ import annotations

from sqlalchemy import func, select

from ... import facts
from ...core.cli import DemoContext, demo_step
from ...extensions import db
from . import listeners
from .models import KpiFact


def backfill() -> dict[str, int]:
    before = db.session.scalar(select(func.count()).select_from(KpiFact)) or 0
    for deal in facts.get("deal_registrations", default=[]):
        listeners.deal_registered(deal["id"], deal["organisation_id"], deal["amount_kopecks"], deal["submitted_at"])
    for deal in facts.get("won_deals", default=[]):
        listeners.deal_won(deal["id"], deal["organisation_id"], deal["amount_kopecks"], deal["closed_on"],
                           _noon(deal["closed_on"]))
    after = db.session.scalar(select(func.count()).select_from(KpiFact)) or 0
    return {"kpi facts": after - before} if after > before else {}


def _noon(day):
    from datetime import datetime, time, timezone
    return datetime.combine(day, time(12), timezone.utc)


@demo_step("insights-kpis", order=95)
def demo(ctx: DemoContext) -> dict | None:
    return backfill() or None


@demo_step("insights-kpis", order=95, large=True)
def demo_large(ctx: DemoContext) -> dict | None:
    return backfill() or None
