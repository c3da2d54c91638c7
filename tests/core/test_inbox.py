"""Notifications inbox (P7): own notes only, unread badge, mark all as read, bounded queries; the
outbox sender (text + HTML as multipart/alternative)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from hub.core import notifications
from hub.core.models import Notification, OutboxMessage
from hub.core.services import build_email, queue_mail, send_outbox
from hub.extensions import db
from tests.helpers import _english_browser  # noqa: F401 (the English UI)


def _text(response):
    return response.get_data(as_text=True)


def _approved(users, customer="ACME", deal_id=1):
    notifications.send(users, "deals.approved", obj=("deal", deal_id),
                       params={"customer": customer, "until": date(2026, 12, 5)},
                       link_endpoint="deals.show", link_values={"deal_id": deal_id}, email=False)


def test_inbox_shows_own_notifications_and_unread_badge(client, world, login):
    _approved([world.a_member])
    _approved([world.b_member], customer="Secret of Beta")
    db.session.commit()
    login(world.a_member)
    for headers in ({}, {"HX-Request": "true", "HX-Boosted": "true"}):
        page = _text(client.get("/inbox", headers=headers))
        assert "Your deal «ACME» was approved: protected until Dec 5, 2026" in page
        assert 'href="/deals/1"' in page
        assert "Secret of Beta" not in page
        assert '<span class="badge">1</span>' in page


def test_mark_all_read_is_post_and_only_touches_own(client, world, login):
    _approved([world.a_member, world.b_member])
    db.session.commit()
    login(world.a_member)
    assert client.get("/inbox/read").status_code == 405
    response = client.post("/inbox/read")
    assert response.status_code == 303 and response.headers["Location"] == "/inbox"
    read = dict(db.session.execute(select(Notification.user_id, Notification.read_at)).all())
    assert read[world.a_member.id] is not None and read[world.b_member.id] is None
    assert 'class="badge"' not in _text(client.get("/inbox"))
    response = client.post("/inbox/read", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Location"] == "/inbox"


def test_empty_inbox(client, world, login):
    login(world.a_member)
    page = _text(client.get("/inbox", headers={"Accept-Language": "en"}))
    assert "No notifications yet." in page


def test_inbox_requires_login(client):
    assert client.get("/inbox").status_code == 302


def test_inbox_queries_do_not_grow_with_notifications_or_types(client, world, login, count_queries):
    login(world.a_member)

    def page_queries() -> int:
        with count_queries() as counter:
            assert client.get("/inbox").status_code == 200
        return counter.count

    _approved([world.a_member])
    db.session.commit()
    few = page_queries()
    for n in range(40):
        _approved([world.a_member], customer=f"Customer {n}", deal_id=n + 2)
        notifications.send([world.a_member], "rewards.tier_changed", obj=world.org_a,
                           params={"old": "bronze", "new": "silver", "up": True}, email=False)
        notifications.send([world.a_member], "academy.certificate_earned", obj=("certificate", n),
                           params={"track": notifications.Translated({"ru": "Продажи", "en": "Sales"}),
                                   "until": date(2028, 3, 2)}, email=False)
    db.session.commit()
    many = page_queries()
    assert many == few <= 5
    page = _text(client.get("/inbox"))
    assert "Customer 39" in page and "moved up to the Silver tier" in page and "Certificate earned: Sales" in page


def test_outbox_sender_prints_without_smtp_and_marks_sent(app, world, capsys):
    queue_mail("someone@example.ru", "Subject line", "Body text")
    db.session.commit()
    assert send_outbox() == (1, 0)
    assert "Subject line" in capsys.readouterr().err
    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is not None and message.attempts == 1
    assert send_outbox() == (0, 0)  # nothing left to send


def test_outbox_keeps_failed_messages_for_retry(app, world):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9)  # nothing listens on the discard port
    queue_mail("someone@example.ru", "Subject", "Body")
    db.session.commit()
    assert send_outbox() == (0, 1)
    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is None and message.last_error and message.attempts == 1


def test_a_message_with_html_goes_out_as_multipart_alternative(app, world):
    message = queue_mail("someone@example.ru", "Subject", "Plain body", html="<p>HTML body</p>")
    email = build_email(message, "Hub <hub@example.ru>")
    assert email.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in email.iter_parts()}
    assert parts["text/plain"].strip() == "Plain body" and "<p>HTML body</p>" in parts["text/html"]
    plain = build_email(queue_mail("someone@example.ru", "Subject", "Only text"), "Hub <hub@example.ru>")
    assert plain.get_content_type() == "text/plain"
