"""The rules of events: who sees an event, registering under a real lock, the waitlist's offers,
attendance. Routes, jobs and tests call these; nothing here needs a request.

Never overbooked (the pretix way): every change of who holds a seat locks the event row first
(`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the transaction begins as the writer, BEGIN
IMMEDIATE, which serialises writers), then recounts the seats held (registered + offered: an offer
holds its seat until it is confirmed or expires), then writes. Racing sign-ups therefore queue on
the lock, and each sees the count the previous one left.
"""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError

from ... import signals
from ...accounts.models import Organisation, User
from ...core import notifications
from ...core.services import audit
from ...database import utcnow, write_intent
from ...extensions import db
from ...program import rules as program_rules
from ...web import Page, absolute_url
from . import ics
from .models import (ACTIVE, CALENDAR_FIELDS, CANCELLED, CANCELLED_REG, EXPIRED, HIDDEN, HOLDS_SEAT, OFFERED, REGISTERED, SCHEDULED,
                     WAITLISTED, CalendarFeed, Event, Registration)

MAX_CAPACITY = 100_000


class EventError(Exception):
    """A change that is not allowed now; the message is for the user, already translated."""


class NotFound(EventError):
    """The object does not exist for this user (routes answer 404)."""


@contextmanager
def _writing():
    """A writing transaction; a refused change leaves nothing behind."""
    with write_intent():
        try:
            yield
        except Exception:
            db.session.rollback()
            raise


def _lock(event_id: int) -> Event:
    """The event row, locked until the transaction ends, re-read from the database."""
    event = db.session.scalar(select(Event).where(Event.id == event_id).with_for_update()
                              .execution_options(populate_existing=True))
    if event is None:
        raise NotFound(_("This event does not exist."))
    return event


# --- tiers and visibility -----------------------------------------------------------------------

def tier_codes() -> list[str]:
    return [tier.code for tier in program_rules.current().tiers]


def tier_name(code: str | None) -> str:
    tier = program_rules.current().tier(code) if code else None
    return str(tier.name) if tier else (code or "")


def _rank(code: str | None) -> int:
    codes = tier_codes()
    return codes.index(code) if code in codes else 0


def tier_allows(user: User, event: Event) -> bool:
    """The user's tier is enough for the event (the vendor's people are never locked out)."""
    if event.min_tier is None or user.is_vendor:
        return True
    return _rank(user.organisation.tier) >= _rank(event.min_tier)


def can_see(user: User, event: Event) -> bool:
    if user.is_vendor:
        return True
    return tier_allows(user, event) or event.tier_visibility != HIDDEN


def _visible_clause(user: User):
    """SQL: the events the user may see in lists (a hidden event above their tier is not there)."""
    if user.is_vendor:
        return True
    allowed = tier_codes()[:_rank(user.organisation.tier) + 1]
    return or_(Event.min_tier.is_(None), Event.min_tier.in_(allowed), Event.tier_visibility != HIDDEN)


def get_event(user: User, slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or not can_see(user, event):
        raise NotFound(_("This event does not exist."))
    return event


# --- the catalogue -------------------------------------------------------------------------------

@dataclass
class Filters:
    kind: str = ""
    format: str = ""
    region: str = ""
    language: str = ""
    tier: str = ""
    mine: bool = False
    when: str = "upcoming"  # "upcoming" | "past" | "all"

    def as_args(self) -> dict:
        args = {k: v for k, v in (("kind", self.kind), ("format", self.format), ("region", self.region),
                                  ("language", self.language), ("tier", self.tier)) if v}
        if self.mine:
            args["mine"] = "1"
        if self.when != "upcoming":
            args["when"] = self.when
        return args


def _filtered(user: User, filters: Filters, now: datetime):
    query = select(Event).where(_visible_clause(user))
    if filters.kind:
        query = query.where(Event.kind == filters.kind)
    if filters.format:
        query = query.where(Event.format == filters.format)
    if filters.region:
        query = query.where(Event.region == filters.region)
    if filters.language:
        query = query.where(Event.language == filters.language)
    if filters.tier:
        # Events open to a partner of that tier (and not above it).
        allowed = tier_codes()[:_rank(filters.tier) + 1]
        query = query.where(or_(Event.min_tier.is_(None), Event.min_tier.in_(allowed)))
    if filters.mine:
        query = query.where(Event.id.in_(select(Registration.event_id).where(
            Registration.user_id == user.id, Registration.status.in_(ACTIVE))))
    return query


def list_events(user: User, filters: Filters, page: int, per_page: int, now: datetime | None = None) -> Page:
    now = now or utcnow()
    query = _filtered(user, filters, now)
    if filters.when == "upcoming":
        query = _upcoming(query, now)
    elif filters.when == "past":
        query = query.where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        query = query.order_by(Event.starts_at.desc(), Event.id.desc())
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, total)


