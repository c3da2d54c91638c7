"""The funnel's demo: the demo steps before it wrote their rows without the events the funnel listens to
(the demo organisations and applications are history, not news), so this step records each stage from
that history through the same idempotent service calls the listener makes. Deal dates come from the
deals' facts, applications from recruitment's public side."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ... import facts
from ...accounts.models import PARTNER, Organisation
from ...core.cli import DemoContext, bulk_insert, demo_step
from ...extensions import db
from ...recruitment import public as recruitment
from . import services
from .models import FunnelApplication, FunnelOrganisation, FunnelWin


def build_from_history() -> dict[str, int]:
    """Record every partner's and application's stages from what is stored now (idempotent)."""
    orgs = list(db.session.execute(select(Organisation.id, Organisation.created_at).where(Organisation.kind == PARTNER)))
    for org_id, created_at in orgs:
        services.record_signed(org_id, created_at)
    applications = recruitment.application_history()
    for a in applications:
        services.record_application(a["id"], partner_type=a["partner_type"], submitted_at=a["submitted_at"])
        if a["qualified_at"] is not None:
            services.record_decision(a["id"], "qualified", a["qualified_at"], None)
        if a["status"] == "declined":
            services.record_decision(a["id"], "declined", a["decided_at"], None)
        if a["status"] == "approved" and a["organisation_id"] is not None:
            services.record_decision(a["id"], "approved", a["decided_at"], a["organisation_id"])
    first = facts.get("first_deal_at", default={}) or {}
    known = {org_id for org_id, _ in orgs}
    for org_id, at in first.items():
        if org_id in known:
            services.record_first_deal(org_id, at)
    wins = 0
    for deal in facts.get("won_deals", default=[]) or []:
        if deal["organisation_id"] in known and deal.get("closed_on") is not None:
            services.record_win(deal["id"], deal["organisation_id"], deal["closed_on"], deal["amount_kopecks"])
            wins += 1
    return {"organisations": len(orgs), "applications": len(applications), "won deals": wins}


@demo_step("insights.funnel", order=95)
def demo(ctx: DemoContext) -> dict | None:
    if db.session.scalar(select(func.count()).select_from(FunnelOrganisation).where(
            FunnelOrganisation.signed_at.is_not(None))):
        return None
    report = build_from_history()
    # A first deal registered before the organisation was signed is a demo artefact (the demo deals are
    # spread over the last year whatever the partner's age): sign such partners a month before it.
    for row in db.session.scalars(select(FunnelOrganisation).where(FunnelOrganisation.first_deal_at.is_not(None))):
        if row.signed_at is None or row.first_deal_at < row.signed_at:
            row.signed_at = row.first_deal_at - timedelta(days=ctx.rng.randint(10, 50))
    # The demo applications were qualified the moment they were made: a few days of review instead.
    for row in db.session.scalars(select(FunnelApplication).where(FunnelApplication.qualified_at.is_not(None))
                                  .order_by(FunnelApplication.application_id)):
        if row.submitted_at is not None and row.qualified_at - row.submitted_at < timedelta(hours=1):
            row.qualified_at = min(row.submitted_at + timedelta(days=ctx.rng.randint(1, 5), hours=ctx.rng.randint(1, 8)),
                                   row.approved_at or ctx.now)
    return report


@demo_step("insights.funnel", order=95, large=True)
def large(ctx: DemoContext) -> dict:
    """The read model for the organisations and deals `demo large` added (bulk, for the benchmarks): the
    same dates the listener would have recorded, computed from the deals' facts in one pass."""
    have = set(db.session.scalars(select(FunnelOrganisation.organisation_id)))
    orgs = [(org_id, created) for org_id, created in db.session.execute(
        select(Organisation.id, Organisation.created_at).where(Organisation.kind == PARTNER)) if org_id not in have]
    new = {org_id for org_id, _ in orgs}
    first = facts.get("first_deal_at", default={}) or {}
    wins: dict[int, list[tuple]] = {}
    for deal in facts.get("won_deals", default=[]) or []:
        if deal["organisation_id"] in new and deal.get("closed_on") is not None:
            wins.setdefault(deal["organisation_id"], []).append((deal["closed_on"], int(deal["amount_kopecks"]), deal["id"]))
    current = services.rules()
    org_rows, win_rows = [], []
    for org_id, created in orgs:
        own = sorted(wins.get(org_id, []))
        first_deal = first.get(org_id)
        signed = created if first_deal is None or created <= first_deal else first_deal - timedelta(days=30)
        day = services.expanding_on([(d, a) for d, a, _ in own], current.expanding_won_deals,
                                    current.expanding_revenue_kopecks, current.expanding_window_days)
        org_rows.append({"organisation_id": org_id, "signed_at": signed, "first_deal_at": first_deal,
                         "first_won_at": services.noon(own[0][0]) if own else None,
                         "expanding_at": services.noon(day) if day else None, "won_deals": len(own),
                         "updated_at": ctx.now})
        win_rows.extend({"deal_id": deal_id, "organisation_id": org_id, "closed_on": d, "amount_kopecks": a}
                        for d, a, deal_id in own)
    batch = int(ctx.options.get("batch", 5000))
    made = bulk_insert(FunnelOrganisation, org_rows, batch, "funnel organisations")
    won = bulk_insert(FunnelWin, win_rows, batch, "funnel wins")
    return {"funnel organisations": made, "funnel wins": won}
