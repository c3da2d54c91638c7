"""Rewards in the demo program, in two demo steps: the tier history ("rewards.tiers", before the
deals step emits the demo deals' events, so that each commission line is priced at the tier the
history gives on its won date, as in the live program), and "rewards" after the deals: tick's full
evaluation and older commission lines approved or paid. Idempotent: a second run adds nothing."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..accounts.models import ADMIN, MANAGER, PARTNER, Organisation, User
from ..core.cli import DemoContext, demo_step
from ..core.services import audit
from ..database import utcnow
from ..extensions import db
from ..program import rules as program_rules
from ..program.rules import TIER_ORDER
from .jobs import full_evaluation
from .models import APPROVED, OWED, PAID, CommissionLine, TierChange, TierState
from .tiers import rank


def seed_tier_history(now=None) -> int:
    """How each organisation above Bronze climbed to its demo tier: one promotion every 110 days,
    the last one 70 to 180 days ago, never before the organisation joined. The demo deals won
    before a promotion are then paid at the lower tier. Returns the number of changes added."""
    now = now or utcnow()
    added = 0
    orgs = list(db.session.scalars(select(Organisation).where(Organisation.kind == PARTNER)
                                   .order_by(Organisation.id)))
    known = set(db.session.scalars(select(TierChange.organisation_id).distinct()))
    for i, org in enumerate(orgs):
        if org.id in known or rank(org.tier) == 0:
            continue
        steps = TIER_ORDER[:rank(org.tier) + 1]
        for k, (old, new) in enumerate(zip(steps, steps[1:])):
            when = max(now - timedelta(days=400 - 110 * k - (i % 30)), org.created_at + timedelta(days=30))
            db.session.add(TierChange(organisation_id=org.id, old_tier=old, new_tier=new, reason="promotion",
                                      created_at=when))
            added += 1
        # The demo starts with the tiers as the program assigned them; the engine keeps them
        # (no grace period running) until the figures say otherwise.
        if db.session.get(TierState, org.id) is None:
            db.session.add(TierState(organisation_id=org.id, rule_tier=org.tier, qualified_tier=org.tier))
    db.session.flush()
    return added


@demo_step("rewards.tiers", order=20)
def demo_tier_history(ctx: DemoContext) -> dict[str, int] | None:
    added = seed_tier_history(ctx.now)
    return {"tier changes": added} if added else None


@demo_step("rewards", order=50)
def demo_rewards(ctx: DemoContext) -> dict[str, int] | None:
    """After the deals: the full evaluation (tiers, badges, retro-bonuses) and commission lines
    approved (two in three) and paid (half of those)."""
    if db.session.scalar(select(CommissionLine.id).where(CommissionLine.status != OWED).limit(1)) is not None:
        return None
    now = ctx.now
    counts = {"lines approved": 0, "lines paid": 0}
    manager = db.session.scalar(select(User).where(User.role.in_((MANAGER, ADMIN))).order_by(User.id).limit(1))
    report = full_evaluation(now)
    if manager is not None:
        for line in db.session.scalars(select(CommissionLine).where(CommissionLine.status.in_((OWED, APPROVED)))):
            if line.status == OWED and line.id % 3 != 0:
                line.status, line.approved_at, line.approved_by_id = APPROVED, now, manager.id
                audit("commission_line", line.id, APPROVED, actor=manager, organisation_id=line.organisation_id)
                counts["lines approved"] += 1
            if line.status == APPROVED and line.id % 2 == 0:
                line.status, line.paid_at, line.paid_by_id = PAID, now, manager.id
                audit("commission_line", line.id, PAID, actor=manager, organisation_id=line.organisation_id)
                counts["lines paid"] += 1
    counts.update(report)
    return counts


@demo_step("rewards.terms", order=90)
def demo_terms(ctx: DemoContext) -> dict[str, int] | None:
    """R5 for the Gold demo partner: an individual CRM rate within the threshold (active), a BI rate
    over it waiting for a second manager, and a quarterly plan for this quarter and the next three
    with a fixed bonus. Terms apply to deals won from now on; the demo's older lines keep the tier's
    rate (a term never rewrites a line)."""
    from ..accounts.demo import GOLD_DEMO
    from . import terms
    from .models import Term
    from .services import quarter_bounds, quarter_of
    if db.session.scalar(select(Term.id).limit(1)) is not None:
        return None
    org = db.session.scalar(select(Organisation).where(Organisation.slug == GOLD_DEMO))
    manager = db.session.scalar(select(User).where(User.role == MANAGER).order_by(User.id).limit(1))
    if org is None or manager is None:
        return {}
    first, _last = quarter_bounds(ctx.today.year, quarter_of(ctx.today))
    year_end = quarter_bounds(ctx.today.year + 1, quarter_of(ctx.today))[0] - timedelta(days=1)
    rules = program_rules.current()
    crm = rules.rate("crm", org.tier) + 3 if rules.product("crm") and rules.tier(org.tier) else None
    made = 0
    if crm is not None:
        terms.grant_rate(org.id, "crm", crm, first, year_end, "Ключевой партнёр: стратегическое соглашение на год",
                         manager, now=ctx.now)
        made += 1
    if rules.product("bi") and rules.tier(org.tier):
        terms.grant_rate(org.id, "bi", rules.rate("bi", org.tier) + 10, first, year_end,
                         "Запуск BI-направления: пилот с тремя заказчиками", manager, now=ctx.now)
        made += 1
    terms.grant_plan(org.id, 5_000_000_00, 300_000_00, None, first, year_end,
                     "Квартальный план по соглашению о ключевом партнёрстве", manager, now=ctx.now)
    return {"individual terms": made + 1}
