"""The event pages through HTTP: plain and with htmx, every role, foreign objects, bad input."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.community.events import services
from hub.community.events.models import REGISTERED, WAITLISTED, Event, Registration
from hub.database import utcnow
from hub.extensions import db

from .conftest import make_event, url

HX = {"HX-Request": "true"}


def soon(**kw):
    return make_event(starts=(utcnow() + timedelta(days=7)).replace(microsecond=0), **kw)


def test_the_list_filters_and_answers_htmx_with_the_results_only(client, login, world):
    soon(slug="crm-webinar")
    soon(slug="kazan-meetup", kind="meetup", format="in_person", city="Казань", region="volga",
         title_en="Kazan meetup")
    login(world.a_member)
    html = client.get(url("events.index")).get_data(as_text=True)
    assert "CRM webinar" in html and "Kazan meetup" in html and "<html" in html
    part = client.get(url("events.index", kind="meetup"), headers={**HX, "HX-Target": "event-results"})
    text = part.get_data(as_text=True)
    assert "<html" not in text and "Kazan meetup" in text and "CRM webinar" not in text
    assert client.get(url("events.index", kind="nonsense")).status_code == 200  # refused choice: a message
    assert client.get(url("events.index", page="0")).status_code == 404


def test_my_events_filter(client, login, world):
    mine = soon(slug="mine", title_en="Mine")
    soon(slug="other", title_en="Other one")
    services.register(world.a_member, mine.id)
    login(world.a_member)
    html = client.get(url("events.index", mine="y")).get_data(as_text=True)
    assert "Mine" in html and "Other one" not in html


def test_the_month_view_works_without_javascript(client, login, world):
    event = soon(slug="crm-webinar")
    login(world.a_member)
    local = event.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Moscow"))
    month = local.strftime("%Y-%m")
    response = client.get(url("events.month", month=month))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "CRM webinar" in html and 'rel="next"' in html
    empty = client.get(url("events.month", month="2001-01")).get_data(as_text=True)
    assert "CRM webinar" not in empty
    assert client.get(url("events.month", month="2027-13")).status_code == 400
    assert client.get(url("events.month", month="banana")).status_code == 400
    part = client.get(url("events.month", month=month), headers={**HX, "HX-Target": "event-month"})
    assert "<html" not in part.get_data(as_text=True) and "CRM webinar" in part.get_data(as_text=True)


def test_the_event_page_names_the_events_zone(client, login, world):
    soon(slug="ural", timezone="Asia/Yekaterinburg", format="in_person", city="Екатеринбург")
    login(world.a_member)
    html = client.get(url("events.show", slug="ural")).get_data(as_text=True)
    assert "Europe/Moscow" in html and "Asia/Yekaterinburg" in html


@pytest.mark.parametrize("htmx", [False, True])
def test_register_cancel_and_the_waitlist_over_http(client, login, world, htmx):
    event = soon(capacity=1)
    headers = HX if htmx else {}
    login(world.a_member)
    response = client.post(url("events.register", slug=event.slug), headers=headers)
    assert response.status_code == (200 if htmx else 303)
    mine = services.registration_of(world.a_member, event)
    assert mine.status == REGISTERED
    assert "You are registered." in client.get(url("events.show", slug=event.slug)).get_data(as_text=True)
    again = client.post(url("events.register", slug=event.slug), headers=headers)
    assert again.status_code == 409 and "already registered" in again.get_data(as_text=True)
    login(world.b_member)
    client.post(url("events.register", slug=event.slug), headers=headers)
    theirs = services.registration_of(world.b_member, event)
    assert theirs.status == WAITLISTED
    assert "number 1" in client.get(url("events.show", slug=event.slug)).get_data(as_text=True)
    # Nobody cancels another person's registration.
    assert client.post(url("events.cancel_registration", registration_id=mine.id), headers=headers).status_code == 404
    login(world.a_member)
    assert client.post(url("events.cancel_registration", registration_id=mine.id), headers=headers).status_code in (200, 303)
    login(world.b_member)
    html = client.get(url("events.show", slug=event.slug)).get_data(as_text=True)
    assert "Confirm my seat" in html
    client.post(url("events.confirm_offer", registration_id=theirs.id), headers=headers)
    db.session.refresh(theirs)
    assert theirs.status == REGISTERED


def test_required_questions_are_shown_next_to_the_field(client, login, world):
    event = soon(questions=[{"key": "role", "label": {"ru": "Роль", "en": "Your role"}, "required": True}])
    login(world.a_member)
    response = client.post(url("events.register", slug=event.slug), data={"q_role": ""})
    assert response.status_code == 422 and "Answer this question." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_tier_locked_hidden_and_unknown_events(client, login, world):
    soon(slug="gold-visit", min_tier="gold", title_en="Gold visit")
    soon(slug="platinum-summit", min_tier="platinum", tier_visibility="hidden", title_en="Platinum summit")
    login(world.a_member)
    html = client.get(url("events.show", slug="gold-visit")).get_data(as_text=True)
    assert "for partners of tier Gold and above" in html
    assert client.post(url("events.register", slug="gold-visit")).status_code == 409
    assert client.get(url("events.show", slug="platinum-summit")).status_code == 404
    assert client.post(url("events.register", slug="platinum-summit")).status_code == 404
    assert client.get(url("events.event_ics", slug="platinum-summit")).status_code == 404
    assert "Platinum summit" not in client.get(url("events.index")).get_data(as_text=True)
    assert client.get(url("events.show", slug="nope")).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    login(world.manager)
    assert client.get(url("events.show", slug="platinum-summit")).status_code == 200


def test_join_link_only_for_registered_people_and_only_near_the_start(client, login, world):
    event = soon(join_url="https://meet.example.test/room-42")
    services.register(world.a_member, event.id)
    login(world.a_member)
    assert "room-42" not in client.get(url("events.show", slug=event.slug)).get_data(as_text=True)
    event.starts_at = utcnow() + timedelta(minutes=10)
    event.ends_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    assert "room-42" in client.get(url("events.show", slug=event.slug)).get_data(as_text=True)
    login(world.a_admin)  # the same organisation, but not registered
    assert "room-42" not in client.get(url("events.show", slug=event.slug)).get_data(as_text=True)
    login(world.b_member)
    assert "room-42" not in client.get(url("events.show", slug=event.slug)).get_data(as_text=True)


def test_recording_for_the_registrants_organisation_only_and_no_shows_get_it(client, login, world):
    event = soon(recording_url="https://video.example.test/rec-7", slides_url="https://files.example.test/s.pdf")
    services.register(world.a_member, event.id)
    login(world.a_admin)
    assert "rec-7" not in client.get(url("events.show", slug=event.slug)).get_data(as_text=True)  # not yet over
    event.starts_at = utcnow() - timedelta(hours=3)
    event.ends_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert "rec-7" in client.get(url("events.show", slug=event.slug)).get_data(as_text=True)  # a colleague
    login(world.b_member)
    assert "rec-7" not in client.get(url("events.show", slug=event.slug)).get_data(as_text=True)
    assert services.follow_up_no_shows() == 1 and services.follow_up_no_shows() == 0
    from hub.core.models import OutboxMessage
    assert db.session.scalar(select(OutboxMessage.recipient).where(OutboxMessage.kind == "events.recording")) == \
        world.a_member.email


def test_registration_ics_is_the_owners_only(client, login, world):
    event = soon()
    registration = services.register(world.a_member, event.id)
    login(world.b_member)
    assert client.get(url("events.registration_ics", registration_id=registration.id)).status_code == 404
    login(world.a_member)
    response = client.get(url("events.registration_ics", registration_id=registration.id))
    assert response.status_code == 200 and "METHOD:REQUEST" in response.get_data(as_text=True)


def test_the_partner_admin_hands_a_seat_over_and_a_forged_colleague_is_refused(client, login, world):
    event = soon()
    registration = services.register(world.a_member, event.id)
    login(world.a_admin)
    forged = client.post(url("events.hand_over", slug=event.slug),
                         data={"registration": str(registration.id), "colleague": str(world.b_member.id)})
    assert forged.status_code == 422 and "Choose a colleague from your organisation." in forged.get_data(as_text=True)
    db.session.refresh(registration)
    assert registration.user_id == world.a_member.id
    done = client.post(url("events.hand_over", slug=event.slug),
                       data={"registration": str(registration.id), "colleague": str(world.a_admin.id)})
    assert done.status_code == 303
    db.session.refresh(registration)
    assert registration.user_id == world.a_admin.id
    login(world.b_admin)
    theft = client.post(url("events.hand_over", slug=event.slug),
                        data={"registration": str(registration.id), "colleague": str(world.b_member.id)})
    assert theft.status_code in (404, 422)
    db.session.refresh(registration)
    assert registration.user_id == world.a_admin.id
    login(world.a_member)
    assert client.post(url("events.hand_over", slug=event.slug), data={}).status_code == 403


def _form(**overrides):
    day = (utcnow() + timedelta(days=30)).date().isoformat()
    data = {"slug": "new-webinar", "kind": "webinar", "format": "online", "language": "ru", "region": "",
            "title_ru": "Новый вебинар", "title_en": "New webinar", "timezone": "Europe/Moscow",
            "start_date": day, "start_time": "11:00", "end_date": day, "end_time": "12:00", "capacity": "100",
            "min_tier": "", "tier_visibility": "locked",
            "agenda": "11:00 | Начало | Opening | Иван", "speakers": "Иван | докладчик | speaker",
            "questions": "Роль | Role *"}
    data.update(overrides)
    return data


def test_a_manager_creates_edits_and_cancels_an_event(client, login, world):
    login(world.manager)
    assert client.get(url("events.new")).status_code == 200
    assert client.post(url("events.new"), data=_form()).status_code == 303
    event = db.session.scalar(select(Event).where(Event.slug == "new-webinar"))
    assert event.starts_at.hour == 8  # 11:00 in Moscow is 08:00 UTC
    assert event.questions == [{"key": "q1", "label": {"ru": "Роль", "en": "Role"}, "required": True}]
    assert event.agenda[0]["speaker"] == "Иван"
    assert client.get(url("events.edit", slug="new-webinar")).status_code == 200
    assert client.post(url("events.edit", slug="new-webinar"), data=_form(capacity="50")).status_code == 303
    db.session.refresh(event)
    assert event.capacity == 50
    assert client.post(url("events.cancel_event", slug="new-webinar")).status_code == 303
    db.session.refresh(event)
    assert event.status == "cancelled"


@pytest.mark.parametrize("overrides, message", [
    (dict(start_date="2001-01-01", end_date="2001-01-01"), "The event must start in the future."),
    (dict(end_time="10:00"), "The end must be after the start."),
    (dict(capacity="0"), "Enter a number of seats from 1 to 100000."),
    (dict(capacity="99999999999999999999"), "Enter a number of seats from 1 to 100000."),
    (dict(capacity="ten"), "Not a valid integer value."),
    (dict(timezone="Mars/Olympus"), "Enter a time zone such as Europe/Moscow"),
    (dict(start_time="25:00"), "Enter a time such as 10:00."),
    (dict(format="in_person"), "An event in person needs a city."),
    (dict(slug="New Webinar!"), "Use small latin letters"),
    (dict(slug="month"), "This address is reserved"),
    (dict(min_tier="diamond"), "Not a valid choice."),
    (dict(join_url="javascript:alert(1)"), "Enter an address that starts with https://."),
    (dict(agenda="no time here"), "Each line: a time"),
])
def test_bad_event_input_is_refused_next_to_the_field(client, login, world, overrides, message):
    login(world.manager)
    response = client.post(url("events.new"), data=_form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_partners_cannot_manage_events(client, login, world):
    event = soon()
    login(world.a_admin)
    assert client.get(url("events.new")).status_code == 403
    assert client.post(url("events.new"), data=_form()).status_code == 403
    assert client.post(url("events.edit", slug=event.slug), data=_form()).status_code == 403
    assert client.post(url("events.cancel_event", slug=event.slug)).status_code == 403
    assert client.get(url("events.manage")).status_code == 403
    db.session.refresh(event)
    assert event.status == "scheduled"


def test_the_manager_overview_and_csv(client, login, world):
    event = soon(capacity=1)
    services.register(world.a_member, event.id)
    services.register(world.b_member, event.id)
    login(world.manager)
    html = client.get(url("events.manage")).get_data(as_text=True)
    assert "CRM webinar" in html
    csv = client.get(url("events.manage_export")).get_data(as_text=True)
    assert "CRM webinar" in csv
    rows = client.get(url("events.registrations_csv", slug=event.slug)).get_data(as_text=True)
    assert world.a_member.email in rows and world.b_member.email in rows and "On the waitlist" in rows


def test_the_calendar_page_shows_and_regenerates_the_address(client, login, world):
    login(world.a_member)
    first = services.feed_token(world.a_member)
    assert first in client.get(url("events.calendar_page")).get_data(as_text=True)
    assert client.post(url("events.calendar_page")).status_code == 303
    assert services.feed_token(world.a_member) != first


def test_anonymous_visitors_are_sent_to_log_in(client):
    make_event()
    assert client.get(url("events.index")).status_code == 302
    assert client.get(url("events.show", slug="crm-webinar")).status_code == 302
