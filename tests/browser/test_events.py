"""Events in a real browser (issue 11): a partner finds an event in the month view, registers,
a colleague of another partner lands on the waitlist, the first cancels and the seat is offered;
with JavaScript and without. axe-clean on every page visited."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from hub.community.events.models import Event
from hub.database import utcnow
from hub.extensions import db

from .helpers import follow_nav, log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(world):
    return snapshot(world)


@pytest.fixture
def one_seat(world):
    starts = (utcnow() + timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)
    event = Event(slug="ural-meetup", kind="meetup", format="in_person", language="ru", title_ru="Встреча на Урале",
                  title_en="Urals meetup", summary_ru="Встреча партнёров.", summary_en="A partner meetup.",
                  timezone="Asia/Yekaterinburg", starts_at=starts, ends_at=starts + timedelta(hours=3),
                  registration_closes_at=starts, capacity=1, offer_hours=24, city="Екатеринбург",
                  venue="Конгресс-холл", questions=[], agenda=[{"time": "13:00", "title": {"ru": "Итоги", "en": "The year"},
                                                               "speaker": "Sergey"}],
                  speakers=[{"name": "Sergey", "role": {"ru": "директор", "en": "Director"}}], status="scheduled")
    db.session.add(event)
    db.session.commit()
    month = starts.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Moscow")).strftime("%Y-%m")
    db.session.remove()
    return month


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_register_waitlist_cancel_and_offer(open_page, live_server, people, one_seat, check_a11y, assert_clean,
                                            javascript):
    base = live_server.url
    first = open_page(javascript=javascript)
    log_in(first, base, people.a_member, check_a11y)
    follow_nav(first, "Events")
    expect(first.get_by_role("heading", name="Urals meetup")).to_be_visible()
    check_a11y(first)
    first.get_by_role("link", name="Month view").click()
    first.goto(f"{base}/events/month?month={one_seat}")
    expect(first.get_by_role("link", name="Urals meetup")).to_be_visible()
    check_a11y(first)
    first.get_by_role("link", name="Urals meetup").click()
    expect(first.get_by_text("At the event (Asia/Yekaterinburg)")).to_be_visible()
    check_a11y(first)
    first.get_by_role("button", name="Register").click()
    expect(first.get_by_text("You are registered.", exact=True)).to_be_visible()
    check_a11y(first)

    second = open_page(javascript=javascript)
    log_in(second, base, people.b_member)
    second.goto(f"{base}/events/ural-meetup")
    second.get_by_role("button", name="Join the waitlist").click()
    expect(second.get_by_text("You are on the waitlist, number 1. When a seat frees up")).to_be_visible()
    check_a11y(second)

    first.get_by_role("button", name="Cancel my registration").click()
    expect(first.get_by_role("button", name="Join the waitlist")).to_be_visible()  # the seat is held for the queue
    second.reload()
    expect(second.get_by_role("button", name="Confirm my seat")).to_be_visible()
    check_a11y(second)
    second.get_by_role("button", name="Confirm my seat").click()
    expect(second.get_by_text("You are registered.", exact=True)).to_be_visible()
    assert_clean()
