"""R5 under a race: concurrent deal-won deliveries of one organisation's deals (threads, each its
own session and transaction, through the outbox) give exactly one plan-bonus line, priced on the
quarter's whole revenue; on SQLite and PostgreSQL alike."""
import threading
from datetime import date

from hub.rewards.services import program_date
from decimal import Decimal

from sqlalchemy import select

from hub.extensions import db
from hub.rewards import terms
from hub.rewards.models import RULE_COMMISSION, RULE_PLAN, CommissionLine
from tests.race import login_key, post_together, statuses

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


def _post_at_once(app, users, path, data):
    """Each user posts `data` to `path` at the same moment (its own client, session, transaction)."""
    keys = [login_key(user_id) for user_id in users]
    db.session.commit()
    return statuses(post_together(app, [(key, path, data) for key in keys]))


def test_racing_grants_of_overlapping_rates_save_one(app, world):
    from datetime import timedelta

    from hub.rewards.models import Term
    from tests.helpers import url
    from hub.rewards.services import program_date
    today = program_date()  # the program's day (Moscow), not the machine's: they differ near midnight
    data = {"rate-product": "crm", "rate-percent": "21", "rate-valid_from": today.isoformat(),
            "rate-valid_to": (today + timedelta(days=60)).isoformat(), "rate-reason": "Race"}
    codes = _post_at_once(app, [world.manager.id, world.admin.id] * 2,
                          url("rewards.grant_rate", org_id=world.org_a.id), data)
    assert codes == [303, 422, 422, 422]
    assert len(list(db.session.scalars(select(Term)))) == 1


def test_racing_second_approvals_approve_once(app, world):
    from hub.accounts.models import MANAGER
    from hub.core.models import AuditEntry
    from hub.rewards.models import TERM_ACTIVE, Term
    from tests import factories
    from tests.helpers import url
    other = factories.create_user(world.vendor, MANAGER, "manager2@example.test", name="Mikhail Manager")
    term = terms.grant_rate(world.org_a.id, "crm", Decimal(40), program_date(), program_date(), "Big",
                            world.manager)
    db.session.commit()
    term_id = term.id
    codes = _post_at_once(app, [world.admin.id, other.id, world.admin.id, other.id],
                          url("rewards.approve_term", org_id=world.org_a.id, term_id=term_id), {})
    assert codes == [303, 409, 409, 409]
    assert db.session.get(Term, term_id).status == TERM_ACTIVE
    approvals = list(db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "reward_term",
                                                                 AuditEntry.action == "approved")))
    assert len(approvals) == 1
