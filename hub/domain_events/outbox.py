"""The durable outbox behind hub/signals.py (SPEC P11): declaring events, recording them in the
emitting transaction, dispatching them after commit, retrying what failed.

How a delivery moves:

1. `EventType.emit(**fields)` validates the payload against the declaration and adds to the current
   session one `domain_event` row and one `domain_event_delivery` row (status `pending`) for each
   listener registered for that event in this process. They commit or roll back with the change.
2. When `db.session.commit()` returns (hub.database.Session runs the after-commit hooks), each
   delivery of the events that transaction committed is delivered here, in-process: a new
   transaction claims the delivery row (`FOR UPDATE SKIP LOCKED` on PostgreSQL; `BEGIN IMMEDIATE`
   serialises writers on SQLite), runs the listener inside a SAVEPOINT, and marks the delivery
   `done` in the same transaction — so a listener's effects and its acknowledgement commit
   together, exactly once. A failure rolls back to the savepoint, is recorded (attempts, error,
   next attempt with exponential backoff) and goes no further: not to the request, not to the
   other listeners.
3. `flask --app hub worker` (or `--once`, or `tick`) claims due pending deliveries the same way and
   retries them; after `EVENTS_MAX_ATTEMPTS` a delivery is `failed` and waits for an admin's retry
   (`/admin/event-deliveries`).

A listener registered after events already exist gets deliveries for new events only; run
`flask --app hub worker --replay <listener>` to create (and process) its deliveries for the events
already stored (idempotent: the unique (event, listener) key keeps one delivery each).
"""
from __future__ import annotations

import re
import traceback
import types
import typing
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Mapping

from flask import current_app, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy import bindparam, exists, func, insert, inspect, select, update

from ..database import AFTER_COMMIT_HOOKS, NO_TRANSACTION_CONTROL, Session, UTCDateTime, utcnow, write_intent
from ..extensions import db
from ..web import Page
from .models import DONE, FAILED, PENDING, DomainEvent, EventDelivery

DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_RETRY_SECONDS = 60
MAX_BACKOFF = timedelta(hours=6)
ERROR_CHARS = 8000
RETRY = "retry"  # what deliver() and run_due() report for a failure that will be retried

# --- the catalogue: declared events and their payloads ------------------------------------------

_SCALARS = (bool, int, str, date, datetime)
_RESERVED = {"id", "type", "name", "occurred_at", "payload"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_LISTENER_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

CATALOGUE: dict[str, "EventType"] = {}


@dataclass(frozen=True)
class FieldType:
    kind: type
    optional: bool

    @classmethod
    def of(cls, spec) -> "FieldType":
        optional = False
        if typing.get_origin(spec) in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(spec) if a is not type(None)]
            optional = len(args) < len(typing.get_args(spec))
            if len(args) != 1:
                raise TypeError(f"a payload field has one type (optionally | None), not {spec!r}")
            spec = args[0]
        if spec not in _SCALARS:
            raise TypeError(f"payload fields are ids and plain values {_SCALARS}, not {spec!r}")
        return cls(spec, optional)

    def encode(self, event: str, name: str, value):
        if value is None:
            if not self.optional:
                raise TypeError(f"{event}.{name} may not be None")
            return None
        kind = self.kind
        # bool is an int and datetime is a date in Python: keep them apart.
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError(f"{event}.{name} must be an int, not {value!r}")
        if kind is date and (isinstance(value, datetime) or not isinstance(value, date)):
            raise TypeError(f"{event}.{name} must be a date, not {value!r}")
        if kind in (str, bool) and not isinstance(value, kind):
            raise TypeError(f"{event}.{name} must be a {kind.__name__}, not {value!r}")
        if kind is datetime:
            if not isinstance(value, datetime) or value.tzinfo is None:
                raise TypeError(f"{event}.{name} must be a timezone-aware datetime, not {value!r}")
            return value.astimezone(timezone.utc).isoformat()
        if kind is date:
            return value.isoformat()
        return value

    def decode(self, value):
        if value is None:
            return None
        if self.kind is datetime:
            return datetime.fromisoformat(value)
        if self.kind is date:
            return date.fromisoformat(value)
        return value


