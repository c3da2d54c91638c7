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


# --- honest commissions: the tier held on the won date, lines never rewritten, repair ----------

def _promote(org, old, new, at, reason="promotion"):
    from hub.rewards.models import TierChange
    org.tier = new
    db.session.add(TierChange(organisation_id=org.id, old_tier=old, new_tier=new, reason=reason, created_at=at))
    db.session.commit()


def _moscow(day, hour=12):
    from datetime import time
    from zoneinfo import ZoneInfo
    return datetime.combine(day, time(hour), ZoneInfo("Europe/Moscow")).astimezone(timezone.utc)


def test_a_line_is_priced_at_the_tier_held_on_the_won_date(world):
    # Silver since October, Gold from 10 February (12:00 Moscow): the FAQ's promise.
    world.org_a.tier = "bronze"
    db.session.commit()
    _promote(world.org_a, "bronze", "silver", _moscow(date(2025, 10, 1)))
    _promote(world.org_a, "silver", "gold", _moscow(date(2026, 2, 10)))
    december = win(world.org_a, product="crm", amount=100_000_00, closed_on=date(2025, 12, 15))
    january = win(world.org_a, product="crm", amount=100_000_00, closed_on=date(2026, 1, 31))
    september = win(world.org_a, product="crm", amount=100_000_00, closed_on=date(2025, 9, 30))
    the_day = win(world.org_a, product="bi", amount=100_000_00, closed_on=date(2026, 2, 10))
    march = win(world.org_a, product="crm", amount=100_000_00, closed_on=date(2026, 3, 3))
    got = {l.deal_id: (l.tier, l.percent, l.amount_kopecks) for l in lines(world.org_a.id) if l.rule == "commission"}
    assert got == {
        september.id: ("bronze", Decimal(20), 20_000_00),
        december.id: ("silver", Decimal(25), 25_000_00),
        january.id: ("silver", Decimal(25), 25_000_00),
        # promoted during the won day: the tier held at the end of that day
        the_day.id: ("gold", Decimal(27), 27_000_00),
        march.id: ("gold", Decimal(32), 32_000_00),
    }
    spiff = next(l for l in lines(world.org_a.id) if l.rule == "spiff")
    assert spiff.deal_id == december.id and spiff.tier == "silver"


def test_an_override_is_part_of_the_history(world):
    # A manager's override to Platinum from 1 March, ended on 1 April: deals of March earn Platinum.
    world.org_a.tier = "silver"
    db.session.commit()
    _promote(world.org_a, "silver", "platinum", _moscow(date(2026, 3, 1), 9), reason="override")
    _promote(world.org_a, "platinum", "silver", _moscow(date(2026, 4, 1), 0) , reason="override_ended")
    inside = win(world.org_a, product="crm", closed_on=date(2026, 3, 20))
    after = win(world.org_a, product="crm", closed_on=date(2026, 4, 2))
    tiers_ = {l.deal_id: l.tier for l in lines(world.org_a.id) if l.rule == "commission"}
    assert tiers_ == {inside.id: "platinum", after.id: "silver"}


def test_a_deal_won_today_keeps_the_tier_held_when_it_was_recorded(world):
    """A promotion later the same day (here: the one this very deal triggers) does not re-price it,
    and repair or any later look-up gives the same tier."""
    from hub.rewards import tiers
    from hub.rewards.models import WonDeal
    from hub.rewards.services import program_date
    world.org_a.tier = "bronze"
    db.session.commit()
    today = program_date()
    deal = win(world.org_a, product="crm", amount=10_000_00, closed_on=today)
    _promote(world.org_a, "bronze", "gold", commissions.utcnow())
    line = next(l for l in lines(world.org_a.id) if l.rule == "commission")
    recorded = db.session.scalar(select(WonDeal).where(WonDeal.deal_id == deal.id))
    assert line.tier == "bronze"
    assert tiers.tier_on_won_date(world.org_a.id, today, recorded.recorded_at) == "bronze"
    assert tiers.tier_on_won_date(world.org_a.id, today) == "gold"  # the end of today, seen from now


