"""R5: individual conditions - the engine uses an active individual rate, plans pay their bonus once,
a second manager approves terms over the threshold, bad terms are refused and nothing is saved."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hub.core.models import AuditEntry
from hub.extensions import db
from hub.rewards import commissions, terms
from hub.rewards.models import (OWED, RULE_COMMISSION, RULE_PLAN, TERM_ACTIVE, TERM_PENDING, TERM_REVOKED,
                                CommissionLine, Term)

from .conftest import NOW, win

Q2 = (date(2026, 4, 1), date(2026, 6, 30))


@pytest.fixture(autouse=True)
def _english(app):
    """The services' messages read in English here (the program's default language is Russian)."""
    from flask_babel import force_locale
    with force_locale("en"):
        yield


def lines(org_id, rule=None):
    query = select(CommissionLine).where(CommissionLine.organisation_id == org_id).order_by(CommissionLine.id)
    if rule:
        query = query.where(CommissionLine.rule == rule)
    return list(db.session.scalars(query))


def rate(world, percent="18", product="crm", window=Q2, actor=None, reason="Key partner 2026"):
    term = terms.grant_rate(world.org_a.id, product, Decimal(percent), window[0], window[1], reason,
                            actor or world.manager, now=NOW)
    db.session.commit()
    return term


def plan(world, target=1_000_000_00, bonus=100_000_00, bonus_percent=None, window=Q2, actor=None):
    term = terms.grant_plan(world.org_a.id, target, bonus, bonus_percent, window[0], window[1], "Growth plan",
                            actor or world.manager, now=NOW)
    db.session.commit()
    return term


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- the engine ---------------------------------------------------------------------------------

@pytest.mark.parametrize("percent, amount, expected", [
    ("18", 100_000_00, 18_000_00),
    ("18.5", 3_333_30, 61_666),      # 61 666.05 -> 61 666
    ("18.5", 333_33, 6_167),         # 6 166.605 -> 6 167
    ("22.125", 1_000_01, 22_125),    # 22 125.22125 -> 22 125
    ("12.5", 1, 0),                  # 0.125 -> 0
    ("50", 1, 1),                    # 0.5 kopeck goes up
    ("0", 100_000_00, 0),
])
def test_individual_rate_replaces_the_tier_rate_exactly(world, percent, amount, expected):
    term = rate(world, percent)
    if term.status == TERM_PENDING:  # 50 % is 30 points above Bronze: a second manager approves it
        terms.approve(world.org_a.id, term.id, world.admin, now=NOW)
        db.session.commit()
    win(world.org_a, world.a_member, product="crm", amount=amount, closed_on=date(2026, 4, 10))
    [line] = lines(world.org_a.id, RULE_COMMISSION)
    assert (line.percent, line.amount_kopecks, line.term_id, line.tier) == \
        (Decimal(percent), expected, term.id, "bronze")


def test_tier_rate_outside_the_window_for_other_products_and_other_organisations(world):
    rate(world, "18")
    win(world.org_a, world.a_member, product="crm", amount=100_000_00, closed_on=date(2026, 3, 31))  # before
    win(world.org_a, world.a_member, product="crm", amount=100_000_00, closed_on=date(2026, 7, 1))   # after
    win(world.org_a, world.a_member, product="bi", amount=100_000_00, closed_on=date(2026, 4, 10))   # other product
    win(world.org_b, world.b_member, product="crm", amount=100_000_00, closed_on=date(2026, 4, 10))  # other org
    win(world.org_a, world.a_member, product="crm", amount=100_000_00, closed_on=date(2026, 6, 30))  # last day
    got = [(l.product, l.percent, l.amount_kopecks, l.term_id is not None) for l in lines(world.org_a.id, "commission")]
    assert got == [("crm", Decimal(20), 20_000_00, False), ("crm", Decimal(20), 20_000_00, False),
                   ("bi", Decimal(15), 15_000_00, False), ("crm", Decimal(18), 18_000_00, True)]
    [other] = lines(world.org_b.id, "commission")
    assert (other.percent, other.term_id) == (Decimal(20), None)


def test_replayed_win_and_repair_keep_one_line_at_the_individual_rate(world):
    term = rate(world, "18")
    deal = win(world.org_a, world.a_member, product="crm", amount=100_000_00)
    win(world.org_a, world.a_member, product="crm", amount=100_000_00, deal_id=deal.id)  # replay
    assert len(lines(world.org_a.id, "commission")) == 1
    db.session.delete(lines(world.org_a.id, "commission")[0])
    db.session.commit()
    written = commissions.repair()
    db.session.commit()
    [line] = lines(world.org_a.id, "commission")
    assert (line.amount_kopecks, line.term_id) == (18_000_00, term.id)
    assert [w.rule for w in written] == ["commission"]


def test_pending_and_revoked_terms_do_not_apply_and_lines_keep_their_amounts(world):
    term = rate(world, "40")  # 20 points above Bronze's 20 %: over the 5-point threshold
    assert term.status == TERM_PENDING
    win(world.org_a, world.a_member, product="crm", amount=100_000_00)
    terms.approve(world.org_a.id, term.id, world.admin, now=NOW)
    db.session.commit()
    win(world.org_a, world.a_member, product="crm", amount=100_000_00)
    terms.revoke(world.org_a.id, term.id, world.manager, "Programme changed", now=NOW)
    db.session.commit()
    win(world.org_a, world.a_member, product="crm", amount=100_000_00)
    assert [l.amount_kopecks for l in lines(world.org_a.id, "commission")] == [20_000_00, 40_000_00, 20_000_00]
    assert db.session.get(Term, term.id).status == TERM_REVOKED


# --- plans --------------------------------------------------------------------------------------

def test_plan_bonus_once_when_the_quarter_reaches_the_target(world):
    term = plan(world, target=1_000_000_00, bonus=100_000_00)
    win(world.org_a, world.a_member, amount=600_000_00, closed_on=date(2026, 4, 10))
    assert lines(world.org_a.id, RULE_PLAN) == []
    win(world.org_a, world.a_member, amount=400_000_00, closed_on=date(2026, 5, 10))  # exactly the target
    win(world.org_a, world.a_member, amount=50_000_00, closed_on=date(2026, 6, 10))
    win(world.org_b, world.b_member, amount=5_000_000_00, closed_on=date(2026, 5, 10))  # no plan
    [bonus] = lines(world.org_a.id, RULE_PLAN)
    assert (bonus.period, bonus.amount_kopecks, bonus.term_id, bonus.status, bonus.source_key) == \
        ("2026-Q2", 100_000_00, term.id, OWED, f"plan:{term.id}:2026-Q2")
    assert lines(world.org_b.id, RULE_PLAN) == []
    # the tick at the quarter's end adds nothing
    assert terms.evaluate_closed_quarters(datetime(2026, 7, 2, 9, tzinfo=timezone.utc)) == 0


def test_plan_counts_only_its_window_and_each_quarter_separately(world):
    term = plan(world, target=100_000_00, bonus=10_000_00, window=(date(2026, 5, 1), date(2026, 9, 30)))
    win(world.org_a, world.a_member, amount=90_000_00, closed_on=date(2026, 4, 30))  # before the window
    win(world.org_a, world.a_member, amount=90_000_00, closed_on=date(2026, 5, 2))
    assert lines(world.org_a.id, RULE_PLAN) == []
    win(world.org_a, world.a_member, amount=100_000_00, closed_on=date(2026, 7, 2))  # Q3 reached on its own
    assert [(l.period, l.base_kopecks) for l in lines(world.org_a.id, RULE_PLAN)] == [("2026-Q3", 100_000_00)]
    assert all(l.term_id == term.id for l in lines(world.org_a.id, RULE_PLAN))


def test_percent_bonus_follows_late_deals_while_owed_never_once_approved(world):
    plan(world, target=1_000_000_00, bonus=None, bonus_percent=Decimal("2.5"))
    win(world.org_a, world.a_member, amount=1_000_000_01, closed_on=date(2026, 4, 10))
    [bonus] = lines(world.org_a.id, RULE_PLAN)
    assert (bonus.base_kopecks, bonus.percent, bonus.amount_kopecks) == (1_000_000_01, Decimal("2.5"), 2_500_000)
    win(world.org_a, world.a_member, amount=1_00, closed_on=date(2026, 4, 11))
    db.session.refresh(bonus)
    assert (bonus.base_kopecks, bonus.amount_kopecks) == (1_000_001_01, 2_500_003)  # 2 500 002.525 -> ...03
    commissions.set_status([bonus.id], "approved", world.manager, world.org_a.id)
    db.session.commit()
    win(world.org_a, world.a_member, amount=1_000_00, closed_on=date(2026, 4, 12))
    db.session.refresh(bonus)
    assert bonus.amount_kopecks == 2_500_003


def test_tick_writes_a_bonus_for_a_plan_approved_after_the_quarter(world):
    win(world.org_a, world.a_member, amount=2_000_000_00, closed_on=date(2026, 4, 10))
    term = terms.grant_plan(world.org_a.id, 1_000_000_00, 900_000_00, None, Q2[0], Q2[1], "Big plan",
                            world.manager, now=NOW)
    db.session.commit()
    assert term.status == TERM_PENDING  # 900 000 RUB over the 500 000 RUB threshold
    july = datetime(2026, 7, 2, 9, tzinfo=timezone.utc)
    assert terms.evaluate_closed_quarters(july) == 0  # pending: nothing applies
    terms.approve(world.org_a.id, term.id, world.admin, now=july)
    db.session.commit()
    assert lines(world.org_a.id, RULE_PLAN) == []  # approved in Q3: the tick writes Q2's bonus
    assert terms.evaluate_closed_quarters(july) == 1
    db.session.commit()
    [bonus] = lines(world.org_a.id, RULE_PLAN)
    assert (bonus.period, bonus.amount_kopecks, bonus.base_kopecks) == ("2026-Q2", 900_000_00, 2_000_000_00)


def test_tick_catches_up_a_closed_quarter(world):
    term = plan(world, target=1_000_000_00, bonus=100_000_00)
    win(world.org_a, world.a_member, amount=2_000_000_00, closed_on=date(2026, 4, 10))
    db.session.delete(lines(world.org_a.id, RULE_PLAN)[0])  # a line lost (deleted by hand)
    db.session.commit()
    assert terms.evaluate_closed_quarters(datetime(2026, 6, 30, 9, tzinfo=timezone.utc)) == 0  # Q2 still open
    assert terms.evaluate_closed_quarters(datetime(2026, 7, 1, 9, tzinfo=timezone.utc)) == 1
    db.session.commit()
    assert terms.evaluate_closed_quarters(datetime(2026, 7, 1, 9, tzinfo=timezone.utc)) == 0
    assert [l.term_id for l in lines(world.org_a.id, RULE_PLAN)] == [term.id]


# --- approvals and audit ------------------------------------------------------------------------

def test_thresholds_second_different_manager_and_audit(world):
    small = rate(world, "25", product="crm")           # 5 points above Bronze: not over the threshold
    big = rate(world, "25.001", product="bi")          # 10.001 points above 15 %: over it
    assert (small.status, big.status) == (TERM_ACTIVE, TERM_PENDING)
    with pytest.raises(terms.TermError, match="second, different manager"):
        terms.approve(world.org_a.id, big.id, world.manager, now=NOW)
    db.session.rollback()
    terms.approve(world.org_a.id, big.id, world.admin, now=NOW)
    db.session.commit()
    with pytest.raises(terms.TermError, match="no longer waiting"):
        terms.approve(world.org_a.id, big.id, world.admin, now=NOW)  # twice
    db.session.rollback()
    term = db.session.get(Term, big.id)
    assert (term.status, term.granted_by_id, term.approved_by_id) == (TERM_ACTIVE, world.manager.id, world.admin.id)
    actions = [(a.object_id, a.action, a.actor_id) for a in db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "reward_term").order_by(AuditEntry.id))]
    assert actions == [(small.id, "granted", world.manager.id), (big.id, "granted", world.manager.id),
                       (big.id, "approved", world.admin.id)]
    terms.revoke(world.org_a.id, small.id, world.admin, "Ended early", now=NOW)
    db.session.commit()
    last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    assert (last.object_id, last.action, last.details["reason"]) == (small.id, "revoked", "Ended early")


def test_plan_thresholds_in_roubles_and_percent(world):
    assert plan(world, bonus=500_000_00).status == TERM_ACTIVE
    assert plan(world, bonus=500_000_01, window=(date(2026, 7, 1), date(2026, 9, 30))).status == TERM_PENDING
    assert plan(world, bonus=None, bonus_percent=Decimal("5.001"),
                window=(date(2026, 10, 1), date(2026, 12, 31))).status == TERM_PENDING


# --- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, field", [
    (dict(percent=Decimal("-1")), "percent"),
    (dict(percent=Decimal("100.001")), "percent"),
    (dict(percent=Decimal("1E+5")), "percent"),
    (dict(percent=Decimal("NaN")), "percent"),
    (dict(percent=Decimal("12.0001")), "percent"),
    (dict(percent=None), "percent"),
    (dict(product="nope"), "product"),
    (dict(valid_from=date(2026, 6, 1), valid_to=date(2026, 5, 1)), "valid_to"),
    (dict(valid_from=date(2026, 1, 1), valid_to=date(2026, 4, 14)), "valid_to"),  # already over
    (dict(reason="  "), "reason"),
    (dict(reason="x" * 1001), "reason"),
])
def test_bad_rates_are_refused_and_nothing_saved(world, kwargs, field):
    values = dict(product="crm", percent=Decimal(18), valid_from=Q2[0], valid_to=Q2[1], reason="Why")
    values.update(kwargs)
    with pytest.raises(terms.TermError) as caught:
        terms.grant_rate(world.org_a.id, values["product"], values["percent"], values["valid_from"],
                         values["valid_to"], values["reason"], world.manager, now=NOW)
    db.session.rollback()
    assert caught.value.field == field
    assert count(Term) == 0 and count(AuditEntry) == 0


def test_overlapping_terms_are_refused(world):
    first = rate(world, "18")
    with pytest.raises(terms.TermError, match=f"overlaps term #{first.id}"):
        terms.grant_rate(world.org_a.id, "crm", Decimal(19), date(2026, 6, 30), date(2026, 8, 1), "Again",
                         world.manager, now=NOW)
    db.session.rollback()
    rate(world, "18", product="bi")                                        # another product: fine
    rate(world, "18", window=(date(2026, 7, 1), date(2026, 9, 30)))        # after it: fine
    terms.revoke(world.org_a.id, first.id, world.manager, "Replaced", now=NOW)
    db.session.commit()
    rate(world, "19", window=(date(2026, 5, 1), date(2026, 6, 30)))        # a revoked term frees its dates
    first_plan = plan(world)
    with pytest.raises(terms.TermError, match="overlaps"):
        plan(world, window=(date(2026, 6, 1), date(2026, 12, 31)))
    db.session.rollback()
    assert first_plan.id and count(Term) == 5


@pytest.mark.parametrize("target, bonus, percent, field", [
    (0, 100_00, None, "target"),
    (None, 100_00, None, "target"),
    (-5, 100_00, None, "target"),
    (100_00, None, None, "bonus"),
    (100_00, 100_00, Decimal(1), "bonus"),
    (100_00, 0, None, "bonus"),
    (100_00, None, Decimal(0), "bonus_percent"),
    (100_00, None, Decimal(101), "bonus_percent"),
])
def test_bad_plans_are_refused(world, target, bonus, percent, field):
    with pytest.raises(terms.TermError) as caught:
        terms.grant_plan(world.org_a.id, target, bonus, percent, Q2[0], Q2[1], "Plan", world.manager, now=NOW)
    db.session.rollback()
    assert caught.value.field == field and count(Term) == 0


def test_partners_cannot_grant_approve_or_revoke(world):
    for user in (world.a_admin, world.a_member, world.b_admin):
        with pytest.raises(terms.TermError, match="Only the vendor's managers"):
            terms.grant_rate(world.org_a.id, "crm", Decimal(18), Q2[0], Q2[1], "Mine", user, now=NOW)
        db.session.rollback()
    big = rate(world, "40")
    with pytest.raises(terms.TermError):
        terms.approve(world.org_a.id, big.id, world.a_admin, now=NOW)
    db.session.rollback()
    with pytest.raises(LookupError):  # another organisation's term
        terms.approve(world.org_b.id, big.id, world.admin, now=NOW)
    db.session.rollback()
    with pytest.raises(LookupError):  # the vendor is not a partner
        terms.grant_rate(world.vendor.id, "crm", Decimal(18), Q2[0], Q2[1], "Us", world.manager, now=NOW)
    db.session.rollback()
    assert db.session.get(Term, big.id).status == TERM_PENDING and count(Term) == 1


@pytest.mark.parametrize("text, expected", [
    ("18", Decimal(18)), ("18,5", Decimal("18.5")), (" 18.125 % ", Decimal("18.125")), ("0", Decimal(0)),
    ("-1", None), ("1e5", None), ("NaN", None), ("inf", None), ("18.1234", None), ("١٨", None), ("", None),
    ("1.2.3", None), (".5", None), ("12345678901234", None),
])
def test_parse_percent(text, expected):
    assert terms.parse_percent(text) == expected


# --- the rules section --------------------------------------------------------------------------

def test_individual_terms_section_is_optional_and_validated(tmp_path):
    from pathlib import Path

    import yaml

    from hub.program.rules import RulesError, load
    shipped = Path(__file__).resolve().parents[2] / "content" / "program.yml"
    data = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    assert load(shipped).individual_terms.second_approval_bonus_kopecks == 500_000_00
    path = tmp_path / "program.yml"
    data["individual_terms"] = {"second_approval_rate_points": "2.5", "second_approval_bonus_rub": 100_000}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    section = load(path).individual_terms
    assert (section.second_approval_rate_points, section.second_approval_bonus_kopecks,
            section.second_approval_bonus_percent) == (Decimal("2.5"), 100_000_00, Decimal(5))
    data.pop("individual_terms")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load(path).individual_terms.second_approval_rate_points == Decimal(5)
    for bad in ({"second_approval_rate_points": -1}, {"second_approval_bonus_percent": 101},
                {"second_approval_bonus_rub": "lots"}, {"unknown": 1}):
        data["individual_terms"] = bad
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        with pytest.raises(RulesError, match="individual_terms"):
            load(path)
