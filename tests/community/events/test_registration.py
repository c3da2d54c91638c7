"""(Messages are in Russian: outside a request the hub speaks the program's language.)

Registering with capacity, the seat cap per organisation, tiers, the closing time; the waitlist's
offers, their expiry, and handing a seat over (services, no HTTP)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.accounts.models import MEMBER, PARTNER_ADMIN
from hub.community.events import services
from hub.community.events.models import (CANCELLED_REG, EXPIRED, OFFERED, REGISTERED, WAITLISTED, Registration)
from hub.core.models import Notification, OutboxMessage
from hub.extensions import db
from tests import factories

from .conftest import NOW, make_event


def people(org, n, role=MEMBER):
    return [factories.create_user(org, role) for _ in range(n)]


def statuses(event):
    return dict(db.session.execute(select(Registration.status, func.count()).where(
        Registration.event_id == event.id).group_by(Registration.status)).all())


def test_register_takes_a_seat_and_mails_the_invitation(world):
    event = make_event(capacity=2)
    registration = services.register(world.a_member, event.id, now=NOW)
    assert registration.status == REGISTERED
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == world.a_member.email))
    assert mail.kind == "events.registered"
    [attachment] = mail.attachments
    assert attachment["content_type"] == "text/calendar; method=REQUEST"
    assert "METHOD:REQUEST" in attachment["content"]


def test_a_second_registration_is_refused_and_saves_nothing(world):
    event = make_event()
    services.register(world.a_member, event.id, now=NOW)
    with pytest.raises(services.EventError, match="Вы уже записаны"):
        services.register(world.a_member, event.id, now=NOW)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_a_full_event_puts_newcomers_on_the_waitlist_in_order(world):
    event = make_event(capacity=1)
    first = services.register(world.a_member, event.id, now=NOW)
    second = services.register(world.a_admin, event.id, now=NOW + timedelta(seconds=1))
    third = services.register(world.b_member, event.id, now=NOW + timedelta(seconds=2))
    assert (first.status, second.status, third.status) == (REGISTERED, WAITLISTED, WAITLISTED)
    assert services.waitlist_position(second) == 1 and services.waitlist_position(third) == 2


def test_the_seat_cap_of_an_organisation_is_kept(world):
    event = make_event(capacity=10, org_seat_cap=1)
    services.register(world.a_member, event.id, now=NOW)
    with pytest.raises(services.EventError, match=r"уже заняла все свои места на это мероприятие \(1\)"):
        services.register(world.a_admin, event.id, now=NOW)
    assert services.register(world.b_member, event.id, now=NOW).status == REGISTERED


def test_tier_exclusive_events_locked_or_hidden(world):
    locked = make_event("gold-visit", min_tier="gold", tier_visibility="locked")
    hidden = make_event("platinum-summit", min_tier="platinum", tier_visibility="hidden")
    assert services.get_event(world.a_member, "gold-visit") == locked  # bronze sees it...
    with pytest.raises(services.EventError, match="Золото"):
        services.register(world.a_member, locked.id, now=NOW)  # ...but may not register
    with pytest.raises(services.NotFound):
        services.get_event(world.a_member, "platinum-summit")
    with pytest.raises(services.NotFound):
        services.register(world.a_member, hidden.id, now=NOW)
    listed = services.list_events(world.a_member, services.Filters(when="all"), 1, 50, now=NOW)
    assert [e.slug for e in listed.items] == ["gold-visit"]
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    world.org_a.tier = "platinum"
    db.session.commit()
    assert services.register(world.a_member, hidden.id, now=NOW).status == REGISTERED


@pytest.mark.parametrize("change, message", [
    (dict(closes=NOW - timedelta(minutes=1)), "Регистрация на это мероприятие закрыта"),
    (dict(starts=NOW - timedelta(minutes=1), closes=NOW - timedelta(minutes=1)), "Мероприятие уже началось"),
    (dict(status="cancelled"), "Мероприятие отменено"),
])
def test_no_registration_when_closed_started_or_cancelled(world, change, message):
    event = make_event(**change)
    with pytest.raises(services.EventError, match=message):
        services.register(world.a_member, event.id, now=NOW)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_vendor_staff_do_not_register(world):
    event = make_event()
    with pytest.raises(services.EventError):
        services.register(world.manager, event.id, now=NOW)


def test_required_questions_must_be_answered(world):
    event = make_event(questions=[{"key": "role", "label": {"ru": "Роль", "en": "Role"}, "required": True},
                                  {"key": "diet", "label": {"ru": "Питание", "en": "Diet"}, "required": False}])
    with pytest.raises(services.InvalidAnswers) as caught:
        services.register(world.a_member, event.id, {"role": "  "}, now=NOW)
    assert set(caught.value.problems) == {"role"}
    registration = services.register(world.a_member, event.id, {"role": "Presales", "forged": "x"}, now=NOW)
    assert registration.answers == {"role": "Presales"}


def test_cancelling_offers_the_seat_to_the_first_in_the_queue(world):
    event = make_event(capacity=1, offer_hours=6)
    holder = services.register(world.a_member, event.id, now=NOW)
    first = services.register(world.b_member, event.id, now=NOW + timedelta(minutes=1))
    second = services.register(world.b_admin, event.id, now=NOW + timedelta(minutes=2))
    services.cancel_registration(world.a_member, holder.id, now=NOW + timedelta(hours=1))
    db.session.refresh(first), db.session.refresh(second)
    assert first.status == OFFERED and second.status == WAITLISTED
    assert first.offer_expires_at == NOW + timedelta(hours=7)
    kinds = set(db.session.scalars(select(Notification.type).where(Notification.user_id == world.b_member.id)))
    assert "events.seat_offered" in kinds
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "events.seat_offered", OutboxMessage.recipient == world.b_member.email)) == 1
    # A newcomer queues behind the offer: the offered seat counts as taken.
    newcomer = services.register(world.a_admin, event.id, now=NOW + timedelta(hours=2))
    assert newcomer.status == WAITLISTED
    services.confirm_offer(world.b_member, first.id, now=NOW + timedelta(hours=3))
    db.session.refresh(first)
    assert first.status == REGISTERED
    assert statuses(event) == {REGISTERED: 1, WAITLISTED: 2, CANCELLED_REG: 1}


def test_an_unconfirmed_offer_expires_and_passes_on(world):
    event = make_event(capacity=1, offer_hours=2)
    holder = services.register(world.a_member, event.id, now=NOW)
    first = services.register(world.b_member, event.id, now=NOW + timedelta(minutes=1))
    second = services.register(world.b_admin, event.id, now=NOW + timedelta(minutes=2))
    services.cancel_registration(world.a_member, holder.id, now=NOW + timedelta(hours=1))
    assert services.promote_waitlists(now=NOW + timedelta(hours=2)) == 0  # still held
    assert services.promote_waitlists(now=NOW + timedelta(hours=3, minutes=1)) == 1
    db.session.refresh(first), db.session.refresh(second)
    assert first.status == EXPIRED and second.status == OFFERED
    with pytest.raises(services.EventError, match="вам место не предлагалось"):
        services.confirm_offer(world.b_member, first.id, now=NOW + timedelta(hours=4))
    assert services.promote_waitlists(now=NOW + timedelta(hours=3, minutes=2)) == 0  # idempotent


def test_an_offer_cannot_be_confirmed_after_it_expired_even_before_the_tick(world):
    event = make_event(capacity=1, offer_hours=1)
    holder = services.register(world.a_member, event.id, now=NOW)
    first = services.register(world.b_member, event.id, now=NOW)
    services.cancel_registration(world.a_member, holder.id, now=NOW)
    with pytest.raises(services.EventError, match="Срок предложения истёк"):
        services.confirm_offer(world.b_member, first.id, now=NOW + timedelta(hours=2))


def test_no_offer_after_registration_closes_and_offers_end_at_closing(world):
    closes = NOW + timedelta(hours=5)
    event = make_event(capacity=1, offer_hours=24, closes=closes)
    holder = services.register(world.a_member, event.id, now=NOW)
    first = services.register(world.b_member, event.id, now=NOW)
    second = services.register(world.b_admin, event.id, now=NOW)
    services.cancel_registration(world.a_member, holder.id, now=NOW + timedelta(hours=1))
    db.session.refresh(first)
    assert first.offer_expires_at == closes  # never beyond the registration window
    services.promote_waitlists(now=closes + timedelta(minutes=1))
    db.session.refresh(first), db.session.refresh(second)
    assert first.status == EXPIRED and second.status == WAITLISTED  # nothing offered once closed


def test_leaving_the_waitlist(world):
    event = make_event(capacity=1)
    services.register(world.a_member, event.id, now=NOW)
    queued = services.register(world.b_member, event.id, now=NOW)
    services.cancel_registration(world.b_member, queued.id, now=NOW)
    db.session.refresh(queued)
    assert queued.status == CANCELLED_REG
    # Nobody else's registration can be cancelled.
    other = services.register(world.b_admin, event.id, now=NOW)
    with pytest.raises(services.NotFound):
        services.cancel_registration(world.a_member, other.id, now=NOW)


def test_registering_again_after_cancelling_reuses_the_row_with_a_higher_sequence(world):
    event = make_event(capacity=3)
    first = services.register(world.a_member, event.id, now=NOW)
    services.cancel_registration(world.a_member, first.id, now=NOW)
    again = services.register(world.a_member, event.id, now=NOW + timedelta(minutes=5))
    assert again.id == first.id and again.status == REGISTERED and again.sequence == 2


def test_a_partner_admin_hands_a_seat_to_a_colleague(world):
    event = make_event(capacity=1)
    registration = services.register(world.a_member, event.id, now=NOW)
    services.hand_over(world.a_admin, registration.id, world.a_admin.id, now=NOW)
    db.session.refresh(registration)
    assert registration.user_id == world.a_admin.id and registration.status == REGISTERED
    cancel = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == world.a_member.email,
                                                            OutboxMessage.kind == "events.registration_cancelled"))
    assert "METHOD:CANCEL" in cancel.attachments[0]["content"]


def test_hand_over_refuses_a_forged_organisation(world):
    event = make_event(capacity=2)
    registration = services.register(world.a_member, event.id, now=NOW)
    with pytest.raises(services.InvalidAnswers):
        services.hand_over(world.a_admin, registration.id, world.b_member.id, now=NOW)  # not a colleague
    with pytest.raises(services.NotFound):
        services.hand_over(world.b_admin, registration.id, world.b_member.id, now=NOW)  # not their seat
    with pytest.raises(services.EventError):
        services.hand_over(world.a_member, registration.id, world.a_admin.id, now=NOW)  # not an admin
    db.session.refresh(registration)
    assert registration.user_id == world.a_member.id


def test_tick_runs_the_events_job_beside_the_domain_event_retries(app, world):
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "community-events: 0 seat(s) offered" in result.output
    assert "\nevents: delivered" in "\n" + result.output
