"""Typed notifications (P7): stored as type + object + parameters, rendered when read in the reader's
language; e-mail from templates per recipient (text + HTML), dates and money per locale; each
user's e-mail choices; the registry's rules."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from babel.dates import format_date
from sqlalchemy import select

from hub.core import notifications
from hub.core.models import Notification, NotificationPreference, OutboxMessage
from hub.core.services import build_email
from hub.deals import services as deals
from hub.extensions import db
from tests.deals.conftest import NOW, deal_input
from tests.helpers import _english_browser  # noqa: F401 (the English UI by default)

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
URL = re.compile(r"https?://[^\s\"<]+")


def _page(response) -> str:
    return response.get_data(as_text=True)


def _mails(address: str) -> list[OutboxMessage]:
    """The mails these tests send, without the partner-NPS survey a deal decision also asks for
    (hub/community/nps: its own tests check that mail)."""
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == address,
        (OutboxMessage.kind.is_(None)) | (OutboxMessage.kind.not_like("nps.%"))).order_by(OutboxMessage.id)))


def _visible(text: str) -> str:
    """What a reader sees, without the links (a random token may look like anything)."""
    return URL.sub("", text)


def _assert_finished(mail: OutboxMessage) -> None:
    for part in (mail.subject, mail.body, mail.html_body):
        assert part, f"{mail.kind}: empty part"
        assert not ISO_DATE.search(_visible(part)), f"{mail.kind}: ISO date in {part!r}"
        assert "г.." not in part, f"{mail.kind}: double full stop in {part!r}"


@pytest.fixture
def speakers(world):
    """The manager speaks Russian; Alpha's member reads English, its admin Russian."""
    world.manager.locale = "ru"
    world.admin.locale = "ru"
    world.a_member.locale = "en"
    world.a_admin.locale = "ru"
    db.session.commit()
    return world


def _approve_in_russian(app, world):
    """A deal of Alpha approved by the Russian-speaking manager, in a Russian request."""
    deal = deals.register_deal(world.a_member, deal_input(), now=NOW)
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        deals.approve(deal, world.manager, now=NOW)
    return db.session.get(deals.Deal, deal.id)


# --- rendered when read, in the reader's language ------------------------------------------------

def test_english_reader_sees_english_for_what_a_russian_manager_did(app, client, speakers, login):
    deal = _approve_in_russian(app, speakers)
    row = db.session.scalar(select(Notification).where(Notification.user_id == speakers.a_member.id))
    assert (row.type, row.object_type, row.object_id) == ("deals.approved", "deal", deal.id)
    assert row.params["customer"] == deal.customer_name and row.link == f"/deals/{deal.id}"
    until = format_date(deal.protected_until, "medium", locale="en")
    login(speakers.a_member)
    page = _page(client.get("/inbox"))
    assert f"Your deal «{deal.customer_name}» was approved: protected until {until}" in page
    assert "одобрена" not in page


def test_russian_reader_sees_russian_for_what_an_english_partner_did(app, client, speakers, login):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        deal = deals.register_deal(speakers.a_member, deal_input(amount_kopecks=150_000_000), now=NOW)
    login(speakers.manager)
    page = _page(client.get("/inbox", headers={"Accept-Language": "en"}))  # the profile says Russian
    assert f"Новая регистрация сделки: «{deal.customer_name}» (1\xa0500\xa0000\xa0₽)" in page
    assert "New deal registration" not in page


def test_the_same_row_follows_the_readers_language_when_it_changes(app, client, speakers, login):
    speakers.a_member.locale = "ru"
    db.session.commit()
    deal = _approve_in_russian(app, speakers)
    login(speakers.a_member)
    assert f"Ваша сделка «{deal.customer_name}» одобрена" in _page(client.get("/inbox"))
    speakers.a_member.locale = "en"
    db.session.commit()
    assert f"Your deal «{deal.customer_name}» was approved" in _page(client.get("/inbox"))
    # A user without a language of their own reads in the browser's.
    speakers.a_member.locale = None
    db.session.commit()
    assert "одобрена" in _page(client.get("/inbox", headers={"Accept-Language": "ru"}))
    assert "was approved" in _page(client.get("/inbox", headers={"Accept-Language": "en"}))