def _upcoming(query, now: datetime):
    """Events not yet over, the soonest first."""
    return query.where(Event.ends_at >= now).order_by(Event.starts_at, Event.id)


def coming(user: User, limit: int, now: datetime | None = None) -> list[Event]:
    """The next events the user may see (the home page's panel): the list's first rows, no count."""
    now = now or utcnow()
    return list(db.session.scalars(_upcoming(_filtered(user, Filters(), now), now).limit(limit)))


def month_events(user: User, filters: Filters, start: datetime, end: datetime) -> list[Event]:
    """Events overlapping [start, end) (UTC bounds of the month in the viewer's zone)."""
    query = _filtered(user, filters, start).where(Event.starts_at < end, Event.ends_at >= start)
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id).limit(1000)))


def my_statuses(user: User, event_ids: Iterable[int]) -> dict[int, str]:
    ids = list(event_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Registration.event_id, Registration.status).where(
        Registration.user_id == user.id, Registration.event_id.in_(ids))).all())


def seats_taken(event_ids: Iterable[int]) -> dict[int, int]:
    ids = list(event_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Registration.event_id, func.count()).where(
            Registration.event_id.in_(ids), Registration.status.in_(HOLDS_SEAT))
        .group_by(Registration.event_id)).all())


def _held(event_id: int, organisation_id: int | None = None) -> int:
    query = select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status.in_(HOLDS_SEAT))
    if organisation_id is not None:
        query = query.where(Registration.organisation_id == organisation_id)
    return db.session.scalar(query)


def waiting_count(event_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status == WAITLISTED))


def registration_of(user: User, event: Event) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.user_id == user.id))


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != WAITLISTED:
        return None
    ahead = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == registration.event_id, Registration.status == WAITLISTED,
        or_(Registration.queued_at < registration.queued_at,
            and_(Registration.queued_at == registration.queued_at, Registration.id < registration.id))))
    return ahead + 1


# --- managers: create, edit, cancel --------------------------------------------------------------

@dataclass
class EventInput:
    slug: str
    kind: str
    format: str
    language: str
    title_ru: str
    title_en: str
    summary_ru: str
    summary_en: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    registration_closes_at: datetime | None
    capacity: int
    org_seat_cap: int | None = None
    min_tier: str | None = None
    tier_visibility: str = "locked"
    offer_hours: int | None = None
    region: str | None = None
    venue: str | None = None
    city: str | None = None
    address: str | None = None
    map_url: str | None = None
    join_url: str | None = None
    recording_url: str | None = None
    slides_url: str | None = None
    questions: list = field(default_factory=list)
    agenda: list = field(default_factory=list)
    speakers: list = field(default_factory=list)


def check_input(data: EventInput, now: datetime, existing: Event | None = None) -> dict[str, str]:
    """Problems by field name (empty when the input may be saved)."""
    problems: dict[str, str] = {}
    if existing is None or existing.starts_at != data.starts_at:
        if data.starts_at <= now:
            problems["starts_at"] = _("The event must start in the future.")
    if data.ends_at <= data.starts_at:
        problems["ends_at"] = _("The end must be after the start.")
    elif data.ends_at - data.starts_at > timedelta(days=14):
        problems["ends_at"] = _("An event lasts at most 14 days.")
    if data.registration_closes_at is not None and data.registration_closes_at > data.starts_at:
        problems["registration_closes_at"] = _("Registration must close before the event starts.")
    if not 1 <= data.capacity <= MAX_CAPACITY:
        problems["capacity"] = _("Enter a number of seats from 1 to %(max)s.", max=MAX_CAPACITY)
    elif existing is not None and data.capacity < _held(existing.id):
        problems["capacity"] = _("%(count)s seats are already taken: the capacity cannot be lower.",
                                 count=_held(existing.id))
    if data.org_seat_cap is not None and not 1 <= data.org_seat_cap <= data.capacity:
        problems["org_seat_cap"] = _("Seats per organisation must be from 1 to the capacity.")
    if data.min_tier is not None and data.min_tier not in tier_codes():
        problems["min_tier"] = _("Choose a tier from the list.")
    if data.format in ("in_person", "hybrid") and not (data.city or "").strip():
        problems["city"] = _("An event in person needs a city.")
    if existing is None and db.session.scalar(select(Event.id).where(Event.slug == data.slug)):
        problems["slug"] = _("Another event already has this address.")
    return problems


