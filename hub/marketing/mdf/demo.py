"""The MDF demo data: this quarter's allocation for the demo partners, and a few requests in each
state (submitted, awaiting a second approver, changes asked, approved, partially approved, declined)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ...accounts.models import PARTNER, PARTNER_ROLES, VENDOR_ROLES, Organisation, User
from ...core.cli import DemoContext, demo_step
from ...extensions import db
from . import services
from .models import APPROVED, AWAITING_SECOND, CHANGES, COMMIT, DECLINED, SUBMITTED, MdfRequest

PLAN = [("webinar", "Вебинар о новом релизе", SUBMITTED, 1.0), ("campaign", "E-mail кампания", APPROVED, 1.0),
        ("trade_show", "Стенд на выставке", AWAITING_SECOND, 1.0), ("event", "Семинар для клиентов", CHANGES, 1.0),
        ("content", "Кейс клиента", APPROVED, 0.5), ("event", "Конференция", DECLINED, 1.0)]


@demo_step("marketing-mdf", order=80)
def demo(ctx: DemoContext) -> dict | None:
    if db.session.scalar(select(func.count()).select_from(MdfRequest)):
        return None
    manager = db.session.scalar(select(User).where(User.role.in_(VENDOR_ROLES)).order_by(User.id))
    orgs = list(db.session.scalars(select(Organisation).where(
        Organisation.kind == PARTNER, Organisation.tier.in_(("silver", "gold", "platinum"))).order_by(Organisation.id)))
    made = 0
    for org in orgs[:4]:
        person = db.session.scalar(select(User).where(User.organisation_id == org.id,
                                                      User.role.in_(PARTNER_ROLES)).order_by(User.id))
        if person is None:
            continue
        quarter = services.quarter_of(ctx.today)
        services.ensure_credit(org, quarter)
        allocation = services.rules().allocation_kopecks(org.tier)
        for n, (activity, title, status, part) in enumerate(PLAN):
            start = ctx.today + timedelta(days=7 + 3 * n)
            requested = max(100_00, allocation // 10 // 100 * 100)
            row = MdfRequest(organisation_id=org.id, user_id=person.id, quarter=services.quarter_of(start),
                             activity=activity, title=title, starts_on=start, ends_on=start + timedelta(days=1),
                             planned_cost_kopecks=requested * 2, share_percent=50, requested_kopecks=requested,
                             expected_leads=ctx.rng.randint(5, 40), expected_pipeline_kopecks=requested * 10,
                             status=status, submitted_at=ctx.now - timedelta(days=10 - n))
            if status == AWAITING_SECOND:
                row.approved_kopecks, row.first_approver_id = requested, getattr(manager, "id", None)
            if status in (CHANGES, DECLINED):
                row.decision_reason, row.decided_at = "Уточните бюджет", ctx.now - timedelta(days=1)
            db.session.add(row)
            db.session.flush()
            if status == APPROVED:
                amount = int(requested * part) // 100 * 100
                services.ensure_credit(org, row.quarter)
                row.approved_kopecks, row.approved_at, row.decided_at = amount, ctx.now, ctx.now
                row.approver_id = getattr(manager, "id", None)
                services._add_entry(org.id, row.quarter, COMMIT, amount, f"commit:{row.id}", request_id=row.id,
                                    actor=manager, reason="approved")
            made += 1
    return {"requests": made}