def test_dates_in_the_inbox_are_per_locale_never_iso(app, client, speakers, login):
    deal = _approve_in_russian(app, speakers)
    login(speakers.a_admin)
    page = _page(client.get("/inbox"))
    ru_date = format_date(deal.protected_until, "medium", locale="ru")
    assert ru_date.endswith("г.") and f"защищена до {ru_date}" in page
    assert "г.." not in page and deal.protected_until.isoformat() not in page


# --- e-mail per recipient ------------------------------------------------------------------------

def test_each_recipient_gets_the_mail_in_their_language_text_and_html(app, speakers):
    deal = _approve_in_russian(app, speakers)
    [english] = _mails(speakers.a_member.email)
    [russian] = _mails(speakers.a_admin.email)
    en_until = format_date(deal.protected_until, "medium", locale="en")
    ru_until = format_date(deal.protected_until, "medium", locale="ru")
    assert english.kind == russian.kind == "deals.approved"
    assert english.subject == f"Your deal «{deal.customer_name}» was approved: protected until {en_until}"
    assert english.body.startswith(f"Hello {speakers.a_member.name},")
    assert f"protected until {en_until}" in english.body and "Open it in Partner Hub" in english.body
    assert russian.subject == f"Ваша сделка «{deal.customer_name}» одобрена: она защищена до {ru_until}"
    assert russian.body.startswith(f"Здравствуйте, {speakers.a_admin.name}!")
    base = app.config["HUB_BASE_URL"].rstrip("/")
    for mail in (english, russian):
        _assert_finished(mail)
        assert f"{base}/deals/{deal.id}" in mail.body and f'href="{base}/deals/{deal.id}"' in mail.html_body
        assert f'href="{base}/profile#email-choices"' in mail.html_body  # where to change the choice
        email = build_email(mail, "Hub <hub@example.test>")
        assert email.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in email.iter_parts()] == ["text/plain", "text/html"]
    assert '<html lang="en">' in english.html_body and '<html lang="ru">' in russian.html_body


def test_money_in_mail_is_per_locale(app, speakers):
    speakers.admin.locale = "en"
    db.session.commit()
    deals.register_deal(speakers.a_member, deal_input(amount_kopecks=123_456_789), now=NOW)
    [russian] = _mails(speakers.manager.email)
    [english] = _mails(speakers.admin.email)
    assert "1\xa0234\xa0567,89\xa0₽" in russian.subject
    assert "RUB\xa01,234,567.89" in english.subject
    for mail in (russian, english):
        _assert_finished(mail)


def test_no_iso_dates_and_no_double_stops_in_any_deal_mail(app, speakers):
    deal = _approve_in_russian(app, speakers)
    deals.request_extension(deal, speakers.a_member, "Customer needs time", now=NOW)
    deals.decide_extension(deal, speakers.manager, True, now=NOW)
    deals.mark_won(deal, speakers.manager, 100_000_00, NOW.date(), now=NOW)
    mails = list(db.session.scalars(select(OutboxMessage)))
    kinds = {mail.kind for mail in mails}
    assert {"deals.submitted", "deals.approved", "deals.extension_requested", "deals.extension_granted",
            "deals.won"} <= kinds
    for mail in mails:
        _assert_finished(mail)