def _apply(event: Event, data: EventInput) -> bool:
    """Copy the input onto the event; True when a calendar must follow the change."""
    changed = False
    for name, value in vars(data).items():
        if name == "slug" and event.id is not None:
            continue  # the address of an event stays (links in calendars and e-mail)
        if name == "registration_closes_at" and value is None:
            value = data.starts_at
        if name == "offer_hours" and value is None:
            value = program_rules.current().events.offer_hours
        if getattr(event, name) != value:
            changed = changed or name in CALENDAR_FIELDS
            setattr(event, name, value)
    return changed


def create_event(manager: User, data: EventInput, now: datetime | None = None) -> Event:
    now = now or utcnow()
    with _writing():
        problems = check_input(data, now)
        if problems:
            raise InvalidEvent(problems)
        event = Event(status=SCHEDULED, created_at=now, updated_at=now)
        _apply(event, data)
        event.slug = data.slug
        db.session.add(event)
        try:
            db.session.flush()
        except IntegrityError:
            raise InvalidEvent({"slug": _("Another event already has this address.")}) from None
        audit("community_event", event.id, "created", actor=manager)
        db.session.commit()
    return event


class InvalidEvent(EventError):
    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def update_event(manager: User, event_id: int, data: EventInput, now: datetime | None = None) -> Event:
    now = now or utcnow()
    with _writing():
        event = _lock(event_id)
        if event.is_cancelled:
            raise EventError(_("A cancelled event cannot be changed."))
        problems = check_input(data, now, existing=event)
        if problems:
            raise InvalidEvent(problems)
        if _apply(event, data):
            event.sequence += 1
            _tell_attendees(event, "events.changed", method="REQUEST")
        audit("community_event", event.id, "updated", actor=manager)
        db.session.flush()
        fill_free_seats(event, now)  # more capacity may free seats for the waitlist
        db.session.commit()
    return event


def cancel_event(manager: User, event_id: int, now: datetime | None = None) -> Event:
    now = now or utcnow()
    with _writing():
        event = _lock(event_id)
        if event.is_cancelled:
            raise EventError(_("This event is already cancelled."))
        if event.ends_at < now:
            raise EventError(_("A past event cannot be cancelled."))
        event.status = CANCELLED
        event.cancelled_at = now
        event.sequence += 1
        _tell_attendees(event, "events.cancelled", method="CANCEL")
        audit("community_event", event.id, "cancelled", actor=manager)
        db.session.commit()
    return event


def _tell_attendees(event: Event, key: str, method: str) -> None:
    """Everyone holding or queued for a seat hears of the change, with the calendar update."""
    rows = list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(ACTIVE))))
    for registration in rows:
        registration.sequence += 1
        attach = registration.status in HOLDS_SEAT
        _notify(registration, key, method=method if attach else None)


def _notify(registration: Registration, key: str, method: str | None = None, extra: dict | None = None) -> None:
    event = registration.event
    params = {"event": notifications.Translated({"ru": event.title_ru, "en": event.title_en}),
              "starts": event.starts_at}
    params.update(extra or {})
    attachments = None
    if method:
        attachments = [ics.Attachment("event.ics", ics.registration_calendar(registration, method),
                                      f"text/calendar; method={method}")]
    notifications.send([registration.user], key, obj=registration, params=params,
                       link_endpoint="events.show", link_values={"slug": event.slug},
                       attachments=attachments)


# --- registering ---------------------------------------------------------------------------------