def _rules_copy(app, tmp_path, mutate):
    import yaml
    from pathlib import Path
    holder = app.extensions["program_rules"]
    data = yaml.safe_load(Path(holder["path"]).read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "program.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    holder["path"], holder["mtime"] = str(path), None


def test_rule_and_tier_changes_never_rewrite_approved_or_paid_lines(app, world, tmp_path):
    from hub.rewards.jobs import full_evaluation
    from hub.rewards.cli import repair_all
    world.org_a.tier = "silver"
    db.session.commit()
    for n, day in enumerate((date(2026, 1, 10), date(2026, 1, 20), date(2026, 2, 5))):
        win(world.org_a, world.a_member, product="crm", amount=(n + 1) * 2_000_000_00, closed_on=day)
    owed = lines(world.org_a.id)
    commissions.set_status([l.id for l in owed], APPROVED, world.manager, world.org_a.id)
    commissions.set_status([owed[0].id], PAID, world.manager, world.org_a.id)
    commissions.compute_retro_bonuses(datetime(2026, 4, 15, 9, 0, tzinfo=timezone.utc))
    db.session.commit()
    retro = next(l for l in lines(world.org_a.id) if l.rule == "retro")
    commissions.set_status([retro.id], APPROVED, world.manager, world.org_a.id)
    db.session.commit()

    def snapshot():
        db.session.expire_all()
        return [(l.id, l.rule, l.tier, l.percent, l.base_kopecks, l.amount_kopecks, l.status)
                for l in lines(world.org_a.id)]
    before = snapshot()
    assert {s for *_x, s in before} == {APPROVED, PAID}

    def change(data):
        data["commissions"]["crm"] = {"bronze": 5, "silver": 6, "gold": 7, "platinum": 8}
        data["spiff"]["first_deal_rub"] = 1
        data["retro_bonus"] = [{"quarter_revenue_rub": 1000, "percent": 9}]
    _rules_copy(app, tmp_path, change)
    _promote(world.org_a, "silver", "platinum", datetime(2025, 6, 1, tzinfo=timezone.utc), reason="override")
    full_evaluation(datetime(2026, 4, 16, 9, 0, tzinfo=timezone.utc))
    commissions.compute_retro_bonuses(datetime(2026, 4, 16, 9, 0, tzinfo=timezone.utc))
    db.session.commit()
    assert repair_all(echo=lambda _text: None) == {"wins recorded": 0, "lines added": 0}
    assert snapshot() == before


def test_repair_adds_exactly_the_missing_line_then_nothing(app, world):
    world.org_a.tier = "gold"
    db.session.commit()
    first = win(world.org_a, product="crm", amount=100_000_00, closed_on=date(2026, 4, 1))
    second = win(world.org_a, product="bi", amount=200_000_00, closed_on=date(2026, 4, 2))
    before = {(l.deal_id, l.rule): (l.tier, l.percent, l.amount_kopecks) for l in lines(world.org_a.id)}
    gone = next(l for l in lines(world.org_a.id) if l.deal_id == second.id and l.rule == "commission")
    db.session.delete(gone)
    db.session.commit()

    runner = app.test_cli_runner()
    result = runner.invoke(args=["rewards", "repair"])
    assert result.exit_code == 0, result.output
    assert f"added commission line for deal #{second.id}" in result.output
    assert "tier gold" in result.output and "54\u00a0000" in result.output
    assert "lines added: 1" in result.output and f"deal #{first.id}" not in result.output
    db.session.expire_all()
    after = {(l.deal_id, l.rule): (l.tier, l.percent, l.amount_kopecks) for l in lines(world.org_a.id)}
    assert after == before

    again = runner.invoke(args=["rewards", "repair"])
    assert again.exit_code == 0 and "lines added: 0" in again.output and "added commission" not in again.output
    db.session.expire_all()
    assert len(lines(world.org_a.id)) == len(before)


def test_repair_records_a_win_rewards_never_heard_of(app, world):
    """The listener failed before anything was written: repair asks the deals feature for its won
    deals and records the win (points, revenue, line) priced at the tier of the won date."""
    from tests import factories
    from hub.rewards.models import PointEntry, WonDeal
    world.org_a.tier = "silver"
    db.session.commit()
    _promote(world.org_a, "silver", "gold", _moscow(date(2026, 3, 1)))
    deal = factories.create_deal(world.org_a, world.a_member, status="won", product="crm",
                                 final_amount_kopecks=1_000_000_00, closed_on=date(2026, 2, 20))
    result = app.test_cli_runner().invoke(args=["rewards", "repair"])
    assert result.exit_code == 0, result.output
    assert f"recorded the win of deal #{deal.id}" in result.output and "wins recorded: 1" in result.output
    db.session.expire_all()
    won = db.session.scalar(select(WonDeal).where(WonDeal.deal_id == deal.id))
    assert won.amount_kopecks == 1_000_000_00 and won.closed_on == date(2026, 2, 20)
    assert db.session.scalar(select(PointEntry).where(PointEntry.source_key == f"deal:{deal.id}")) is not None
    line = next(l for l in lines(world.org_a.id) if l.rule == "commission")
    assert (line.deal_id, line.tier, line.amount_kopecks) == (deal.id, "silver", 250_000_00)
    again = app.test_cli_runner().invoke(args=["rewards", "repair"])
    assert "wins recorded: 0, lines added: 0" in again.output


def test_calculator_and_engine_call_the_same_commission_function(app, world, monkeypatch):
    from hub.program import commission as arithmetic
    from hub.program import rules as program_rules
    from hub.program.services import EarningsInput, estimate
    calls = []
    real = arithmetic.commission

    def spy(rules, product, tier, base):
        calls.append((product, tier, base))
        return real(rules, product, tier, base)
    monkeypatch.setattr(arithmetic, "commission", spy)
    world.org_a.tier = "gold"
    db.session.commit()
    win(world.org_a, product="bi", amount=123_456_78)
    line = next(l for l in lines(world.org_a.id) if l.rule == "commission")
    result = estimate(program_rules.current(), EarningsInput(product="bi", tier="gold", deals_per_year=1,
                                                             deal_amount_kopecks=123_456_78))
    assert calls == [("bi", "gold", 123_456_78), ("bi", "gold", 123_456_78)]
    assert result.commission_per_deal_kopecks == line.amount_kopecks == 3_333_333