def test_datetimes_in_mail_are_in_the_recipients_zone(app, world):
    world.a_member.locale, world.a_member.timezone = "en", "Asia/Vladivostok"
    db.session.commit()
    late = datetime(2026, 3, 2, 20, 30, tzinfo=timezone.utc)  # already 3 March in Vladivostok
    params = {"track": notifications.Translated({"ru": "Продажи", "en": "Sales"}),
              "until": notifications.Day.of(late)}
    notifications.send([world.a_member], "academy.certificate_earned", obj=("certificate", 1), params=params)
    db.session.commit()
    # certificate_earned is inbox-only by default: nothing mailed until the user asks for it.
    assert _mails(world.a_member.email) == []
    notifications.save_email_choices(world.a_member, ["academy.certificate_earned"])
    notifications.send([world.a_member], "academy.certificate_earned", obj=("certificate", 1), params=params)
    [mail] = _mails(world.a_member.email)
    assert mail.subject == "Certificate earned: Sales, valid until Mar 3, 2026"
    # A moment with its time, in the reader's zone and language.
    from hub.i18n import speaking_to
    with speaking_to("ru", "Asia/Vladivostok"):
        assert notifications.shown(late) == "3 мар. 2026\u202fг., 06:30"
    with speaking_to("en", "Europe/Moscow"):
        assert notifications.shown(late) == "Mar 2, 2026, 11:30\u202fPM"


# --- e-mail choices ------------------------------------------------------------------------------

def test_the_profile_offers_the_types_of_the_readers_role_grouped_by_feature(client, world, login):
    login(world.a_member)
    page = _page(client.get("/profile"))
    assert 'id="email-choices"' in page
    for group in ("Deals", "Academy", "Rewards"):
        assert f"<legend>{group}</legend>" in page
    assert page.index("<legend>Deals</legend>") < page.index("<legend>Academy</legend>")
    assert re.search(r'value="deals\.approved"\s+checked', page)
    assert re.search(r'value="academy\.certificate_earned"\s*>', page)  # inbox only by default
    assert "deals.submitted" not in page  # a manager's type
    assert "accounts.password_reset" not in page  # always sent: not a choice
    login(world.manager)
    page = _page(client.get("/profile"))
    assert re.search(r'value="deals\.submitted"\s+checked', page) and "deals.approved" not in page


def test_a_partner_who_turns_a_type_off_gets_no_mail_for_it_but_the_inbox_row(app, client, speakers, login):
    login(speakers.a_member)
    response = client.post("/profile/notifications", data={"mail-email": ["academy.certificate_earned"]})
    assert response.status_code == 303 and response.headers["Location"] == "/profile#email-choices"
    assert "Your e-mail choices have been saved." in _page(client.get("/profile"))
    stored = dict(db.session.execute(select(NotificationPreference.type, NotificationPreference.email)
                                     .where(NotificationPreference.user_id == speakers.a_member.id)).all())
    assert stored["deals.approved"] == "off" and stored["academy.certificate_earned"] == "instant"
    _approve_in_russian(app, speakers)
    assert _mails(speakers.a_member.email) == []
    assert len(_mails(speakers.a_admin.email)) == 1  # the colleague kept the default
    assert db.session.scalar(select(Notification).where(Notification.user_id == speakers.a_member.id,
                                                        Notification.type == "deals.approved")) is not None


def test_turning_everything_off_and_with_htmx(client, world, login):
    login(world.a_member)
    response = client.post("/profile/notifications", data={}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Location"] == "/profile#email-choices"
    rows = list(db.session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id == world.a_member.id)))
    assert rows and all(row.email == "off" for row in rows)
    page = _page(client.get("/profile"))
    assert not re.search(r'name="mail-email"[^>]*checked', page)


def test_a_forged_type_is_refused_and_nothing_is_saved(client, world, login):
    login(world.a_member)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post("/profile/notifications", headers=headers,
                               data={"mail-email": ["deals.approved", "deals.submitted"]})
        assert response.status_code == 422
        assert 'id="mail-email-error"' in _page(response)
    assert db.session.scalar(select(NotificationPreference)) is None


