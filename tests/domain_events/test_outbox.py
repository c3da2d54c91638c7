"""The outbox without HTTP: payload checks, commit/rollback, isolated listeners, backoff, the failed
state, replay, and the worker command."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from hub import signals
from hub.core.models import AuditEntry
from hub.core.services import audit
from hub.database import utcnow
from hub.domain_events import outbox
from hub.domain_events.models import DONE, FAILED, PENDING, DomainEvent, EventDelivery
from hub.extensions import db

pytestmark = [pytest.mark.usefixtures("app"), pytest.mark.listener_failures]


def used(n: int, **overrides) -> None:
    """Emit a library_item_used (no listener of its own in the hub: only the tests' listeners)."""
    values = dict(item_id=n, item_slug=f"item-{n}", item_kind="case_study", user_id=1, organisation_id=1,
                  action="view", file_name=None)
    values.update(overrides)
    signals.library_item_used.emit(**values)


def deliveries(listener: str | None = None) -> list[EventDelivery]:
    db.session.expire_all()
    query = select(EventDelivery).order_by(EventDelivery.id)
    if listener:
        query = query.where(EventDelivery.listener == listener)
    return list(db.session.scalars(query))


def boom(event):
    raise RuntimeError(f"listener broke on item {event.item_id}")


# --- declaring and emitting --------------------------------------------------------------------

@pytest.mark.parametrize("change, problem", [
    (dict(item_id=None), "may not be None"),
    (dict(item_id="7"), "must be an int"),
    (dict(item_id=True), "must be an int"),
    (dict(action=3), "must be a str"),
    (dict(extra=1), "unknown fields ['extra']"),
])
def test_emit_refuses_a_payload_that_does_not_match_the_declaration(change, problem):
    with pytest.raises(TypeError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        used(1, **change)
    with pytest.raises(TypeError, match="missing fields"):
        signals.library_item_used.emit(item_id=1)
    db.session.commit()
    assert db.session.scalar(select(func.count(DomainEvent.id))) == 0


def test_dates_and_datetimes_travel_as_iso_text_and_come_back_typed(spy):
    seen = spy("tests.dates", signals.deal_approved)
    at = datetime(2026, 3, 2, 12, 30, tzinfo=timezone(timedelta(hours=3)))
    with pytest.raises(TypeError, match="timezone-aware"):
        signals.deal_approved.emit(deal_id=1, organisation_id=1, created_by_id=None, decided_at=at.replace(tzinfo=None),
                                   protected_until=None, actor_id=None)
    with pytest.raises(TypeError, match="must be a date"):
        signals.deal_approved.emit(deal_id=1, organisation_id=1, created_by_id=None, decided_at=at,
                                   protected_until=at, actor_id=None)
    signals.deal_approved.emit(deal_id=1, organisation_id=1, created_by_id=None, decided_at=at,
                               protected_until=date(2026, 6, 1), actor_id=None)
    db.session.commit()
    stored = db.session.scalar(select(DomainEvent.payload))
    assert stored["decided_at"] == "2026-03-02T09:30:00+00:00" and stored["protected_until"] == "2026-06-01"
    assert [(e.decided_at, e.protected_until, e.created_by_id) for e in seen] == [(at, date(2026, 6, 1), None)]


def test_declarations_are_checked():
    with pytest.raises(ValueError, match="declared twice"):
        outbox.EventType("deal_won", "again", deal_id=int)
    with pytest.raises(TypeError, match="plain values"):
        outbox.EventType("tests_with_object", "no", deal=object)
    with pytest.raises(ValueError, match="may not be called"):
        outbox.EventType("tests_with_reserved", "no", name=str)
    with pytest.raises(ValueError, match="feature.what_it_does"):
        signals.subscribe("nodot", signals.deal_won)
    with pytest.raises(ValueError, match="already taken"):
        signals.deal_won.listener("rewards.record_win")(lambda event: None)
    assert "tests_with_object" not in outbox.CATALOGUE


def test_every_event_of_the_catalogue_is_declared_with_its_fields():
    names = set(outbox.CATALOGUE)
    assert {"organisation_created", "deal_submitted", "deal_status_changed", "deal_approved", "deal_rejected",
            "deal_won", "deal_lost", "deal_expired", "certificate_earned", "certificate_expired",
            "library_item_used", "event_attended", "answer_accepted"} <= names
    assert all(outbox.CATALOGUE[n].fields for n in names)


# --- commit, rollback, dispatch ----------------------------------------------------------------

def test_a_committed_event_reaches_each_listener_once(spy):
    first = spy("tests.first", signals.library_item_used)
    second = spy("tests.second", signals.library_item_used)
    used(1)
    assert first == [] and second == []  # nothing before the commit
    db.session.commit()
    assert [e.item_id for e in first] == [1] and [e.item_id for e in second] == [1]
    assert [(d.listener, d.status, d.attempts) for d in deliveries()] == [
        ("tests.first", DONE, 1), ("tests.second", DONE, 1)]
    assert outbox.run_due(now=utcnow() + timedelta(days=1)).total == 0
    assert len(first) == 1


def test_an_event_of_a_rolled_back_transaction_is_never_delivered(spy):
    seen = spy("tests.rollback", signals.library_item_used)
    used(1)
    db.session.flush()  # even written to the database, inside the transaction
    db.session.rollback()
    db.session.commit()
    assert seen == []
    assert db.session.scalar(select(func.count(DomainEvent.id))) == 0
    assert outbox.run_due(now=utcnow() + timedelta(days=1)).total == 0
    assert seen == []


def test_an_event_emitted_in_a_rolled_back_savepoint_is_not_delivered(spy):
    seen = spy("tests.savepoint", signals.library_item_used)
    used(1)
    try:
        with db.session.begin_nested():
            used(2)
            raise ValueError("refused")
    except ValueError:
        pass
    db.session.commit()
    assert [e.item_id for e in seen] == [1]
    assert [e.payload["item_id"] for e in db.session.scalars(select(DomainEvent))] == [1]


def test_a_failing_listener_does_not_stop_another_and_leaves_no_trace(spy):
    def write_then_fail(event):
        audit("library_item", event.item_id, "seen-by-broken-listener")
        db.session.flush()
        boom(event)
    spy("tests.broken", signals.library_item_used, func=write_then_fail)
    healthy = spy("tests.healthy", signals.library_item_used)
    before = utcnow()
    used(5)
    db.session.commit()  # no exception reaches the emitter
    assert [e.item_id for e in healthy] == [5]
    broken, ok = deliveries("tests.broken")[0], deliveries("tests.healthy")[0]
    assert ok.status == DONE
    assert (broken.status, broken.attempts) == (PENDING, 1)
    assert "RuntimeError: listener broke on item 5" in broken.last_error
    assert before + timedelta(seconds=60) <= broken.next_attempt_at <= utcnow() + timedelta(seconds=60)
    # The broken listener's write was rolled back with it.
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_a_listener_may_not_commit(spy):
    spy("tests.committer", signals.library_item_used, func=lambda event: db.session.commit())
    used(1)
    db.session.commit()
    delivery = deliveries()[0]
    assert delivery.status == PENDING and "must not commit or roll back" in delivery.last_error


def test_events_emitted_by_a_listener_are_delivered_too(spy):
    def relay(event):
        signals.deal_lost.emit(deal_id=event.item_id, organisation_id=1, created_by_id=None, closed_on=None,
                               reason=None, actor_id=None)
    spy("tests.relay", signals.library_item_used, func=relay)
    lost = spy("tests.lost", signals.deal_lost)
    used(9)
    db.session.commit()
    assert [e.deal_id for e in lost] == [9]
    assert {d.status for d in deliveries()} == {DONE}


# --- retries, backoff, failure -------------------------------------------------------------------

@pytest.fixture
def app_config():
    return {"EVENTS_MAX_ATTEMPTS": 3, "EVENTS_RETRY_SECONDS": 60}


def test_backoff_then_failed_then_an_admin_retry(spy, app):
    broken = {"yes": True}

    def flaky(event):
        if broken["yes"]:
            boom(event)
    seen = spy("tests.flaky", signals.library_item_used, func=flaky)
    used(1)
    db.session.commit()
    d = deliveries()[0]
    first = d.last_attempt_at
    assert (d.attempts, d.next_attempt_at - first) == (1, timedelta(seconds=60))

    # Not due yet: the worker leaves it.
    assert outbox.run_due(now=first + timedelta(seconds=59)).total == 0
    report = outbox.run_due(now=first + timedelta(seconds=61))
    assert (report.retrying, report.failed) == (1, 0)
    d = deliveries()[0]
    assert (d.attempts, d.next_attempt_at - d.last_attempt_at) == (2, timedelta(seconds=120))

    report = outbox.run_due(now=d.next_attempt_at)
    assert (report.retrying, report.failed) == (0, 1)
    d = deliveries()[0]
    assert (d.status, d.attempts) == (FAILED, 3)
    assert outbox.run_due(now=utcnow() + timedelta(days=30)).total == 0  # failed stays failed
    assert len(seen) == 3

    broken["yes"] = False
    assert outbox.retry(d.id) == DONE
    d = deliveries()[0]
    assert (d.status, d.attempts) == (DONE, 1) and len(seen) == 4
    assert outbox.retry(d.id) is None  # done is done


def test_backoff_doubles_up_to_six_hours(app):
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert outbox.backoff(50) == timedelta(hours=6)


def test_retry_all_makes_failed_and_waiting_deliveries_due(spy):
    spy("tests.always_broken", signals.library_item_used, func=boom)
    used(1)
    used(2)
    db.session.commit()
    first, second = deliveries()
    first.status = FAILED
    db.session.commit()
    assert outbox.retry_all() == 2
    rows = deliveries()
    assert {d.status for d in rows} == {PENDING}
    assert all(d.next_attempt_at <= utcnow() for d in rows) and rows[0].attempts == 0


# --- listeners that arrive later, or that this version does not know ---------------------------------

def test_replay_gives_a_late_listener_the_stored_events_once(spy, app):
    used(1)
    used(2)
    db.session.commit()
    seen = spy("tests.latecomer", signals.library_item_used)
    db.session.commit()
    assert seen == [] and deliveries() == []
    assert outbox.replay("tests.latecomer") == 2
    assert outbox.replay("tests.latecomer") == 0
    assert outbox.run_due().delivered == 2
    assert sorted(e.item_id for e in seen) == [1, 2]
    with pytest.raises(LookupError):
        outbox.replay("tests.nobody")


def test_a_delivery_for_a_listener_this_version_does_not_know_waits(spy):
    spy("tests.gone", signals.library_item_used, func=boom)
    used(1)
    db.session.commit()
    outbox.unsubscribe("tests.gone")
    assert outbox.run_due(now=utcnow() + timedelta(days=1)).total == 0
    assert deliveries()[0].status == PENDING
    assert outbox.deliver(deliveries()[0].id) is None


# --- the command ------------------------------------------------------------------------------

def test_worker_once_delivers_what_is_due_and_says_so(spy, app):
    broken = {"yes": True}

    def flaky(event):
        if broken["yes"]:
            boom(event)
    spy("tests.cli", signals.library_item_used, func=flaky)
    used(1)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "events: delivered 0, to retry 0, failed 0" in result.output  # not due for a minute

    d = deliveries()[0]
    d.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    broken["yes"] = False
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0 and "delivered 1" in result.output
    assert deliveries()[0].status == DONE

    listed = runner.invoke(args=["worker", "--listeners"])
    assert "rewards.record_win: deal_won" in listed.output and "tests.cli: library_item_used" in listed.output
    refused = runner.invoke(args=["worker", "--replay", "tests.nobody"])
    assert refused.exit_code == 2 and "no listener named" in refused.output


def test_worker_once_exits_non_zero_when_a_delivery_gives_up(spy, app):
    spy("tests.hopeless", signals.library_item_used, func=boom)
    used(1)
    db.session.commit()
    d = deliveries()[0]
    d.attempts, d.next_attempt_at = 2, utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 1 and "failed 1" in result.output
    assert deliveries()[0].status == FAILED


def test_worker_replay_then_once(spy, app):
    used(3)
    db.session.commit()
    seen = spy("tests.replayed", signals.library_item_used)
    result = app.test_cli_runner().invoke(args=["worker", "--replay", "tests.replayed", "--since", "2000-01-01",
                                                "--once"])
    assert result.exit_code == 0, result.output
    assert "tests.replayed: 1 delivery(ies) added" in result.output and "delivered 1" in result.output
    assert [e.item_id for e in seen] == [3]