def _refuse_unless_open(user: User, event: Event, now: datetime) -> None:
    if event.is_cancelled:
        raise EventError(_("This event is cancelled."))
    if now >= event.starts_at:
        raise EventError(_("This event has already started."))
    if now >= event.registration_closes_at:
        raise EventError(_("Registration for this event is closed."))
    if not tier_allows(user, event):
        raise EventError(_("This event is for partners of tier %(tier)s and above.", tier=tier_name(event.min_tier)))


def check_answers(event: Event, answers: dict[str, str]) -> dict[str, str]:
    problems = {}
    for question in event.questions or []:
        value = (answers.get(question["key"]) or "").strip()
        if question.get("required") and not value:
            problems[question["key"]] = _("Answer this question.")
        elif len(value) > 500:
            problems[question["key"]] = _("At most 500 characters.")
    return problems


def register(user: User, event_id: int, answers: dict[str, str] | None = None,
             now: datetime | None = None) -> Registration:
    """Register the user: a seat when one is free and nobody queues before them, else the waitlist."""
    now = now or utcnow()
    if not user.is_partner:
        raise EventError(_("Only partners register for events."))
    with _writing():
        event = _lock(event_id)
        if not can_see(user, event):
            raise NotFound(_("This event does not exist."))
        _refuse_unless_open(user, event, now)
        keys = {q["key"] for q in event.questions or []}
        answers = {k: (v or "").strip() for k, v in (answers or {}).items() if k in keys}
        problems = check_answers(event, answers)
        if problems:
            raise InvalidAnswers(problems)
        registration = registration_of(user, event)
        if registration is not None and registration.status in ACTIVE:
            raise EventError(_("You are already registered for this event.") if registration.status != WAITLISTED
                             else _("You are already on the waitlist of this event."))
        if event.org_seat_cap is not None and _held(event.id, user.organisation_id) >= event.org_seat_cap:
            raise EventError(_("Your organisation already holds its %(count)s seats for this event. "
                               "A partner admin can hand one of them to you.", count=event.org_seat_cap))
        # First come, first served: with people queued, a newcomer queues behind them even if a seat
        # is free at this instant (that seat is about to be offered to the first of them).
        seat = _held(event.id) < event.capacity and waiting_count(event.id) == 0
        status = REGISTERED if seat else WAITLISTED
        if registration is None:
            registration = Registration(event_id=event.id, user_id=user.id, organisation_id=user.organisation_id,
                                        created_at=now)
            db.session.add(registration)
        else:
            registration.sequence += 1
        registration.status = status
        registration.organisation_id = user.organisation_id
        registration.answers = answers
        registration.queued_at = now
        registration.cancelled_at = registration.offered_at = registration.offer_expires_at = None
        registration.reminded_24h_at = registration.reminded_1h_at = None
        db.session.flush()
        registration.event = event
        if status == REGISTERED:
            _notify(registration, "events.registered", method="REQUEST")
        else:
            _notify(registration, "events.waitlisted", extra={"position": waitlist_position(registration)})
        db.session.commit()
    return registration


class InvalidAnswers(EventError):
    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def _own_registration(user: User, registration_id: int, for_update: bool = True) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.user_id != user.id:
        raise NotFound(_("This registration does not exist."))
    return registration


def cancel_registration(user: User, registration_id: int, now: datetime | None = None) -> Registration:
    """Give up a seat, an offer or a place on the waitlist; a freed seat goes to the waitlist."""
    now = now or utcnow()
    with _writing():
        registration = _own_registration(user, registration_id)
        event = _lock(registration.event_id)
        db.session.refresh(registration)
        if registration.status not in ACTIVE:
            raise EventError(_("This registration is already cancelled."))
        if now >= event.starts_at:
            raise EventError(_("This event has already started."))
        held = registration.status in HOLDS_SEAT
        registration.status = CANCELLED_REG
        registration.cancelled_at = now
        registration.sequence += 1
        if held:
            _notify(registration, "events.registration_cancelled", method="CANCEL")
        db.session.flush()
        fill_free_seats(event, now)
        db.session.commit()
    return registration