def test_always_types_ignore_choices_and_email_false_suppresses(app, world):
    db.session.add(NotificationPreference(user_id=world.a_member.id, type="deals.approved", email="off"))
    db.session.commit()
    notifications.send([world.a_member], "deals.approved", params={"customer": "X", "until": date(2026, 5, 1)},
                       email=True)
    notifications.send([world.a_admin], "deals.approved", params={"customer": "X", "until": date(2026, 5, 1)},
                       email=False)
    assert _mails(world.a_member.email) == [] and _mails(world.a_admin.email) == []
    assert len(list(db.session.scalars(select(Notification)))) == 2
    # A password reset link is not a choice: it is mailed whatever is stored, and never kept in the inbox.
    db.session.add(NotificationPreference(user_id=world.a_member.id, type="accounts.password_reset", email="off"))
    db.session.commit()
    from hub.accounts import services as accounts
    accounts.request_password_reset(world.a_member.email)
    assert [m.kind for m in _mails(world.a_member.email)] == ["accounts.password_reset"]
    assert db.session.scalar(select(Notification).where(Notification.type == "accounts.password_reset")) is None


def test_an_address_without_account_gets_mail_only(app, world):
    rows = notifications.send([notifications.Address("guest@example.ru", locale="en")], "deals.approved",
                              params={"customer": "Guest", "until": date(2026, 5, 1)})
    assert rows == [] and db.session.scalar(select(Notification)) is None
    [mail] = _mails("guest@example.ru")
    assert mail.body.startswith("Hello,") and "choose which notifications" not in mail.body.lower()


def test_one_recipient_twice_is_told_once(app, world):
    notifications.send([world.a_member, world.a_member], "deals.won", params={"customer": "X"})
    assert len(list(db.session.scalars(select(Notification)))) == 1 and len(_mails(world.a_member.email)) == 1


# --- stored rows that outlive their code ---------------------------------------------------------

def test_legacy_rows_keep_their_text_and_broken_rows_do_not_break_the_inbox(client, world, login):
    for type_, params in (("core.legacy_text", {"text": "Ваша сделка «Старая» одобрена."}),
                          ("deals.approved", {"customer": "No date"}),  # a parameter missing
                          ("gone.feature", {"text": "From a removed feature"})):
        db.session.add(Notification(user_id=world.a_member.id, type=type_, params=params,
                                    created_at=NOW))
    db.session.commit()
    login(world.a_member)
    response = client.get("/inbox")
    assert response.status_code == 200
    page = _page(response)
    assert "Ваша сделка «Старая» одобрена." in page
    assert "Our deal is approved" in page  # the type's label stands in for the broken line
    assert "From a removed feature" in page


# --- the registry and the parameters -------------------------------------------------------------

def test_register_insists_on_a_feature_name_and_one_way_to_render():
    with pytest.raises(ValueError):
        notifications.register("nofeature", "x", text="y")
    with pytest.raises(ValueError):
        notifications.register("tests.none", "x")
    with pytest.raises(ValueError):
        notifications.register("tests.two", "x", text="y", render=lambda note: "z")
    with pytest.raises(ValueError):
        notifications.register("tests.mode", "x", text="y", email="sometimes")
    assert notifications.get_type("tests.none") is None


def test_unknown_type_is_a_programming_error(app, world):
    with pytest.raises(KeyError):
        notifications.send([world.a_member], "tests.not_registered")


def test_parameters_round_trip_with_their_types():
    params = {"d": date(2026, 12, 5), "t": datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc),
              "day": notifications.Day.of(datetime(2026, 3, 2, 21, 0, tzinfo=timezone.utc)),
              "m": notifications.Money(150_000), "x": notifications.Translated({"ru": "Да", "en": "Yes"}),
              "q": Decimal("12.50"), "n": 3, "s": "text", "l": [date(2026, 1, 1), 1], "none": None}
    stored = notifications.encode(params)
    import json
    decoded = notifications.decode(json.loads(json.dumps(stored)))
    assert decoded == params and type(decoded["day"]) is notifications.Day


def test_parameters_refuse_what_would_freeze_a_language_or_lose_the_zone():
    from flask_babel import lazy_gettext
    with pytest.raises(TypeError):
        notifications.encode({"label": lazy_gettext("Deals")})
    with pytest.raises(ValueError):
        notifications.encode({"at": datetime(2026, 3, 2, 9, 0)})
