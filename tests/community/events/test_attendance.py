"""Attendance (C3): check-in by list and by CSV (per-row errors, nothing half-imported), the
event_attended domain event that rewards turns into points and the first-event badge, the profile
history, and the facts others read."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub import facts
from hub.community.events import services
from hub.community.events.models import Registration
from hub.database import utcnow
from hub.extensions import db
from hub.rewards.models import Badge, BadgeAward, PointEntry
from tests.helpers import payloads

from .conftest import make_event, url


@pytest.fixture
def past_event(world):
    event = make_event(capacity=5, starts=utcnow() + timedelta(days=2))
    regs = [services.register(u, event.id) for u in (world.a_member, world.a_admin, world.b_member)]
    event.starts_at = utcnow() - timedelta(hours=1)  # it has begun: people arrive
    event.ends_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    return event, regs


def test_check_in_emits_event_attended_once_and_earns_points_and_the_badge(demo_badges, world, past_event):
    event, regs = past_event
    assert services.check_in(world.manager, event.id, [regs[0].id, regs[2].id]) == 2
    assert services.check_in(world.manager, event.id, [regs[0].id]) == 0  # already in: no second event
    events = payloads("event_attended")
    assert sorted(p["registration_id"] for p in events) == [regs[0].id, regs[2].id]
    assert db.session.scalar(select(PointEntry.points).where(PointEntry.source_key == f"registration:{regs[0].id}")) > 0
    badges = set(db.session.scalars(select(BadgeAward.user_id).join(Badge, Badge.id == BadgeAward.badge_id)
                                    .where(Badge.slug == "first-event")))
    assert badges == {world.a_member.id, world.b_member.id}
    assert facts.get("events_attended", [world.org_a.id, world.org_b.id]) == {world.org_a.id: 1, world.org_b.id: 1}
    [row] = facts.get("event_attendance", utcnow() - timedelta(days=1), utcnow() + timedelta(days=1))
    assert (row["registered"], row["attended"]) == (3, 2)


def test_the_csv_upload_reports_each_bad_row_and_imports_nothing(world, past_event):
    event, regs = past_event
    result = services.import_attendance(world.manager, event.id, [
        ["email"], [world.a_member.email], ["nobody@example.test"], ["not-an-address"], [world.a_member.email]])
    assert [(line, problem) for line, _value, problem in result.errors] == [
        (3, "С этим адресом на мероприятие никто не записан."), (4, "Это не адрес эл. почты."),
        (5, "Этот адрес встречается в файле дважды.")]  # outside a request: the program's language
    assert db.session.scalar(select(Registration.attended_at).where(Registration.id == regs[0].id)) is None
    assert payloads("event_attended") == []
    good = services.import_attendance(world.manager, event.id, [[world.a_member.email.upper()], [world.b_member.email]])
    assert good.errors == [] and good.checked_in == 2


def test_check_in_is_not_possible_days_before_the_event(world):
    event = make_event(starts=utcnow() + timedelta(days=3))
    registration = services.register(world.a_member, event.id)
    with pytest.raises(services.EventError, match="за два часа"):
        services.check_in(world.manager, event.id, [registration.id])


def test_the_check_in_page_searches_and_checks_in_plain_and_with_htmx(client, login, world, past_event):
    event, regs = past_event
    login(world.manager)
    page = client.get(url("events.attendees", slug=event.slug, q="beta"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and world.b_member.name in html and world.a_member.name not in html
    part = client.get(url("events.attendees", slug=event.slug, q="alpha"), headers={"HX-Request": "true",
                                                                                    "HX-Target": "people"})
    assert "<html" not in part.get_data(as_text=True) and world.a_member.name in part.get_data(as_text=True)
    done = client.post(url("events.attendees", slug=event.slug), data={"registration": [str(regs[1].id)]})
    assert done.status_code == 303
    assert db.session.scalar(select(Registration.attended_at).where(Registration.id == regs[1].id)) is not None
    forged = client.post(url("events.attendees", slug=event.slug), data={"registration": ["99999"]})
    assert forged.status_code == 404


def test_the_upload_form_shows_the_row_errors(client, login, world, past_event):
    import io
    event, _regs = past_event
    login(world.manager)
    data = {"action": "upload", "file": (io.BytesIO(b"email\nnobody@example.test\n"), "people.csv")}
    response = client.post(url("events.attendees", slug=event.slug), data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Row 2" in response.get_data(as_text=True) and "Nothing was imported" in response.get_data(as_text=True)


def test_partners_never_reach_check_in(client, login, world, past_event):
    event, regs = past_event
    login(world.a_admin)
    assert client.get(url("events.attendees", slug=event.slug)).status_code == 403
    assert client.post(url("events.attendees", slug=event.slug), data={"registration": [str(regs[0].id)]}).status_code == 403
    assert client.get(url("events.registrations_csv", slug=event.slug)).status_code == 403


def test_the_profile_shows_the_events_attended(client, login, world, past_event):
    event, regs = past_event
    services.check_in(world.manager, event.id, [regs[0].id])
    login(world.a_member)
    html = client.get(url("accounts.profile")).get_data(as_text=True)
    assert "Events attended" in html and event.title_en in html
