"""The events' demo data: registrations, waitlists and attendance for the content's program, and
`demo large` (thousands of events, hundreds of thousands of registrations) for the benchmarks."""
from __future__ import annotations

from datetime import timedelta

import click
from sqlalchemy import func, insert, select

from ... import signals
from ...accounts.models import PARTNER_ROLES, Organisation, User
from ...core.cli import DemoContext, demo_step
from ...extensions import db
from .models import REGISTERED, WAITLISTED, Event, Registration

# About two in three registered people come to an event (a typical rate for free B2B events).
ATTENDED_DEMO_SHARE = 0.65


@demo_step("community-events", order=70)
def demo(ctx: DemoContext) -> dict | None:
    """Partners registered for the program's events: past ones with attendance (so points, the
    first-event badge and the history on profiles show), coming ones partly full, one with a waitlist."""
    if db.session.scalar(select(func.count()).select_from(Registration)):
        return None
    events = list(db.session.scalars(select(Event).order_by(Event.starts_at, Event.id)))
    if not events:
        # Not "already present": there is nothing to register for until `content load` brings the events.
        click.echo("community-events demo skipped: no events loaded (run `flask --app hub content load`)")
        return {}
    tiers = {"bronze": 0, "silver": 1, "gold": 2, "platinum": 3}
    people = list(db.session.execute(
        select(User, Organisation).join(Organisation, Organisation.id == User.organisation_id)
        .where(User.role.in_(PARTNER_ROLES)).order_by(User.id)).all())
    registrations = attended = waitlisted = 0
    for event in events:
        allowed = [(u, o) for u, o in people
                   if event.min_tier is None or tiers.get(o.tier, 0) >= tiers.get(event.min_tier, 0)]
        if not allowed:
            continue
        # Small events are oversubscribed (their waitlist shows); larger ones fill to a third or more.
        wanted = min(len(allowed), event.capacity + 4 if event.capacity <= 15 else
                     ctx.rng.randint(max(1, event.capacity // 10), max(1, event.capacity // 3)))
        chosen = ctx.rng.sample(allowed, wanted)
        seats: dict[int, int] = {}
        past = event.ends_at < ctx.now
        for n, (user, org) in enumerate(chosen):
            at = min(event.registration_closes_at, ctx.now) - timedelta(days=20) + timedelta(minutes=37 * n)
            held = sum(seats.values())
            capped = event.org_seat_cap is not None and seats.get(org.id, 0) >= event.org_seat_cap
            if capped:
                continue
            status = REGISTERED if held < event.capacity else WAITLISTED
            if status == REGISTERED:
                seats[org.id] = seats.get(org.id, 0) + 1
            came = past and status == REGISTERED and ctx.rng.random() < ATTENDED_DEMO_SHARE
            db.session.add(Registration(event_id=event.id, user_id=user.id, organisation_id=org.id, status=status,
                                        answers={}, created_at=at, queued_at=at,
                                        attended_at=event.starts_at + timedelta(minutes=10) if came else None))
            registrations += 1
            attended += came
            waitlisted += status == WAITLISTED
    db.session.flush()
    # Attendance reaches rewards (points, the first-event badge) the way it does in the hub.
    for registration in db.session.scalars(select(Registration).where(Registration.attended_at.is_not(None))):
        signals.event_attended.emit(registration_id=registration.id, event_id=registration.event_id,
                                    user_id=registration.user_id, organisation_id=registration.organisation_id,
                                    attended_at=registration.attended_at)
    return {"registrations": registrations, "attended": attended, "waitlisted": waitlisted}


KINDS = ("webinar", "summit", "meetup", "training", "office_visit")
FORMATS = {"webinar": "online", "summit": "in_person", "meetup": "in_person", "training": "hybrid",
           "office_visit": "in_person"}


@demo_step("community-events", order=70, large=True)
def large(ctx: DemoContext) -> dict:
    """`events` events (default 2,000) over three years around today, and `event_registrations`
    (default 200,000) registrations spread over them and the partner people."""
    count = int(ctx.options.get("events", 2000))
    wanted = int(ctx.options.get("event_registrations", 200_000))
    batch = int(ctx.options.get("batch", 5000))
    start = db.session.scalar(select(func.count()).select_from(Event)) or 0
    rows = []
    for n in range(count):
        kind = KINDS[n % len(KINDS)]
        begins = ctx.now - timedelta(days=540) + timedelta(hours=13 * n)
        rows.append(dict(
            slug=f"bench-{start + n + 1}", kind=kind, format=FORMATS[kind], language="ru" if n % 4 else "en",
            region=None, title_ru=f"Мероприятие {start + n + 1}", title_en=f"Event {start + n + 1}",
            summary_ru="Нагрузочное мероприятие.", summary_en="A benchmark event.", timezone="Europe/Moscow",
            starts_at=begins, ends_at=begins + timedelta(hours=2), registration_closes_at=begins,
            capacity=150, org_seat_cap=None, min_tier="gold" if n % 25 == 0 else None, tier_visibility="locked",
            offer_hours=24, questions=[], agenda=[], speakers=[], status="scheduled", sequence=0,
            from_content=False, created_at=ctx.now, updated_at=ctx.now, city="Москва" if kind != "webinar" else None))
    for i in range(0, len(rows), batch):
        db.session.execute(insert(Event), rows[i:i + batch])
    event_ids = list(db.session.scalars(select(Event.id).where(Event.slug.like("bench-%")).order_by(Event.id)))
    event_ids = event_ids[-count:]
    people = list(db.session.execute(select(User.id, User.organisation_id).where(
        User.role.in_(PARTNER_ROLES)).order_by(User.id)).all())
    if not people or not event_ids:
        return {"events": count, "registrations": 0}
    per_event = max(1, min(len(people), wanted // len(event_ids)))
    made = 0
    chunk = []
    for index, event_id in enumerate(event_ids):
        offset = (index * 7919) % len(people)
        for k in range(per_event):
            if made >= wanted:
                break
            user_id, org_id = people[(offset + k) % len(people)]
            at = ctx.now - timedelta(days=600) + timedelta(minutes=index)
            chunk.append(dict(event_id=event_id, user_id=user_id, organisation_id=org_id,
                              status=REGISTERED if k < 150 else WAITLISTED, answers={}, created_at=at, queued_at=at,
                              sequence=0, attended_at=at if k % 3 == 0 and index < len(event_ids) // 2 else None))
            made += 1
            if len(chunk) >= batch:
                db.session.execute(insert(Registration), chunk)
                chunk = []
    if chunk:
        db.session.execute(insert(Registration), chunk)
    return {"events": count, "registrations": made}
