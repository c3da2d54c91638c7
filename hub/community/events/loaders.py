"""`content/events/<slug>.yml`: the program's events, one file each (upserted by slug).

    kind: summit                  # webinar | summit | meetup | training | office_visit
    format: in_person             # online | in_person | hybrid
    language: ru                  # the language it is held in
    region: moscow                # optional, a region code of program.yml
    title: {ru: ..., en: ...}
    summary: {ru: ..., en: ...}
    timezone: Europe/Moscow       # where it happens; the times below are local to it
    starts: "2027-03-18 10:00"
    ends: "2027-03-18 18:00"
    registration_closes: "2027-03-15 18:00"   # optional (default: the start)
    capacity: 120
    org_seat_cap: 3               # optional: seats one partner organisation may hold
    min_tier: platinum            # optional: only this tier and above may register
    tier_visibility: hidden       # hidden | locked (shown to lower tiers, but closed)
    offer_hours: 24               # optional: how long a freed seat is held for the next on the waitlist
    venue / city / address / map_url / join_url / recording_url / slides_url   # optional
    questions: [{key: diet, label: {ru, en}, required: false}]
    agenda: [{time: "10:00", title: {ru, en}, speaker: Name}]
    speakers: [{name: Name, role: {ru, en}}]

A file whose content changed updates its event (a change of time or place raises the event's
SEQUENCE and tells the registrants); an event a manager created in the hub is never touched.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Annotated, Callable, Optional
from zoneinfo import ZoneInfo

import click
import yaml
from pydantic import BeforeValidator, field_validator, model_validator
from sqlalchemy import select

from ...content import ContentError
from ...core.cli import content_loader
from ...database import write_intent
from ...extensions import db
from ...program import rules as program_rules
from ...schema import Bool, LimitedText, ListOf, Model, TimeZone, WholeNumber, one_of, problem_at, validate
from .models import CALENDAR_FIELDS, FORMATS, KINDS, LANGUAGES, VISIBILITIES, Event

URL_PREFIXES = ("https://", "http://")


def _local_time(value):
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"must be a local date and time such as \"2027-03-18 10:00\", got {value!r}")
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"must be a local date and time such as \"2027-03-18 10:00\", got {value!r}") from None


def _url(value):
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith(URL_PREFIXES) or len(value) > 500:
        raise ValueError(f"must be an http(s) address, got {value!r}")
    return value


LocalTime = Annotated[datetime, BeforeValidator(_local_time)]
Url = Annotated[Optional[str], BeforeValidator(_url)]


def _key(value):
    if not isinstance(value, str) or not value.isascii() or not value.isidentifier() or len(value) > 30:
        raise ValueError(f"must be a short name of letters, digits and _, got {value!r}")
    return value


class Question(Model):
    key: Annotated[str, BeforeValidator(_key)]
    label: LimitedText(200)
    required: Bool = False


class AgendaItem(Model):
    time: str
    title: LimitedText(300)
    speaker: Optional[str] = None


class Speaker(Model):
    name: str
    role: LimitedText(200)


class EventFile(Model):
    kind: one_of(KINDS)
    format: one_of(FORMATS)
    language: one_of(LANGUAGES) = "ru"
    region: Optional[str] = None
    title: LimitedText(200)
    summary: LimitedText(2000)
    timezone: TimeZone
    starts: LocalTime
    ends: LocalTime
    registration_closes: Optional[LocalTime] = None
    capacity: WholeNumber(1, 100_000)
    org_seat_cap: WholeNumber(1, 100_000, optional=True) = None
    min_tier: Optional[str] = None
    tier_visibility: one_of(VISIBILITIES) = "locked"
    offer_hours: WholeNumber(1, 24 * 14, optional=True) = None
    venue: Optional[str] = None
    city: Optional[str] = None
    address: Optional[str] = None
    map_url: Url = None
    join_url: Url = None
    recording_url: Url = None
    slides_url: Url = None
    questions: ListOf[Question] = ()
    agenda: ListOf[AgendaItem] = ()
    speakers: ListOf[Speaker] = ()

    @field_validator("region")
    @classmethod
    def _a_region(cls, value):
        if value is not None and program_rules.current().region(value) is None:
            raise ValueError(f"is not one of the regions of program.yml: {value!r}")
        return value

    @field_validator("min_tier")
    @classmethod
    def _a_tier(cls, value):
        if value is not None and program_rules.current().tier(value) is None:
            raise ValueError(f"is not one of the tiers of program.yml: {value!r}")
        return value

    @model_validator(mode="after")
    def _times_in_order(self):
        if self.ends <= self.starts:
            raise problem_at(("ends",), "must be after starts")
        if self.registration_closes is not None and self.registration_closes > self.starts:
            raise problem_at(("registration_closes",), "must be at or before starts")
        if self.format != "online" and not self.city:
            raise problem_at(("city",), "is needed for an event in person or hybrid")
        return self


def _utc(local: datetime, zone: str) -> datetime:
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))


def read_events(folder: Path) -> list[tuple[str, EventFile, str]]:
    found = []
    for path in sorted(folder.glob("*.yml")):
        slug = path.stem
        text = path.read_text(encoding="utf-8")
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ContentError(path, f"not valid YAML: {exc}") from None
        found.append((slug, validate(EventFile, data, path), hashlib.sha256(text.encode()).hexdigest()))
    return found


def apply(event: Event, source: EventFile) -> bool:
    """Copy the file onto the event; True when a calendar must follow the change."""
    values = dict(
        kind=source.kind, format=source.format, language=source.language, region=source.region,
        title_ru=source.title.ru, title_en=source.title.en, summary_ru=source.summary.ru,
        summary_en=source.summary.en, timezone=source.timezone,
        starts_at=_utc(source.starts, source.timezone), ends_at=_utc(source.ends, source.timezone),
        registration_closes_at=_utc(source.registration_closes or source.starts, source.timezone),
        capacity=source.capacity, org_seat_cap=source.org_seat_cap, min_tier=source.min_tier,
        tier_visibility=source.tier_visibility,
        offer_hours=source.offer_hours or program_rules.current().events.offer_hours,
        venue=source.venue, city=source.city, address=source.address, map_url=source.map_url,
        join_url=source.join_url, recording_url=source.recording_url, slides_url=source.slides_url,
        questions=[{"key": q.key, "label": {"ru": q.label.ru, "en": q.label.en}, "required": q.required}
                   for q in source.questions],
        agenda=[{"time": a.time, "title": {"ru": a.title.ru, "en": a.title.en}, "speaker": a.speaker}
                for a in source.agenda],
        speakers=[{"name": s.name, "role": {"ru": s.role.ru, "en": s.role.en}} for s in source.speakers],
    )
    changed = False
    for name, value in values.items():
        if getattr(event, name) != value:
            changed = changed or name in CALENDAR_FIELDS
            setattr(event, name, value)
    return changed


def sync_events(folder: Path) -> dict[str, int]:
    sources = read_events(folder)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with write_intent():
        existing = {e.slug: e for e in db.session.scalars(select(Event))}
        for slug, source, checksum in sources:
            event = existing.get(slug)
            if event is not None and not event.from_content:
                raise ContentError(folder / f"{slug}.yml", "an event with this address was created in the hub; "
                                                           "rename the file")
            if event is None:
                event = Event(slug=slug, from_content=True, status="scheduled")
                apply(event, source)
                event.checksum = checksum
                db.session.add(event)
                counts["created"] += 1
            elif event.checksum != checksum:
                if apply(event, source) and event.id is not None:
                    event.sequence += 1
                event.checksum = checksum
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        db.session.flush()
    return counts


@content_loader("events")
def load_events(directory: str, echo: Callable[[str], None]) -> dict[str, int]:
    folder = Path(directory) / "events"
    if not folder.is_dir():
        echo(f"events: {folder} does not exist, events left as they are")
        return {}
    try:
        return sync_events(folder)
    except ContentError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
