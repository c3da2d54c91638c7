"""R3: promotion at once, demotion after the grace period, overrides and their expiry."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from hub.core.models import AuditEntry, Notification, OutboxMessage
from hub.extensions import db
from hub.rewards import tiers
from hub.rewards.models import TierChange

from .conftest import NOW, win


def evaluate(org, now):
    tiers.evaluate([org.id], now)
    db.session.commit()
    db.session.refresh(org)
    return org.tier


def test_promotion_is_immediate_and_needs_every_criterion(world, fake_facts):
    win(world.org_a, world.a_member, amount=3_000_000_00, closed_on=date(2026, 4, 1))
    assert evaluate(world.org_a, NOW) == "bronze"  # revenue is there, certified people are not
    fake_facts.certified[world.org_a.id] = 2
    assert evaluate(world.org_a, NOW) == "silver"
    change = db.session.scalar(select(TierChange))
    assert (change.old_tier, change.new_tier, change.reason) == ("bronze", "silver", "promotion")
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "tier_changed")) is not None
    notes = list(db.session.scalars(select(Notification)))
    assert {n.user_id for n in notes} == {world.a_admin.id, world.a_member.id}
    # (the won deal's partner-NPS survey mail to its submitter is not the tier's: hub/community/nps)
    assert [m.recipient for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind.is_(None) | OutboxMessage.kind.not_like("nps.%")))] == [world.a_admin.email]


def test_quality_blocks_only_when_measured(world, fake_facts):
    win(world.org_a, amount=15_000_000_00, closed_on=date(2026, 4, 1))
    fake_facts.certified[world.org_a.id] = 4
    assert evaluate(world.org_a, NOW) == "gold"  # quality not measured: does not block
    win(world.org_b, amount=15_000_000_00, closed_on=date(2026, 4, 1))
    fake_facts.certified[world.org_b.id] = 4
    fake_facts.enable_quality()
    fake_facts.quality = {world.org_b.id: 7.5}
    assert evaluate(world.org_b, NOW) == "silver"


def test_revenue_counts_the_trailing_twelve_months(world, fake_facts):
    fake_facts.certified[world.org_a.id] = 2
    win(world.org_a, amount=3_000_000_00, closed_on=date(2025, 4, 15))  # exactly a year ago: out
    assert evaluate(world.org_a, NOW) == "bronze"
    win(world.org_a, amount=1, closed_on=date(2025, 4, 16))
    win(world.org_a, amount=2_999_999_99, closed_on=date(2025, 4, 16))
    assert evaluate(world.org_a, NOW) == "silver"


def test_demotion_only_after_the_grace_period(world, fake_facts):
    fake_facts.certified[world.org_a.id] = 2
    win(world.org_a, amount=3_000_000_00, closed_on=date(2026, 4, 1))
    assert evaluate(world.org_a, NOW) == "silver"
    fake_facts.certified[world.org_a.id] = 1
    later = NOW + timedelta(days=10)
    assert evaluate(world.org_a, later) == "silver"  # below since day 10
    assert evaluate(world.org_a, later + timedelta(days=89)) == "silver"
    # Climbing back resets the clock.
    fake_facts.certified[world.org_a.id] = 2
    assert evaluate(world.org_a, later + timedelta(days=89, hours=1)) == "silver"
    fake_facts.certified[world.org_a.id] = 1
    again = later + timedelta(days=100)
    assert evaluate(world.org_a, again) == "silver"
    assert evaluate(world.org_a, again + timedelta(days=89, hours=23)) == "silver"
    assert evaluate(world.org_a, again + timedelta(days=90)) == "bronze"
    reasons = [c.reason for c in db.session.scalars(select(TierChange).order_by(TierChange.id))]
    assert reasons == ["promotion", "demotion"]


def test_override_applies_until_its_end_date_then_the_rules(world, fake_facts):
    with pytest.raises(tiers.TierError):
        tiers.set_override(world.org_a, "gold", "", date(2026, 5, 31), world.manager, now=NOW)
    with pytest.raises(tiers.TierError):
        tiers.set_override(world.org_a, "gold", "Strategic", date(2026, 4, 14), world.manager, now=NOW)
    with pytest.raises(tiers.TierError):
        tiers.set_override(world.org_a, "gold", "Strategic", date(2026, 5, 31), world.a_admin, now=NOW)
    tiers.set_override(world.org_a, "gold", "Strategic launch partner", date(2026, 5, 31), world.manager, now=NOW)
    db.session.commit()
    assert world.org_a.tier == "gold"
    # 31 May 23:59 in Moscow: still on.
    assert evaluate(world.org_a, datetime(2026, 5, 31, 20, 59, tzinfo=timezone.utc)) == "gold"
    # 1 June 00:00 in Moscow: ended, back to what the rules give.
    assert evaluate(world.org_a, datetime(2026, 5, 31, 21, 0, tzinfo=timezone.utc)) == "bronze"
    reasons = [(c.reason, c.note) for c in db.session.scalars(select(TierChange).order_by(TierChange.id))]
    assert reasons == [("override", "Strategic launch partner"), ("override_ended", None)]


def test_explanation_shows_progress_to_next_tier(world, fake_facts):
    win(world.org_a, amount=1_500_000_00, closed_on=date(2026, 4, 1))
    fake_facts.certified[world.org_a.id] = 1
    evaluate(world.org_a, NOW)
    why = tiers.explain(world.org_a, NOW)
    assert why.tier == "bronze" and why.next_tier == "silver"
    revenue, people = why.next
    assert (revenue.value, revenue.required, revenue.missing, revenue.percent) == (
        1_500_000_00, 3_000_000_00, 1_500_000_00, 50)
    assert (people.value, people.required, people.met) == (1, 2, False)


def test_concurrent_evaluations_of_one_organisation_create_one_state(app, world, fake_facts):
    """Listeners for two events of one organisation may evaluate its tier at the same moment: on
    PostgreSQL the second waits for the first (row lock) instead of inserting a second state."""
    import threading

    from hub.database import write_intent
    from hub.rewards.models import TierState

    org_id = world.org_a.id
    db.session.commit()
    db.session.remove()
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                with write_intent():
                    tiers.evaluate([org_id], NOW)
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    states = list(db.session.scalars(select(TierState).where(TierState.organisation_id == org_id)))
    assert len(states) == 1
    assert states[0].evaluated_at is not None
