"""D5: commission arithmetic, SPIFF once, retro-bonus steps and quarters in program time."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.rewards import commissions
from hub.rewards.models import APPROVED, OWED, PAID, CommissionLine

from .conftest import win


def lines(org_id=None):
    query = select(CommissionLine).order_by(CommissionLine.id)
    if org_id:
        query = query.where(CommissionLine.organisation_id == org_id)
    return list(db.session.scalars(query))


@pytest.mark.parametrize("base, percent, expected", [
    (100_000_00, Decimal(20), 20_000_00),
    (1, Decimal(50), 1),          # 0.5 kopeck goes up
    (3, Decimal(50), 2),          # 1.5 -> 2
    (1, Decimal(49), 0),          # 0.49 -> 0
    (123_456_78, Decimal(27), 3_333_333),  # 3 333 333.06 -> 3 333 333
    (999_999_99, Decimal("2.5"), 2_500_000),  # 2 499 999.975 -> 2 500 000
    (1_000_001, Decimal("0.05"), 500),  # 500.0005 -> 500
])
def test_percent_of_is_exact_half_up(base, percent, expected):
    assert commissions.percent_of(base, percent) == expected


def test_won_deal_creates_commission_at_tier_rate_and_spiff_once(world):
    world.org_a.tier = "gold"
    db.session.commit()
    first = win(world.org_a, world.a_member, product="bi", amount=123_456_78)
    win(world.org_a, world.a_member, product="crm", amount=100_000_00)
    win(world.org_a, world.a_member, product="crm", amount=100_000_00, deal_id=first.id)  # replay
    got = [(l.rule, l.deal_id is not None, l.tier, l.product, l.percent, l.amount_kopecks, l.status)
           for l in lines(world.org_a.id)]
    assert got == [
        ("commission", True, "gold", "bi", Decimal(27), 3_333_333, OWED),
        ("spiff", True, "gold", "bi", None, 50_000_00, OWED),
        ("commission", True, "gold", "crm", Decimal(32), 32_000_00, OWED),
    ]
    assert lines(world.org_a.id)[1].deal_id == first.id


def test_retro_bonus_highest_step_for_closed_quarters_only(world):
    # Q1 2026: 16 M roubles -> 4 %; org B: 6 M -> 2 %; Q2 is still open on 15 April.
    win(world.org_a, product="crm", amount=10_000_000_00, closed_on=date(2026, 1, 20))
    win(world.org_a, product="crm", amount=6_000_000_00, closed_on=date(2026, 3, 31))
    win(world.org_b, product="crm", amount=6_000_000_00, closed_on=date(2026, 2, 1))
    win(world.org_b, product="crm", amount=50_000_000_00, closed_on=date(2026, 4, 1))
    now = datetime(2026, 4, 15, 9, 0, tzinfo=timezone.utc)
    assert commissions.compute_retro_bonuses(now) == 2
    assert commissions.compute_retro_bonuses(now) == 0  # idempotent
    db.session.commit()
    retro = {(l.organisation_id, l.period): (l.base_kopecks, l.percent, l.amount_kopecks)
             for l in lines() if l.rule == "retro"}
    assert retro == {(world.org_a.id, "2026-Q1"): (16_000_000_00, Decimal(4), 640_000_00),
                     (world.org_b.id, "2026-Q1"): (6_000_000_00, Decimal(2), 120_000_00)}


def test_quarter_is_closed_only_after_midnight_in_moscow(world):
    win(world.org_a, product="crm", amount=6_000_000_00, closed_on=date(2026, 3, 31))
    # 20:59 UTC on 31 March is 23:59 in Moscow: Q1 is not over yet.
    assert commissions.compute_retro_bonuses(datetime(2026, 3, 31, 20, 59, tzinfo=timezone.utc)) == 0
    # 21:00 UTC is midnight in Moscow: Q1 closed.
    assert commissions.compute_retro_bonuses(datetime(2026, 3, 31, 21, 0, tzinfo=timezone.utc)) == 1


def test_workflow_owed_approved_paid_with_audit(world):
    from hub.core.services import history
    win(world.org_a, world.a_member)
    line = lines(world.org_a.id)[0]
    with pytest.raises(commissions.CommissionError):
        commissions.set_status([line.id], PAID, world.manager, world.org_a.id)  # not approved yet
    with pytest.raises(commissions.CommissionError):
        commissions.set_status([line.id], APPROVED, world.a_admin, world.org_a.id)  # a partner
    with pytest.raises(commissions.CommissionError):
        commissions.set_status([line.id], APPROVED, world.manager, world.org_b.id)  # wrong org
    commissions.set_status([line.id], APPROVED, world.manager, world.org_a.id)
    commissions.set_status([line.id], PAID, world.manager, world.org_a.id)
    db.session.commit()
    db.session.refresh(line)
    assert (line.status, line.approved_by_id, line.paid_by_id) == (PAID, world.manager.id, world.manager.id)
    assert [e.action for e in history("commission_line", line.id)] == [APPROVED, PAID]
    assert commissions.totals_for(world.org_a.id)[PAID] == line.amount_kopecks
