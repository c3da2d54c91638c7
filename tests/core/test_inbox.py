"""Notifications inbox (P7): own notes only, unread badge, mark all as read; the outbox sender."""
from __future__ import annotations

from sqlalchemy import select

from hub.core.models import Notification, OutboxMessage
from hub.core.services import notify, queue_mail, send_outbox
from hub.extensions import db


def _text(response):
    return response.get_data(as_text=True)


def test_inbox_shows_own_notifications_and_unread_badge(client, world, login):
    notify([world.a_member], "Deal ACME approved", "/deals/1")
    notify([world.b_member], "Secret of Beta", None)
    db.session.commit()
    login(world.a_member)
    for headers in ({}, {"HX-Request": "true", "HX-Boosted": "true"}):
        page = _text(client.get("/inbox", headers=headers))
        assert "Deal ACME approved" in page and 'href="/deals/1"' in page
        assert "Secret of Beta" not in page
        assert '<span class="badge">1</span>' in page


def test_mark_all_read_is_post_and_only_touches_own(client, world, login):
    notify([world.a_member, world.b_member], "Hello", None)
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
