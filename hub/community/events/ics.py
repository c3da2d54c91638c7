"""iCalendar files (C2) with `icalendar`: per event (PUBLISH), per registration (REQUEST / CANCEL,
attached to the e-mail), and a person's subscription feed.

The mistakes calendars are known for, avoided here: every time carries its TZID and the file has the
matching VTIMEZONE (built from the zoneinfo database, DST rules included), never a floating time;
the UID of an event is the same in every file, feed and e-mail, so a calendar updates the entry it
has instead of adding a second; SEQUENCE only grows (event changes + this person's changes), so an
update or a cancellation supersedes what the calendar holds.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Timezone, vCalAddress, vText
from icalendar import Event as VEvent

from ...database import utcnow
from ...web import absolute_url
from .models import CANCELLED, CANCELLED_REG, Event, Registration

PRODID = "-//Partner Hub//Events//EN"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    content_type: str


def uid(event: Event) -> str:
    host = urlsplit(current_app.config["HUB_BASE_URL"]).hostname or "partner-hub"
    return f"event-{event.id}@{host}"


def _calendar(method: str, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _vevent(event: Event, locale: str, sequence: int, cancelled: bool, stamp: datetime) -> VEvent:
    zone = ZoneInfo(event.timezone)
    item = VEvent()
    item.add("uid", uid(event))
    item.add("dtstamp", stamp)
    item.add("sequence", sequence)
    item.add("dtstart", event.starts_at.astimezone(zone))
    item.add("dtend", event.ends_at.astimezone(zone))
    item.add("summary", event.title(locale))
    description = event.summary(locale)
    link = absolute_url("events.show", slug=event.slug)
    item.add("description", f"{description}\n\n{link}".strip())
    item.add("url", link)
    place = ", ".join(p for p in (event.venue, event.address, event.city) if p)
    if event.is_in_person and place:
        item.add("location", place)
    elif event.is_online:
        item.add("location", link)
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress("mailto:" + current_app.config["MAIL_SENDER"].split("<")[-1].rstrip(">").strip())
    organizer.params["cn"] = vText("Partner Hub")
    item.add("organizer", organizer)
    return item


def _attendee(item: VEvent, registration: Registration, cancelled: bool) -> None:
    attendee = vCalAddress(f"mailto:{registration.user.email}")
    attendee.params["cn"] = vText(registration.user.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("DECLINED" if cancelled else "ACCEPTED")
    item.add("attendee", attendee)


@functools.lru_cache(maxsize=256)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone | None:
    """The VTIMEZONE of a zone over whole years. icalendar finds the transitions by asking the zone
    for its offset hour by hour (~20 ms a zone-span), so each is built once per process and shared:
    nothing changes a component once it is in a calendar."""
    try:
        return Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31))
    except ValueError:
        return None  # not a zone icalendar knows: left out, as add_missing_timezones does


def _finish(calendar: Calendar) -> str:
    """Add a VTIMEZONE for each zone used, covering the years around the events only (a year
    before the first and after the last): the default 1970-2038 span lists every transition as one
    long RDATE, which vobject (and so some clients) read wrongly after a DST change, and it makes
    every file 3 KB larger."""
    starts = [item.decoded("dtstart").date() for item in calendar.walk("VEVENT")]
    ends = [item.decoded("dtend").date() for item in calendar.walk("VEVENT")]
    if starts:
        first, last = (min(starts) - timedelta(days=366)).year, (max(ends) + timedelta(days=366)).year
        known = len(calendar.timezones)
        for tzid in sorted(calendar.get_missing_tzids()):
            component = _vtimezone(tzid, first, last)
            if component is not None:
                calendar.subcomponents.insert(known, component)
                known += 1
    return calendar.to_ical().decode("utf-8")


def event_calendar(event: Event, locale: str) -> str:
    """The event as anyone may add it to a calendar (no attendee)."""
    calendar = _calendar("PUBLISH")
    calendar.add_component(_vevent(event, locale, event.sequence, event.status == CANCELLED, utcnow()))
    return _finish(calendar)


def registration_sequence(registration: Registration) -> int:
    return registration.event.sequence + registration.sequence


def registration_calendar(registration: Registration, method: str) -> str:
    """This person's copy: METHOD:REQUEST while they hold a seat, METHOD:CANCEL once they (or the
    event) are gone."""
    event = registration.event
    cancelled = method == "CANCEL"
    calendar = _calendar(method)
    item = _vevent(event, registration.user.locale or "ru", registration_sequence(registration), cancelled,
                   utcnow())
    _attendee(item, registration, cancelled and registration.status == CANCELLED_REG)
    calendar.add_component(item)
    return _finish(calendar)


def feed_calendar(registrations: list[Registration], name: str, locale: str) -> str:
    """The subscription feed: the person's events; a cancelled seat or event stays as CANCELLED for
    a while, so subscribed calendars drop it instead of keeping a stale entry."""
    calendar = _calendar("PUBLISH", name)
    stamp = utcnow()
    for registration in registrations:
        cancelled = registration.status == CANCELLED_REG or registration.event.status == CANCELLED
        item = _vevent(registration.event, locale, registration_sequence(registration), cancelled, stamp)
        calendar.add_component(item)
    return _finish(calendar)
