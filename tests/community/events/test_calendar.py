"""Calendars (C2): .ics files parsed by icalendar and by vobject (an independent parser), across a
DST change, with stable UIDs, growing SEQUENCE, REQUEST and CANCEL; the secret feed; reminders."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import vobject
from sqlalchemy import select

from hub.community.events import ics, services
from hub.core.models import OutboxMessage
from hub.core.services import build_email
from hub.database import utcnow
from hub.extensions import db

from .conftest import NOW, make_event, url


def _both(text):
    return icalendar.Calendar.from_ical(text), vobject.readOne(text)


def test_an_event_across_the_dst_change_keeps_its_local_time_in_both_parsers(world):
    # Berlin moves its clocks on 28 March 2027: 10:00 local is 09:00 UTC before, 08:00 UTC after.
    berlin = ZoneInfo("Europe/Berlin")
    starts = datetime(2027, 3, 29, 10, 0, tzinfo=berlin)
    event = make_event("berlin-meetup", starts=starts.astimezone(timezone.utc), timezone="Europe/Berlin",
                       format="in_person", city="Berlin", venue="Kvant Europe")
    text = ics.event_calendar(event, "en")
    assert "TZID=Europe/Berlin" in text and "BEGIN:VTIMEZONE" in text
    ical, vcal = _both(text)
    [ievent] = ical.walk("VEVENT")
    assert ievent.decoded("dtstart").astimezone(timezone.utc) == datetime(2027, 3, 29, 8, 0, tzinfo=timezone.utc)
    vstart = vcal.vevent.dtstart.value
    assert vstart.utcoffset() == timedelta(hours=2)  # summer time, from the file's own VTIMEZONE
    assert vstart.astimezone(timezone.utc) == datetime(2027, 3, 29, 8, 0, tzinfo=timezone.utc)
    assert vcal.vevent.location.value == "Kvant Europe, Berlin"
    # A winter date of the same file's zone: the other offset.
    winter = make_event("berlin-winter", starts=datetime(2027, 3, 1, 10, 0, tzinfo=berlin).astimezone(timezone.utc),
                        timezone="Europe/Berlin")
    assert vobject.readOne(ics.event_calendar(winter, "en")).vevent.dtstart.value.utcoffset() == timedelta(hours=1)


def test_registration_and_cancellation_files_supersede_each_other(world):
    event = make_event(capacity=3)
    registration = services.register(world.a_member, event.id, now=NOW)
    request = ics.registration_calendar(registration, "REQUEST")
    services.cancel_registration(world.a_member, registration.id, now=NOW)
    db.session.refresh(registration)
    cancel = ics.registration_calendar(registration, "CANCEL")
    first, second = vobject.readOne(request), vobject.readOne(cancel)
    assert first.method.value == "REQUEST" and second.method.value == "CANCEL"
    assert first.vevent.uid.value == second.vevent.uid.value == ics.uid(event)
    assert int(second.vevent.sequence.value) > int(first.vevent.sequence.value)
    assert second.vevent.status.value == "CANCELLED"
    ical = icalendar.Calendar.from_ical(cancel)
    attendee = ical.walk("VEVENT")[0]["attendee"]
    assert str(attendee) == f"mailto:{world.a_member.email}" and attendee.params["PARTSTAT"] == "DECLINED"


def test_cancelling_the_event_mails_a_cancel_with_a_higher_sequence(world):
    event = make_event(capacity=3, starts=utcnow() + timedelta(days=3))
    services.register(world.a_member, event.id)
    services.cancel_event(world.manager, event.id)
    mails = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == world.a_member.email)
                                    .order_by(OutboxMessage.id)))
    assert [m.kind for m in mails] == ["events.registered", "events.cancelled"]
    invite, cancel = (vobject.readOne(m.attachments[0]["content"]) for m in mails)
    assert cancel.method.value == "CANCEL" and cancel.vevent.status.value == "CANCELLED"
    assert int(cancel.vevent.sequence.value) > int(invite.vevent.sequence.value)
    # The e-mail as sent carries the calendar part with its method.
    email = build_email(mails[1], "Hub <hub@example.test>")
    parts = [p for p in email.iter_attachments()]
    assert parts[0].get_content_type() == "text/calendar" and parts[0].get_param("method") == "CANCEL"


def test_a_change_of_time_raises_the_sequence_and_tells_registrants(world):
    event = make_event(capacity=3, starts=(utcnow() + timedelta(days=3)).replace(microsecond=0))
    services.register(world.a_member, event.id)
    data = services.EventInput(**{name: getattr(event, name) for name in services.EventInput.__dataclass_fields__})
    data.starts_at = event.starts_at + timedelta(hours=1)
    data.ends_at = event.ends_at + timedelta(hours=1)
    services.update_event(world.manager, event.id, data)
    db.session.refresh(event)
    assert event.sequence == 1
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "events.changed"))
    update = vobject.readOne(mail.attachments[0]["content"])
    assert update.method.value == "REQUEST"
    assert update.vevent.dtstart.value.astimezone(timezone.utc) == data.starts_at


def test_the_feed_shows_only_its_owners_events_and_a_new_token_ends_the_old(client, world):
    mine = make_event("mine", starts=utcnow() + timedelta(days=3))
    theirs = make_event("theirs", starts=utcnow() + timedelta(days=4))
    services.register(world.a_member, mine.id)
    services.register(world.b_member, theirs.id)
    token = services.feed_token(world.a_member)
    response = client.get(url("events.feed", token=token))  # no login: calendars fetch it alone
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    feed = vobject.readOne(response.get_data(as_text=True))
    assert [e.uid.value for e in feed.vevent_list] == [ics.uid(mine)]
    assert world.b_member.email not in response.get_data(as_text=True)
    assert client.get(url("events.feed", token=token[:-1] + ("A" if token[-1] != "A" else "B"))).status_code == 404
    assert client.get(url("events.feed", token="x" * 200)).status_code == 404
    fresh = services.feed_token(world.a_member, regenerate=True)
    assert fresh != token
    assert client.get(url("events.feed", token=token)).status_code == 404
    assert client.get(url("events.feed", token=fresh)).status_code == 200


def test_a_cancelled_seat_stays_in_the_feed_as_cancelled(client, world):
    event = make_event(starts=utcnow() + timedelta(days=3))
    registration = services.register(world.a_member, event.id)
    services.cancel_registration(world.a_member, registration.id)
    feed = icalendar.Calendar.from_ical(client.get(url("events.feed", token=services.feed_token(world.a_member))).data)
    [item] = feed.walk("VEVENT")
    assert item["status"] == "CANCELLED"


def test_reminders_24h_and_1h_are_sent_once_each(world):
    event = make_event(starts=NOW + timedelta(hours=30))
    services.register(world.a_member, event.id, now=NOW)
    assert services.send_reminders(now=NOW) == {"24h": 0, "1h": 0}
    assert services.send_reminders(now=NOW + timedelta(hours=7)) == {"24h": 1, "1h": 0}
    assert services.send_reminders(now=NOW + timedelta(hours=8)) == {"24h": 0, "1h": 0}
    assert services.send_reminders(now=NOW + timedelta(hours=29, minutes=30)) == {"24h": 0, "1h": 1}
    assert services.send_reminders(now=NOW + timedelta(hours=29, minutes=45)) == {"24h": 0, "1h": 0}
    kinds = list(db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)))
    assert kinds == ["events.registered", "events.reminder_24h", "events.reminder_1h"]
