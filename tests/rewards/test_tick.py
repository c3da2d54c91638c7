"""The incremental tick (hub/rewards/jobs.py) gives what a full evaluation gives, at bounded cost.

Each step runs the tick at a moment, then a full evaluation of everyone at the same moment inside a
rolled-back transaction: the full pass must find nothing left to change (tiers, the engine's
memory, badges, retro-bonus lines), so the incremental tick missed nothing.
"""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from hub.accounts.models import Organisation
from hub.extensions import db
from hub.rewards import badges, services, tiers
from hub.rewards.jobs import full_evaluation, incremental_evaluation
from hub.rewards.models import EVENT_ATTENDED, RULE_RETRO, CommissionLine, TierChange, TierState
from tests import factories

from .conftest import NOW, win


def snapshot():
    db.session.expire_all()
    return {
        "tiers": dict(db.session.execute(select(Organisation.id, Organisation.tier)).all()),
        "states": {s.organisation_id: (s.rule_tier, s.qualified_tier, s.below_since, s.override_tier,
                                       s.override_until, s.revenue_12m_kopecks, s.certified_people)
                   for s in db.session.scalars(select(TierState))},
        "changes": len(db.session.scalars(select(TierChange)).all()),
        "badges": badges.award_set(),
        "retro": {(line.organisation_id, line.period): (line.base_kopecks, line.amount_kopecks)
                  for line in db.session.scalars(select(CommissionLine).where(CommissionLine.rule == RULE_RETRO))},
    }


def tick(now):
    report = incremental_evaluation(now)
    db.session.commit()
    after = snapshot()
    full_evaluation(now)
    db.session.flush()
    assert snapshot() == after, f"the full evaluation at {now} changed what the tick left"
    db.session.rollback()
    return report


def tier_of(org):
    db.session.expire_all()
    return db.session.get(Organisation, org.id).tier


def test_incremental_tick_matches_full_evaluation_over_time(world, fake_facts, badges_loaded):
    fake_facts.certified.update({world.org_a.id: 2, world.org_b.id: 2})
    # Alpha's revenue is one deal closed 1 May 2025: it leaves the trailing year on 2 May 2026.
    win(world.org_a, world.a_member, amount=3_000_000_00, closed_on=date(2025, 5, 1))
    win(world.org_b, world.b_member, amount=3_500_000_00, closed_on=date(2026, 4, 1))
    first = tick(NOW)  # no mark yet: a full pass
    assert first["organisations evaluated"] == 2
    assert (tier_of(world.org_a), tier_of(world.org_b)) == ("silver", "silver")

    quiet = tick(NOW + timedelta(hours=1))
    assert quiet == {"organisations evaluated": 0, "tier changes": 0, "retro-bonus lines": 0, "badges awarded": 0}

    # A late win in the closed first quarter: the retro-bonus of Beta's Q1 appears.
    assert snapshot()["retro"] == {}
    win(world.org_b, world.b_member, amount=6_000_000_00, closed_on=date(2026, 3, 20))
    tick(NOW + timedelta(hours=2))
    assert snapshot()["retro"] == {(world.org_b.id, "2026-Q1"): (6_000_000_00, 120_000_00)}

    # The deal ages out: Alpha falls below silver; the grace period starts, no demotion yet.
    aged = datetime(2026, 5, 2, 9, 0, tzinfo=timezone.utc)
    report = tick(aged)
    assert report["organisations evaluated"] >= 1
    state = db.session.get(TierState, world.org_a.id)
    assert (state.qualified_tier, state.below_since, tier_of(world.org_a)) == ("bronze", aged, "silver")
    # Grace over: demoted by the tick, with nothing new but the date.
    tick(aged + timedelta(days=91))
    assert tier_of(world.org_a) == "bronze"

    # A certificate of Beta expires: the academy says which organisation changed.
    expired = aged + timedelta(days=92)
    fake_facts.certified[world.org_b.id] = 1
    fake_facts.changed = {world.org_b.id}
    tick(expired)
    fake_facts.changed = set()
    state = db.session.get(TierState, world.org_b.id)
    assert (state.certified_people, state.qualified_tier, state.below_since) == (1, "bronze", expired)

    # A tier set by hand is brought back to the rules; an override ends on its date.
    org_b = db.session.get(Organisation, world.org_b.id)
    org_b.tier = "gold"
    db.session.commit()
    tick(expired + timedelta(hours=1))
    assert tier_of(world.org_b) == "silver"
    tiers.set_override(db.session.get(Organisation, world.org_a.id), "gold", "Strategic launch",
                       services.program_date(expired) + timedelta(days=3), world.manager, now=expired)
    db.session.commit()
    assert tier_of(world.org_a) == "gold"
    tick(expired + timedelta(days=5))
    assert tier_of(world.org_a) == "bronze"


def test_tick_awards_what_the_ledger_gained_without_a_listener(world, fake_facts, badges_loaded):
    tick(NOW)
    # Entries written without the badge listener (e.g. a replay or a bulk import): the tick sees them.
    for n in range(10):
        services.credit(services.Credit(EVENT_ATTENDED, f"registration:bulk-{n}", world.org_a.id, world.a_member.id),
                        NOW - timedelta(days=40))
    db.session.commit()
    before = badges.award_set()
    report = tick(NOW + timedelta(minutes=5))
    assert report["badges awarded"] >= 1
    assert badges.award_set() > before


def test_nothing_new_tick_costs_a_bounded_number_of_queries(world, fake_facts, badges_loaded, count_queries):
    win(world.org_a, world.a_member, amount=3_000_000_00, closed_on=date(2026, 4, 1))
    tick(NOW)
    tick(NOW + timedelta(minutes=1))
    with count_queries() as few:
        incremental_evaluation(NOW + timedelta(minutes=2))
    db.session.commit()
    for n in range(25):
        org = factories.create_org(f"Gamma {n}")
        factories.create_user(org)
    db.session.commit()
    tick(NOW + timedelta(minutes=3))  # the new partners are evaluated once
    with count_queries() as many:
        report = incremental_evaluation(NOW + timedelta(minutes=4))
    db.session.commit()
    assert report["organisations evaluated"] == 0
    assert many.count == few.count
    assert few.count <= 12, few.statements
