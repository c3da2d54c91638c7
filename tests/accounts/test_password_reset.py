"""Password reset through the outbox: same answer for unknown addresses, 1-hour single-use token,
other tokens die, lock-out cleared."""
from __future__ import annotations

from datetime import timedelta

from hub.accounts import services
from hub.accounts.models import PasswordReset, token_digest
from hub.core.models import OutboxMessage
from hub.database import utcnow
from hub.extensions import db
from tests.factories import PASSWORD

from .helpers import audit_actions, count, link_path, mails_to, text

EN = {"Accept-Language": "en"}
NEW = "a fresh long password"


def _ask(client, email, headers=EN):
    return client.post("/password/forgot", data={"email": email}, headers=headers, follow_redirects=True)


def test_reset_end_to_end_through_the_outbox(client, world):
    world.a_member.failed_logins = 3
    world.a_member.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    answer = _ask(client, "member@alpha.test")
    assert answer.status_code == 200 and "If an account uses this address" in text(answer)
    [mail] = mails_to("member@alpha.test")
    assert mail.sent_at is None  # queued, delivered later by `tick` / `outbox send`
    path = link_path(mail)
    token = path.rsplit("/", 1)[1]
    reset = db.session.query(PasswordReset).one()
    assert reset.token_hash == token_digest(token) and reset.expires_at - reset.created_at == timedelta(hours=1)

    page = client.get(path, headers=EN)
    assert page.status_code == 200 and 'name="password"' in text(page)
    response = client.post(path, data={"password": NEW, "confirm": NEW}, headers=EN)
    assert response.status_code == 303 and response.headers["Location"] == "/login"

    db.session.refresh(world.a_member)
    assert world.a_member.check_password(NEW) and not world.a_member.check_password(PASSWORD)
    assert world.a_member.locked_until is None and world.a_member.failed_logins == 0
    assert audit_actions("user") == ["password_reset"]
    # The new password works at the login form.
    login = client.post("/login", data={"email": "member@alpha.test", "password": NEW})
    assert login.status_code == 303
    client.post("/logout")
    # Single use.
    again = client.get(path, headers=EN)
    assert again.status_code == 410 and "already been used" in text(again)
    again = client.post(path, data={"password": "yet another password", "confirm": "yet another password"})
    assert again.status_code == 410
    db.session.refresh(world.a_member)
    assert world.a_member.check_password(NEW)


def test_unknown_email_gets_the_same_answer_and_no_mail(client, world):
    known = _ask(client, "member@alpha.test")
    unknown = _ask(client, "nobody@alpha.test")
    assert known.status_code == unknown.status_code == 200
    message = "If an account uses this address, we have sent it a link"
    assert message in text(known) and message in text(unknown)
    assert count(OutboxMessage) == 1 and count(OutboxMessage, OutboxMessage.recipient == "nobody@alpha.test") == 0


def test_same_answer_with_htmx_too(client, world):
    for email in ("member@alpha.test", "nobody@alpha.test"):
        response = client.post("/password/forgot", data={"email": email}, headers={"HX-Request": "true"})
        assert response.status_code == 200 and response.headers["HX-Location"] == "/login"


def test_empty_request_shows_error_next_to_field(client, world):
    for headers in (EN, {**EN, "HX-Request": "true"}):
        response = client.post("/password/forgot", data={"email": ""}, headers=headers)
        assert response.status_code == 422 and 'id="email-error"' in text(response)
    assert count(OutboxMessage) == 0 and count(PasswordReset) == 0


def test_token_expires_after_an_hour(client, world):
    token = services.request_password_reset("member@alpha.test", now=utcnow() - timedelta(minutes=61))
    response = client.get(f"/password/reset/{token}", headers=EN)
    assert response.status_code == 410 and "expired" in text(response)
    response = client.post(f"/password/reset/{token}", data={"password": NEW, "confirm": NEW})
    assert response.status_code == 410
    db.session.refresh(world.a_member)
    assert world.a_member.check_password(PASSWORD)


def test_token_still_valid_just_before_the_hour(app, world):
    now = utcnow()
    token = services.request_password_reset("member@alpha.test", now=now)
    services.reset_password(token, NEW, now=now + timedelta(minutes=59))
    assert world.a_member.check_password(NEW)


def test_using_one_token_kills_the_others(client, world):
    first = services.request_password_reset("member@alpha.test")
    second = services.request_password_reset("member@alpha.test")
    assert client.post(f"/password/reset/{second}", data={"password": NEW, "confirm": NEW}).status_code == 303
    response = client.get(f"/password/reset/{first}", headers=EN)
    assert response.status_code == 410
    assert count(PasswordReset, PasswordReset.used_at.is_(None)) == 0


def test_unknown_token_gets_a_clear_page(client):
    response = client.get("/password/reset/nonsense", headers=EN)
    assert response.status_code == 410 and "not valid" in text(response)


def test_reset_form_errors_save_nothing(client, world):
    token = services.request_password_reset("member@alpha.test")
    for data, field in (({"password": "short", "confirm": "short"}, "password"),
                        ({"password": NEW, "confirm": NEW + "x"}, "confirm")):
        for headers in (EN, {**EN, "HX-Request": "true"}):
            response = client.post(f"/password/reset/{token}", data=data, headers=headers)
            assert response.status_code == 422 and f'id="{field}-error"' in text(response)
    db.session.refresh(world.a_member)
    assert world.a_member.check_password(PASSWORD)
    assert count(PasswordReset, PasswordReset.used_at.is_(None)) == 1


def test_inactive_user_gets_no_link(app, world):
    world.a_member.is_active_user = False
    db.session.commit()
    assert services.request_password_reset("member@alpha.test") is None
    assert count(OutboxMessage) == 0


def test_mail_is_in_the_users_language(app, world):
    world.a_member.locale = "en"
    db.session.commit()
    services.request_password_reset("member@alpha.test")
    [mail] = mails_to("member@alpha.test")
    assert mail.subject == "Reset your Partner Hub password"
    assert mail.body.startswith("Hello Arkady Alpha")
