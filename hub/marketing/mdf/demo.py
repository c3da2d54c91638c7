"""The MDF demo data: this quarter's allocation for the demo partners, a few requests in each
state (submitted, awaiting a second approver, changes asked, approved, partially approved, declined),
and past activities with a claim in each state (filed, approved, paid, more proof, rejected) and one
released unclaimed, with the deals they brought (for the ROI page)."""
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


# --- claims, payment and ROI --------------------------------------------------------------------------
# Past activities of two partners, one in each state of the claim: filed, approved (payment due), paid
# (with deals linked, for ROI), more proof asked, rejected (may be claimed again), and one released
# unclaimed after its deadline. Deals come from the deals feature through the `won_deals` fact.

CLAIM_PLAN = [  # (title, days since the activity ended, claim status or None, actual cost share of planned)
    ("Партнёрский день", 20, "paid", 1.0), ("Выставка ИТ-решений", 12, "approved", 0.9),
    ("Вебинар для ритейла", 6, "submitted", 1.0), ("Рассылка по базе", 9, "more_info", 0.8),
    ("Семинар в Казани", 15, "rejected", 1.0), ("Кампания в соцсетях", 75, None, 1.0),
]
_DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _demo_deals(org_ids: set[int], now) -> dict[int, list]:
    from ... import facts
    from .models import MdfDeal
    by_org: dict[int, list] = {}
    for deal in facts.get("won_deals", default=[]) or []:
        if deal["organisation_id"] not in org_ids:
            continue
        row = db.session.get(MdfDeal, deal["id"])
        if row is None:
            row = MdfDeal(deal_id=deal["id"], organisation_id=deal["organisation_id"],
                          product=str(deal["product"])[:200], amount_kopecks=deal["amount_kopecks"],
                          won_kopecks=deal["amount_kopecks"], submitted_at=now - timedelta(days=15))
            db.session.add(row)
        by_org.setdefault(row.organisation_id, []).append(row)
    db.session.flush()
    return by_org


@demo_step("marketing-mdf-claims", order=81)
def demo_claims(ctx: DemoContext) -> dict | None:
    from io import BytesIO

    from ... import files
    from . import claims
    from .models import (CLOSED, PAID, PAYABLE, RELEASE, RELEASED, MdfClaim, MdfEvidence, MdfProof)
    if db.session.scalar(select(func.count()).select_from(MdfClaim)):
        return None
    manager = db.session.scalar(select(User).where(User.role.in_(VENDOR_ROLES)).order_by(User.id))
    orgs = list(db.session.scalars(select(Organisation).where(
        Organisation.kind == PARTNER, Organisation.tier.in_(("silver", "gold", "platinum"))).order_by(Organisation.id)))[:2]
    proof = files.save(BytesIO(_DEMO_PDF), "invoice.pdf", claims.PROOFS)
    deals = _demo_deals({o.id for o in orgs}, ctx.now)
    made = 0
    for org in orgs:
        person = db.session.scalar(select(User).where(User.organisation_id == org.id,
                                                      User.role.in_(PARTNER_ROLES)).order_by(User.id))
        if person is None:
            continue
        allocation = services.rules().allocation_kopecks(org.tier)
        for n, (title, ago, state, part) in enumerate(CLAIM_PLAN):
            end = ctx.today - timedelta(days=ago)
            start = end - timedelta(days=1)
            quarter = services.quarter_of(start)
            services.ensure_credit(org, quarter)
            amount = max(100_00, allocation // 20 // 100 * 100)
            if services.balance(org.id, quarter).available < amount:
                continue
            approved_at = ctx.now - timedelta(days=ago + 20)
            row = MdfRequest(organisation_id=org.id, user_id=person.id, quarter=quarter, activity="event",
                             title=title, starts_on=start, ends_on=end, planned_cost_kopecks=amount * 2,
                             share_percent=50, requested_kopecks=amount, expected_leads=20,
                             expected_pipeline_kopecks=amount * 20, status=APPROVED, approved_kopecks=amount,
                             submitted_at=approved_at - timedelta(days=3), approved_at=approved_at,
                             decided_at=approved_at, approver_id=getattr(manager, "id", None))
            db.session.add(row)
            db.session.flush()
            services._add_entry(org.id, quarter, COMMIT, amount, f"commit:{row.id}", request_id=row.id,
                                actor=manager, reason="approved")
            made += 1
            if state is None:  # never claimed: released when the deadline passed
                services._add_entry(org.id, quarter, RELEASE, amount, f"release:{row.id}", request_id=row.id,
                                    reason="claim deadline passed")
                row.status = RELEASED
                continue
            cost = int(amount * 2 * part)
            claimed_at = ctx.now - timedelta(days=max(ago - 2, 1))
            claim = MdfClaim(request_id=row.id, organisation_id=org.id, user_id=person.id,
                             actual_cost_kopecks=cost, claimed_kopecks=min(amount, cost // 2),
                             note="Отчёт, фото и закрывающие документы", status=state, submitted_at=claimed_at)
            db.session.add(claim)
            db.session.flush()
            db.session.add(MdfProof(claim_id=claim.id, kind="invoice", name="invoice.pdf", sha256=proof.sha256,
                                    size=proof.size, content_type=proof.content_type, created_at=claimed_at))
            if state in ("more_info", "rejected"):
                claim.decision_reason = "Приложите акт и фото" if state == "more_info" else "Нет закрывающих документов"
                claim.decider_id, claim.decided_at = getattr(manager, "id", None), claimed_at + timedelta(days=1)
            if state in ("approved", "paid"):
                payable = claims.payable_of(claim, row)
                claim.payable_kopecks, claim.decider_id = payable, getattr(manager, "id", None)
                claim.decided_at = claimed_at + timedelta(days=1)
                claim.due_on = claim.decided_at.date() + timedelta(days=int(services.rules().payment_days))
                services._add_entry(org.id, quarter, PAYABLE, payable, f"payable:{row.id}", request_id=row.id,
                                    actor=manager, reason="claim approved")
            if state == "paid":
                claim.paid_on, claim.payment_reference = (claim.decided_at + timedelta(days=5)).date(), "ПП-1042"
                claim.paid_at, claim.payer_id = claim.decided_at + timedelta(days=5), getattr(manager, "id", None)
                services._add_entry(org.id, quarter, PAID, claim.payable_kopecks, f"paid:{row.id}",
                                    request_id=row.id, actor=manager, reason="claim paid")
                if amount > claim.payable_kopecks:
                    services._add_entry(org.id, quarter, RELEASE, amount - claim.payable_kopecks,
                                        f"release:{row.id}", request_id=row.id, reason="request closed")
                row.status = CLOSED
            if state in ("paid", "approved"):  # the deals these activities brought: pipeline and won revenue
                for deal in deals.get(org.id, [])[(n * 3):(n * 3) + 3]:
                    deal.request_id = row.id
                    db.session.add(MdfEvidence(claim_id=claim.id, kind="deal", ref_id=deal.deal_id,
                                               amount_kopecks=deal.amount_kopecks,
                                               label=f"#{deal.deal_id} {deal.product}"[:300]))
    return {"requests": made}