class EventType:
    """One kind of domain event: its name, what it means and its payload fields."""

    def __init__(self, name: str, doc: str, /, **fields):
        if not _NAME.match(name) or len(name) > 60:
            raise ValueError(f"event names are lower_snake_case, at most 60 characters: {name!r}")
        if name in CATALOGUE:
            raise ValueError(f"event {name!r} is declared twice")
        clash = _RESERVED & set(fields)
        if clash:
            raise ValueError(f"{name}: payload fields may not be called {sorted(clash)}")
        self.name = name
        self.doc = doc
        self.fields: dict[str, FieldType] = {key: FieldType.of(spec) for key, spec in fields.items()}
        CATALOGUE[name] = self

    def __repr__(self) -> str:
        return f"<EventType {self.name}>"

    def encode(self, values: Mapping[str, Any]) -> dict[str, Any]:
        missing = set(self.fields) - set(values)
        unknown = set(values) - set(self.fields)
        if missing or unknown:
            raise TypeError(f"{self.name}: missing fields {sorted(missing)}, unknown fields {sorted(unknown)}")
        return {key: spec.encode(self.name, key, values[key]) for key, spec in self.fields.items()}

    def decode(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        # A field added to a declaration later is missing from older rows: it reads as None.
        return {key: spec.decode(payload.get(key)) for key, spec in self.fields.items()}

    def emit(self, **fields) -> DomainEvent:
        """Record the event in the current transaction; it is dispatched once that commits."""
        return emit(self, fields)

    def listener(self, name: str) -> Callable[[Callable[["Event"], None]], Callable[["Event"], None]]:
        """Decorator: `func(event)` receives every event of this type, under the stable `name`."""
        return subscribe(name, self)


@dataclass(frozen=True)
class Event:
    """One stored event as a listener receives it; payload fields read as attributes."""
    id: int
    type: EventType
    occurred_at: datetime
    payload: Mapping[str, Any]

    @property
    def name(self) -> str:
        return self.type.name

    def __getattr__(self, key: str):
        payload = self.__dict__.get("payload") or {}
        if key in payload:
            return payload[key]
        raise AttributeError(f"event {self.__dict__.get('type')!r} has no field {key!r}")


# --- listeners ----------------------------------------------------------------------------------

@dataclass
class Listener:
    name: str
    func: Callable[[Event], None]
    events: set[str] = field(default_factory=set)


LISTENERS: dict[str, Listener] = {}


def subscribe(name: str, *event_types: EventType):
    """Register `func(event)` as listener `name` for each of the event types (decorator).

    The name is stored in every delivery row and must never change once events were delivered to
    it (`feature.what_it_does`). One function may listen to several events under one name.
    """
    if not _LISTENER_NAME.match(name) or len(name) > 120:
        raise ValueError(f"listener names look like 'feature.what_it_does': {name!r}")
    if not event_types:
        raise ValueError(f"listener {name!r} listens to no event")

    def decorator(func):
        known = LISTENERS.get(name)
        if known is not None and known.func is not func and _qualified(known.func) != _qualified(func):
            raise ValueError(f"listener name {name!r} is already taken by {_qualified(known.func)}")
        if known is None:
            known = LISTENERS[name] = Listener(name, func)
        known.func = func
        known.events.update(t.name for t in event_types)
        return func
    return decorator


def unsubscribe(name: str) -> None:
    """Forget a listener (tests and one-off scripts; its stored deliveries stay as they are)."""
    LISTENERS.pop(name, None)


def listeners_of(event_name: str) -> list[Listener]:
    return [listener for listener in LISTENERS.values() if event_name in listener.events]


def _qualified(func) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


# --- recording (in the emitting transaction) ----------------------------------------------------

_EMITTED = "hub.domain_events.emitted"   # session.info: deliveries added in the open transaction
_QUEUE = "hub.domain_events.queue"       # session.info: delivery ids being dispatched right now


def emit(event_type: EventType, fields: Mapping[str, Any]) -> DomainEvent:
    payload = event_type.encode(fields)
    now = utcnow()
    row = DomainEvent(name=event_type.name, payload=payload, occurred_at=now)
    deliveries = [EventDelivery(listener=listener.name, status=PENDING, attempts=0, next_attempt_at=now,
                                created_at=now)
                  for listener in listeners_of(event_type.name)]
    row.deliveries.extend(deliveries)
    db.session.add(row)
    db.session.info.setdefault(_EMITTED, []).extend(deliveries)
    return row


def _after_commit(session: Session) -> None:
    emitted = session.info.pop(_EMITTED, None)
    if not emitted:
        return
    # A delivery added inside a savepoint that was rolled back is transient again: never committed.
    ids = [state.identity[0] for state in map(inspect, emitted) if state.persistent]
    if not ids:
        return
    queue = session.info.get(_QUEUE)
    if queue is not None:  # a listener emitted: the dispatch loop below picks these up next
        queue.extend(ids)
        return
    queue = session.info[_QUEUE] = deque(ids)
    try:
        while queue:
            deliver(queue.popleft())
    finally:
        session.info.pop(_QUEUE, None)


def _forget(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction rolled back
        session.info.pop(_EMITTED, None)


AFTER_COMMIT_HOOKS.append(_after_commit)
sa_event.listen(Session, "after_soft_rollback", _forget)


# --- delivering --------------------------------------------------------------------------------

def max_attempts() -> int:
    return int(current_app.config.get("EVENTS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt after `attempts` failures: 1, 2, 4 ... minutes, at most 6 hours."""
    base = int(current_app.config.get("EVENTS_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
    return min(timedelta(seconds=base * 2 ** max(0, min(attempts - 1, 30))), MAX_BACKOFF)


def _claim(*conditions):
    return (select(EventDelivery, DomainEvent).join(DomainEvent, DomainEvent.id == EventDelivery.event_id)
            .where(EventDelivery.status == PENDING, *conditions)
            # Row locks on PostgreSQL: a delivery another worker holds is skipped, never waited for
            # or taken twice. SQLite ignores the clause; BEGIN IMMEDIATE serialises claims there.
            .with_for_update(skip_locked=True, of=EventDelivery))


def deliver(delivery_id: int, now: datetime | None = None) -> str | None:
    """Run one pending delivery in its own transaction. Returns its new status, or None when
    there was nothing to do (delivered already, held by another worker, or unknown listener).
    Never raises: a failure is recorded on the delivery."""
    session = db.session
    try:
        with write_intent():
            found = session.execute(_claim(EventDelivery.id == delivery_id)).first()
            if found is None:
                session.commit()
                return None
            return _run(session, found[0], found[1], now)
    except Exception as exc:  # the outbox itself failed (database gone?): the row stays pending
        _log().exception("domain event delivery %s could not be run", delivery_id)
        _rollback(session)
        _record_failure(delivery_id, exc, now)
        return None


def _run(session, delivery: EventDelivery, row: DomainEvent, now: datetime | None) -> str | None:
    listener = LISTENERS.get(delivery.listener)
    event_type = CATALOGUE.get(row.name)
    if listener is None or event_type is None:
        # Declared or registered by another release (a newer machine, or since removed): left
        # pending for a worker that knows it; the admin page shows it waiting.
        session.commit()
        return None
    event = Event(id=row.id, type=event_type, occurred_at=row.occurred_at, payload=event_type.decode(row.payload))
    error = None
    session.info[NO_TRANSACTION_CONTROL] = (
        f"listener {listener.name} must not commit or roll back: the outbox runs it in a savepoint and "
        "commits its effects together with the delivery")
    try:
        with session.begin_nested():
            listener.func(event)
    except Exception as exc:
        error = exc
    finally:
        session.info.pop(NO_TRANSACTION_CONTROL, None)
    now = now or utcnow()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    if error is None:
        delivery.status = DONE
        delivery.delivered_at = now
    else:
        _log().warning("domain event %s #%s: listener %s failed (attempt %s)", row.name, row.id,
                       listener.name, delivery.attempts, exc_info=error)
        delivery.last_error = _error_text(error)
        if delivery.attempts >= max_attempts():
            delivery.status = FAILED
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
    status = delivery.status
    session.commit()
    return status if error is None or status == FAILED else RETRY


def _record_failure(delivery_id: int, exc: BaseException, now: datetime | None) -> None:
    session = db.session
    now = now or utcnow()
    try:
        with write_intent():
            attempts = session.scalar(select(EventDelivery.attempts).where(
                EventDelivery.id == delivery_id, EventDelivery.status == PENDING))
            if attempts is None:
                session.commit()
                return
            attempts += 1
            values = dict(attempts=attempts, last_attempt_at=now, last_error=_error_text(exc))
            if attempts >= max_attempts():
                values["status"] = FAILED
            else:
                values["next_attempt_at"] = now + backoff(attempts)
            session.execute(update(EventDelivery).where(EventDelivery.id == delivery_id,
                                                        EventDelivery.status == PENDING).values(**values))
            session.commit()
    except Exception:
        _log().exception("the failure of domain event delivery %s could not be recorded", delivery_id)
        _rollback(session)


def _rollback(session) -> None:
    session.info.pop(NO_TRANSACTION_CONTROL, None)
    try:
        session.rollback()
    except Exception:
        _log().exception("rollback failed")


def _error_text(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(exc)).strip()
    # The end of a traceback says where it failed; the start says the first frames.
    return text if len(text) <= ERROR_CHARS else "…" + text[-ERROR_CHARS:]


def _log():
    import logging
    return current_app.logger if has_app_context() else logging.getLogger("hub.domain_events")


# --- the worker --------------------------------------------------------------------------------

@dataclass
class RunReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.delivered + self.retrying + self.failed

    def __str__(self) -> str:
        return f"delivered {self.delivered}, to retry {self.retrying}, failed {self.failed}"


def run_due(now: datetime | None = None, limit: int | None = None) -> RunReport:
    """Deliver every pending delivery due at `now` (default: the moment the run starts), each in its
    own transaction. Several workers may run this at once: each delivery goes to one of them."""
    session = db.session
    due_at = now or utcnow()
    report = RunReport()
    while limit is None or report.total < limit:
        known = list(LISTENERS)
        if not known:
            break
        with write_intent():
            found = session.execute(_claim(EventDelivery.next_attempt_at <= due_at, EventDelivery.listener.in_(known),
                                           DomainEvent.name.in_(list(CATALOGUE)))
                                    .order_by(EventDelivery.next_attempt_at, EventDelivery.id).limit(1)).first()
            if found is None:
                session.commit()
                break
            try:
                status = _run(session, found[0], found[1], now)
            except Exception as exc:
                delivery_id = found[0].id
                _log().exception("domain event delivery %s could not be run", delivery_id)
                _rollback(session)
                _record_failure(delivery_id, exc, now)
                status = RETRY
        if status == DONE:
            report.delivered += 1
        elif status == FAILED:
            report.failed += 1
        elif status == RETRY:
            report.retrying += 1
        else:  # cannot happen (the claim takes known listeners and events only); never spin on it
            break
    return report


def replay(listener_name: str, since: datetime | None = None) -> int:
    """Create the missing deliveries of a listener for the stored events it listens to (those
    that happened before it was registered, or since `since`). Returns how many were added."""
    listener = LISTENERS.get(listener_name)
    if listener is None:
        raise LookupError(listener_name)
    now = utcnow()
    already = exists().where(EventDelivery.event_id == DomainEvent.id, EventDelivery.listener == listener_name)
    source = select(DomainEvent.id, bindparam("listener", listener_name), bindparam("status", PENDING),
                    bindparam("attempts", 0), bindparam("now", now, type_=UTCDateTime()),
                    bindparam("created", now, type_=UTCDateTime())
                    ).where(DomainEvent.name.in_(sorted(listener.events)), ~already)
    if since is not None:
        source = source.where(DomainEvent.occurred_at >= since)
    table = EventDelivery.__table__
    with write_intent():
        # RETURNING to count: the rowcount of INSERT ... SELECT is not reported by every driver.
        added = len(db.session.execute(insert(table).from_select(
            ["event_id", "listener", "status", "attempts", "next_attempt_at", "created_at"], source)
            .returning(table.c.id)).all())
        db.session.commit()
    return added


# --- the admin's view --------------------------------------------------------------------------

def status_counts() -> dict[str, int]:
    counts = dict(db.session.execute(select(EventDelivery.status, func.count(EventDelivery.id))
                                     .group_by(EventDelivery.status)).all())
    return {status: counts.get(status, 0) for status in (FAILED, PENDING, DONE)}


def deliveries_page(statuses: Iterable[str], page: int, per_page: int = 50) -> Page:
    """Deliveries in the given states with their events: failed first, then by next attempt."""
    statuses = list(statuses)
    total = db.session.scalar(select(func.count(EventDelivery.id)).where(EventDelivery.status.in_(statuses))) or 0
    rows = db.session.execute(
        select(EventDelivery, DomainEvent).join(DomainEvent, DomainEvent.id == EventDelivery.event_id)
        .where(EventDelivery.status.in_(statuses))
        .order_by((EventDelivery.status == FAILED).desc(), EventDelivery.next_attempt_at, EventDelivery.id)
        .limit(per_page).offset((page - 1) * per_page)).all()
    return Page([(d, e) for d, e in rows], page, per_page, total)


def is_known(delivery: EventDelivery) -> bool:
    return delivery.listener in LISTENERS


def retry(delivery_id: int) -> str | None:
    """An admin's retry: the delivery becomes due now (a failed one gets a fresh set of attempts)
    and is delivered at once. Returns its new status; None when it is done or unknown."""
    now = utcnow()
    with write_intent():
        delivery = db.session.scalar(select(EventDelivery).where(EventDelivery.id == delivery_id)
                                     .with_for_update())
        if delivery is None or delivery.status == DONE:
            db.session.commit()
            return None
        if delivery.status == FAILED:
            delivery.attempts = 0
        delivery.status = PENDING
        delivery.next_attempt_at = now
        db.session.commit()
    return deliver(delivery_id)


def retry_all() -> int:
    """Every failed delivery, and every pending one waiting for its backoff, becomes due now (the
    worker delivers them). Returns how many."""
    now = utcnow()
    with write_intent():
        failed = db.session.execute(update(EventDelivery).where(EventDelivery.status == FAILED)
                                    .values(status=PENDING, attempts=0, next_attempt_at=now)).rowcount
        waiting = db.session.execute(update(EventDelivery).where(
            EventDelivery.status == PENDING, EventDelivery.next_attempt_at > now)
            .values(next_attempt_at=now)).rowcount
        db.session.commit()
    return (failed or 0) + (waiting or 0)