def confirm_offer(user: User, registration_id: int, now: datetime | None = None) -> Registration:
    now = now or utcnow()
    with _writing():
        registration = _own_registration(user, registration_id)
        event = _lock(registration.event_id)
        db.session.refresh(registration)
        if registration.status != OFFERED:
            raise EventError(_("There is no seat offered to you for this event."))
        if registration.offer_expires_at <= now:
            raise EventError(_("The offer has expired: the seat went to the next person on the waitlist."))
        if event.is_cancelled or now >= event.starts_at:
            raise EventError(_("This event has already started."))
        registration.status = REGISTERED
        registration.sequence += 1
        _notify(registration, "events.registered", method="REQUEST")
        db.session.commit()
    return registration


def hand_over(admin: User, registration_id: int, colleague_id: int, now: datetime | None = None) -> Registration:
    """A partner admin gives a seat of their organisation to a colleague (the seat stays theirs)."""
    now = now or utcnow()
    if not admin.is_partner_admin:
        raise EventError(_("Only a partner admin can hand a seat over."))
    with _writing():
        registration = db.session.get(Registration, registration_id)
        if registration is None or registration.organisation_id != admin.organisation_id:
            raise NotFound(_("This registration does not exist."))
        event = _lock(registration.event_id)
        db.session.refresh(registration)
        colleague = db.session.get(User, colleague_id)
        if (colleague is None or colleague.organisation_id != admin.organisation_id
                or not colleague.is_active_user):
            raise InvalidAnswers({"colleague": _("Choose a colleague from your organisation.")})
        if registration.status != REGISTERED:
            raise EventError(_("Only a confirmed seat can be handed over."))
        if now >= event.starts_at:
            raise EventError(_("This event has already started."))
        if colleague.id == registration.user_id:
            raise InvalidAnswers({"colleague": _("This seat is already theirs.")})
        theirs = registration_of(colleague, event)
        if theirs is not None and theirs.status in ACTIVE:
            raise InvalidAnswers({"colleague": _("%(name)s is already registered or on the waitlist.",
                                                 name=colleague.name)})
        # The former holder's calendar drops the event; the colleague's gets it.
        registration.sequence += 1
        _notify(registration, "events.registration_cancelled", method="CANCEL")
        previous = registration.user_id
        if theirs is not None:
            db.session.delete(theirs)
            db.session.flush()
        registration.user_id = colleague.id
        registration.sequence += 1
        registration.reminded_24h_at = registration.reminded_1h_at = None
        db.session.flush()
        db.session.refresh(registration)
        _notify(registration, "events.seat_handed", method="REQUEST", extra={"by": admin.name})
        audit("community_event_registration", registration.id, "handed_over", actor=admin,
              organisation_id=admin.organisation_id, previous_user_id=previous, user_id=colleague.id)
        db.session.commit()
    return registration


def colleagues(admin: User, event: Event) -> list[User]:
    """The admin's colleagues a seat can go to: active, not already registered or queued."""
    taken = select(Registration.user_id).where(Registration.event_id == event.id, Registration.status.in_(ACTIVE))
    return list(db.session.scalars(select(User).where(
        User.organisation_id == admin.organisation_id, User.is_active_user.is_(True),
        User.id.not_in(taken)).order_by(User.name)))


def org_registrations(admin: User, event: Event) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.organisation_id == admin.organisation_id,
        Registration.status.in_(ACTIVE)).order_by(Registration.queued_at)))


# --- the waitlist ----------------------------------------------------------------------------------

def fill_free_seats(event: Event, now: datetime) -> int:
    """Expire the offers whose time is over, then offer each free seat to the next person in the
    queue. Call with the event row locked (it recounts). Returns the number of offers made.

    Idempotent: a second call finds no free seat. Never after registration closes or the event starts.
    """
    for registration in db.session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.status == OFFERED,
            Registration.offer_expires_at <= now)):
        registration.status = EXPIRED
        _notify(registration, "events.offer_expired")
    db.session.flush()
    if event.is_cancelled or now >= event.registration_closes_at or now >= event.starts_at:
        return 0
    free = event.capacity - _held(event.id)
    if free <= 0:
        return 0
    queue = list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == WAITLISTED)
        .order_by(Registration.queued_at, Registration.id).limit(free)))
    hours = event.offer_hours or program_rules.current().events.offer_hours
    for registration in queue:
        registration.status = OFFERED
        registration.offered_at = now
        # An offer never outlives the registration window.
        registration.offer_expires_at = min(now + timedelta(hours=hours), event.registration_closes_at)
        _notify(registration, "events.seat_offered",
                extra={"until": registration.offer_expires_at})
    db.session.flush()
    return len(queue)


