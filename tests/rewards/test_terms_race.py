"""R5 under a race: concurrent deal-won deliveries of one organisation's deals (threads, each its
own session and transaction, through the outbox) give exactly one plan-bonus line, priced on the
quarter's whole revenue; on SQLite and PostgreSQL alike."""
import threading
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from hub.extensions import db
from hub.rewards import terms
from hub.rewards.models import RULE_COMMISSION, RULE_PLAN, CommissionLine

from .conftest import NOW, deal_ns, won

N = 4


def _race(app, deals):
    barrier = threading.Barrier(len(deals))
    errors = []

    def worker(deal):
        with app.app_context():
            try:
                barrier.wait(timeout=60)
                won(deal)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(deal,)) for deal in deals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert errors == []
    db.session.rollback()  # a fresh snapshot


def _lines(org_id, rule):
    return list(db.session.scalars(select(CommissionLine).where(CommissionLine.organisation_id == org_id,
                                                                CommissionLine.rule == rule)))


def test_concurrent_wins_reach_the_plan_once_on_the_whole_revenue(app, world):
    plan = terms.grant_plan(world.org_a.id, 1_000_000_00, None, Decimal(1), date(2026, 4, 1), date(2026, 6, 30),
                            "Race plan", world.manager, now=NOW)
    rate = terms.grant_rate(world.org_a.id, "crm", Decimal("18.5"), date(2026, 4, 1), date(2026, 6, 30),
                            "Race rate", world.manager, now=NOW)
    db.session.commit()
    plan_id, rate_id, org_id = plan.id, rate.id, world.org_a.id
    # No single deal reaches the target: only the last delivery to commit sees 1 200 000 RUB.
    deals = [deal_ns(world.org_a, world.a_member, amount=300_000_00, closed_on=date(2026, 4, 10 + n))
             for n in range(N)]
    _race(app, deals)
    [bonus] = _lines(org_id, RULE_PLAN)
    assert (bonus.term_id, bonus.period, bonus.base_kopecks, bonus.amount_kopecks) == \
        (plan_id, "2026-Q2", 1_200_000_00, 12_000_00)
    commissions = _lines(org_id, RULE_COMMISSION)
    assert sorted((l.term_id, l.amount_kopecks) for l in commissions) == [(rate_id, 55_500_00)] * N


def test_concurrent_wins_each_over_the_target_write_one_bonus(app, world):
    plan = terms.grant_plan(world.org_a.id, 100_000_00, 25_000_00, None, date(2026, 4, 1), date(2026, 6, 30),
                            "Race plan", world.manager, now=NOW)
    db.session.commit()
    plan_id, org_id = plan.id, world.org_a.id
    _race(app, [deal_ns(world.org_a, world.a_member, amount=500_000_00) for _ in range(N)])
    [bonus] = _lines(org_id, RULE_PLAN)
    assert (bonus.term_id, bonus.amount_kopecks, bonus.base_kopecks) == (plan_id, 25_000_00, N * 500_000_00)