def promote_waitlists(now: datetime | None = None) -> int:
    """The tick's job: every event with an expired offer, or a free seat and a queue."""
    now = now or utcnow()
    free_or_expired = select(Registration.event_id).where(or_(
        and_(Registration.status == OFFERED, Registration.offer_expires_at <= now),
        Registration.status == WAITLISTED)).distinct()
    ids = list(db.session.scalars(select(Event.id).where(
        Event.id.in_(free_or_expired), Event.status == SCHEDULED, Event.ends_at >= now - timedelta(days=1))))
    db.session.rollback()
    offers = 0
    for event_id in ids:
        with _writing():
            event = _lock(event_id)
            offers += fill_free_seats(event, now)
            db.session.commit()
    return offers


# --- reminders and follow-ups -------------------------------------------------------------------------

def send_reminders(now: datetime | None = None) -> dict[str, int]:
    """24 h and 1 h before the start, once each (the stamp is set in the transaction that sends it)."""
    now = now or utcnow()
    sent = {"24h": 0, "1h": 0}
    with _writing():
        for label, column, ahead in (("24h", Registration.reminded_24h_at, timedelta(hours=24)),
                                     ("1h", Registration.reminded_1h_at, timedelta(hours=1))):
            rows = list(db.session.scalars(
                select(Registration).join(Event, Event.id == Registration.event_id).where(
                    Registration.status == REGISTERED, column.is_(None), Event.status == SCHEDULED,
                    Event.starts_at > now, Event.starts_at <= now + ahead)
                .with_for_update(of=Registration)))
            for registration in rows:
                if label == "24h" and registration.event.starts_at <= now + timedelta(hours=1):
                    registration.reminded_24h_at = now  # the 1 h reminder says it all
                    continue
                setattr(registration, column.key, now)
                _notify(registration, f"events.reminder_{label}")
                sent[label] += 1
        db.session.commit()
    return sent


def follow_up_no_shows(now: datetime | None = None) -> int:
    """After an event with a recording, registered people who did not come get the recording."""
    now = now or utcnow()
    count = 0
    with _writing():
        rows = list(db.session.scalars(
            select(Registration).join(Event, Event.id == Registration.event_id).where(
                Registration.status == REGISTERED, Registration.attended_at.is_(None),
                Registration.followed_up_at.is_(None), Event.status == SCHEDULED, Event.ends_at <= now,
                Event.ends_at > now - timedelta(days=30), Event.recording_url.is_not(None))
            .with_for_update(of=Registration)))
        for registration in rows:
            registration.followed_up_at = now
            _notify(registration, "events.recording")
            count += 1
        db.session.commit()
    return count


# --- online: join links and recordings ---------------------------------------------------------------

def join_link(user: User, event: Event, now: datetime | None = None) -> str | None:
    """The join link: only for a registered person, only from a few minutes before the start."""
    now = now or utcnow()
    if not event.join_url or event.is_cancelled or not event.is_online:
        return None
    registration = registration_of(user, event)
    if registration is None or registration.status != REGISTERED:
        return None
    minutes = program_rules.current().events.join_link_minutes
    if not event.starts_at - timedelta(minutes=minutes) <= now <= event.ends_at:
        return None
    return event.join_url


def join_opens_at(event: Event) -> datetime:
    return event.starts_at - timedelta(minutes=program_rules.current().events.join_link_minutes)


def may_see_materials(user: User, event: Event, now: datetime | None = None) -> bool:
    """Recording and slides after the event: the vendor, and people of an organisation that registered."""
    now = now or utcnow()
    if event.ends_at > now or not (event.recording_url or event.slides_url):
        return False
    if user.is_vendor:
        return True
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.organisation_id == user.organisation_id,
        Registration.status.in_((REGISTERED, OFFERED)))) > 0


# --- attendance (C3) ---------------------------------------------------------------------------

def attendees(event: Event, search: str = "", limit: int = 500) -> list[Registration]:
    query = (select(Registration).join(User, User.id == Registration.user_id)
             .join(Organisation, Organisation.id == Registration.organisation_id)
             .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE)))
    if search:
        like = f"%{search.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like),
                                func.lower(Organisation.name).like(like)))
    order = case((Registration.status == REGISTERED, 0), (Registration.status == OFFERED, 1), else_=2)
    return list(db.session.scalars(query.order_by(order, Registration.queued_at, Registration.id).limit(limit)))


def check_in(manager: User, event_id: int, registration_ids: Iterable[int], now: datetime | None = None) -> int:
    """Mark people as attended; each new attendance emits event_attended (once: the stamp guards it)."""
    now = now or utcnow()
    ids = list(registration_ids)
    with _writing():
        event = _lock(event_id)
        if event.is_cancelled:
            raise EventError(_("This event is cancelled."))
        if now < event.starts_at - timedelta(hours=2):
            raise EventError(_("Check-in opens two hours before the start."))
        rows = list(db.session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.id.in_(ids))))
        if len(rows) != len(set(ids)):
            raise NotFound(_("This registration does not exist."))
        count = _mark_attended(manager, event, rows, now)
        db.session.commit()
    return count


def _mark_attended(manager: User, event: Event, rows: list[Registration], now: datetime) -> int:
    count = 0
    for registration in rows:
        if registration.status != REGISTERED:
            raise EventError(_("%(name)s holds no confirmed seat.", name=registration.user.name))
        if registration.attended_at is not None:
            continue
        registration.attended_at = now
        registration.checked_in_by_id = manager.id
        signals.event_attended.emit(registration_id=registration.id, event_id=event.id,
                                    user_id=registration.user_id, organisation_id=registration.organisation_id,
                                    attended_at=now)
        count += 1
    return count


def undo_check_in(manager: User, event_id: int, registration_id: int) -> None:
    """Correct a mistaken check-in (the points stay: the rewards ledger is append-only)."""
    with _writing():
        _lock(event_id)
        registration = db.session.get(Registration, registration_id)
        if registration is None or registration.event_id != event_id:
            raise NotFound(_("This registration does not exist."))
        registration.attended_at = None
        audit("community_event_registration", registration.id, "check_in_undone", actor=manager)
        db.session.commit()


@dataclass
class ImportResult:
    checked_in: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, value, problem)


def import_attendance(manager: User, event_id: int, lines: list[list[str]], now: datetime | None = None) -> ImportResult:
    """A CSV of e-mail addresses (first column; a header row is skipped). Every row is checked first;
    with any problem nothing is imported and each bad row is reported."""
    now = now or utcnow()
    result = ImportResult()
    with _writing():
        event = _lock(event_id)
        if now < event.starts_at - timedelta(hours=2) or event.is_cancelled:
            raise EventError(_("Check-in opens two hours before the start."))
        by_email = {row.user.email.lower(): row for row in db.session.scalars(select(Registration).where(
            Registration.event_id == event.id))}
        chosen: list[Registration] = []
        seen: set[str] = set()
        for number, cells in enumerate(lines, start=1):
            value = (cells[0] if cells else "").strip()
            if number == 1 and value.lower() in ("email", "e-mail", "почта", "эл. почта"):
                continue
            if not value:
                continue
            key = value.lower()
            registration = by_email.get(key)
            if "@" not in value:
                result.errors.append((number, value, _("Not an e-mail address.")))
            elif registration is None:
                result.errors.append((number, value, _("Nobody with this address registered for the event.")))
            elif registration.status != REGISTERED:
                result.errors.append((number, value, _("This person holds no confirmed seat.")))
            elif key in seen:
                result.errors.append((number, value, _("This address is in the file twice.")))
            else:
                seen.add(key)
                chosen.append(registration)
        if not chosen and not result.errors:
            result.errors.append((0, "", _("The file holds no e-mail addresses.")))
        if result.errors:
            db.session.rollback()
            return result
        result.checked_in = _mark_attended(manager, event, chosen, now)
        db.session.commit()
    return result


def attended_history(user: User, limit: int = 20) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(
        Registration.user_id == user.id, Registration.attended_at.is_not(None))
        .order_by(Registration.attended_at.desc()).limit(limit)))


# --- manager views -------------------------------------------------------------------------------

def event_counts(event_id: int) -> dict[str, int]:
    rows = dict(db.session.execute(select(Registration.status, func.count()).where(
        Registration.event_id == event_id).group_by(Registration.status)).all())
    attended = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.attended_at.is_not(None)))
    counts = {status: rows.get(status, 0) for status in (REGISTERED, OFFERED, WAITLISTED, CANCELLED_REG, EXPIRED)}
    counts["attended"] = attended
    counts["rate"] = round(100 * attended / counts[REGISTERED]) if counts[REGISTERED] else None
    return counts


def attendance_by(event_id: int | None, column: str) -> list[tuple[str, int, int]]:
    """(tier or segment, registered, attended), for one event or all past events."""
    group = getattr(Organisation, column)
    query = (select(group, func.count(), func.count(Registration.attended_at))
             .join(Organisation, Organisation.id == Registration.organisation_id)
             .where(Registration.status == REGISTERED))
    if event_id is not None:
        query = query.where(Registration.event_id == event_id)
    return [(key or "", registered, attended) for key, registered, attended in
            db.session.execute(query.group_by(group).order_by(group)).all()]


def stats_rows(now: datetime | None = None, limit: int = 200) -> list[tuple[Event, dict[str, int]]]:
    """Per event: seats held, waitlist, attended (the manager's overview), newest first."""
    now = now or utcnow()
    events = list(db.session.scalars(select(Event).order_by(Event.starts_at.desc()).limit(limit)))
    ids = [e.id for e in events]
    counts: dict[int, dict[str, int]] = {i: {REGISTERED: 0, OFFERED: 0, WAITLISTED: 0, "attended": 0} for i in ids}
    if ids:
        for event_id, status, number in db.session.execute(
                select(Registration.event_id, Registration.status, func.count())
                .where(Registration.event_id.in_(ids)).group_by(Registration.event_id, Registration.status)):
            if status in counts[event_id]:
                counts[event_id][status] = number
        for event_id, number in db.session.execute(
                select(Registration.event_id, func.count()).where(
                    Registration.event_id.in_(ids), Registration.attended_at.is_not(None))
                .group_by(Registration.event_id)):
            counts[event_id]["attended"] = number
    for values in counts.values():
        values["rate"] = round(100 * values["attended"] / values[REGISTERED]) if values[REGISTERED] else None
    return [(event, counts[event.id]) for event in events]


def registrations_for_export(event: Event) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                   .order_by(Registration.queued_at, Registration.id)))


# --- the calendar feed ---------------------------------------------------------------------------

def feed_token(user: User, regenerate: bool = False) -> str:
    """The person's feed token, made on first use; `regenerate` ends the old address."""
    feed = db.session.get(CalendarFeed, user.id)
    if feed is not None and not regenerate:
        return feed.token
    db.session.commit()  # end the reading transaction: the write below begins as a writer
    with _writing():
        feed = db.session.get(CalendarFeed, user.id)
        if feed is None:
            feed = CalendarFeed(user_id=user.id, token=secrets.token_urlsafe(32), created_at=utcnow())
            db.session.add(feed)
        elif regenerate:
            feed.token = secrets.token_urlsafe(32)
            feed.created_at = utcnow()
        token = feed.token
        db.session.commit()
    return token


def absolute_feed_url(token: str) -> str:
    return absolute_url("events.feed", token=token)


def feed_owner(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    if feed is None or not secrets.compare_digest(feed.token, token):
        return None
    user = db.session.get(User, feed.user_id)
    return user if user is not None and user.is_active_user else None


def feed_registrations(user: User, now: datetime | None = None) -> list[Registration]:
    """The person's own seats, from 90 days back (a feed of years would grow without end)."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Registration).join(Event, Event.id == Registration.event_id).where(
            Registration.user_id == user.id, Registration.status.in_((REGISTERED, CANCELLED_REG)),
            Event.ends_at >= now - timedelta(days=90))
        .order_by(Event.starts_at).limit(500)))


def zone_name(event: Event) -> str:
    return event.timezone


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def organisation_by_id(org_id: int) -> Organisation | None:
    return db.session.get(Organisation, org_id)


def as_dict(event: Event) -> dict[str, Any]:
    return {name: getattr(event, name) for name in vars(EventInput(
        **{k: None for k in EventInput.__dataclass_fields__})).keys()}
