"""Log in / log out: success, failure, per-account lock-out, hashing, safe `next`."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.accounts import services
from hub.database import utcnow
from hub.extensions import db
from tests.factories import PASSWORD

from .helpers import text


def test_login_page_links_to_password_reset(client):
    page = text(client.get("/login"))
    assert 'href="/password/forgot"' in page
    assert "Забыли пароль?" in page  # Russian, the default language


def test_login_success_redirects_home_and_logs_in(client, world):
    response = client.post("/login", data={"email": "Member@Alpha.test ", "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Arkady Alpha" in text(home)
    db.session.refresh(world.a_member)
    assert world.a_member.last_login_at is not None


def test_login_with_htmx_gets_hx_location(client, world):
    response = client.post("/login", data={"email": "member@alpha.test", "password": PASSWORD},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Location"] == "/"


def test_wrong_password_shows_error_next_to_field_and_counts(client, world):
    response = client.post("/login", data={"email": "member@alpha.test", "password": "wrong password"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = text(response)
    assert 'id="password-error"' in page and "Wrong e-mail or password." in page
    db.session.refresh(world.a_member)
    assert world.a_member.failed_logins == 1
    assert client.get("/").status_code == 302  # still anonymous


def test_unknown_email_gets_the_same_error(client, world):
    response = client.post("/login", data={"email": "nobody@alpha.test", "password": "whatever"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Wrong e-mail or password." in text(response)


def test_login_form_errors_with_htmx_return_only_the_form(client, world):
    response = client.post("/login", data={"email": "", "password": ""},
                           headers={"HX-Request": "true", "Accept-Language": "en"})
    assert response.status_code == 422
    page = text(response)
    assert page.lstrip().startswith("<form") and "<html" not in page
    assert 'id="email-error"' in page
    assert "HX-Request" in response.headers.get("Vary", "")


def test_lockout_after_max_failures_even_with_right_password(client, world, app):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        client.post("/login", data={"email": "member@alpha.test", "password": "wrong password"})
    db.session.refresh(world.a_member)
    assert world.a_member.locked_until is not None and world.a_member.locked_until > utcnow()
    response = client.post("/login", data={"email": "member@alpha.test", "password": PASSWORD},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "locked" in text(response)
    assert client.get("/").status_code == 302


def test_lockout_lifts_after_the_lock_time(app, world):
    limit = app.config["LOGIN_MAX_FAILURES"]
    now = utcnow()
    for _ in range(limit):
        assert services.authenticate("member@alpha.test", "bad password", now=now) is None
    with pytest.raises(services.LoginLocked):
        services.authenticate("member@alpha.test", PASSWORD, now=now + timedelta(minutes=1))
    later = now + timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"], seconds=1)
    user = services.authenticate("member@alpha.test", PASSWORD, now=later)
    assert user is not None and user.id == world.a_member.id
    assert user.failed_logins == 0 and user.locked_until is None


def test_lockout_lifts_when_locked_until_is_past(client, world):
    world.a_member.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post("/login", data={"email": "member@alpha.test", "password": PASSWORD})
    assert response.status_code == 303


def test_failures_below_the_limit_reset_on_success(app, world):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        services.authenticate("member@alpha.test", "bad password")
    assert services.authenticate("member@alpha.test", PASSWORD) is not None
    assert world.a_member.failed_logins == 0


def test_inactive_user_cannot_log_in(client, world):
    world.a_member.is_active_user = False
    db.session.commit()
    response = client.post("/login", data={"email": "member@alpha.test", "password": PASSWORD})
    assert response.status_code == 422


def test_passwords_are_hashed_with_scrypt(app, world):
    user = world.a_member
    user.set_password("a brand new password")
    db.session.commit()
    assert user.password_hash.startswith("scrypt:")
    assert "a brand new password" not in user.password_hash
    assert user.check_password("a brand new password")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "http:/evil", "javascript:alert(1)"])
def test_next_to_another_host_is_not_followed(client, world, target):
    response = client.post("/login", query_string={"next": target},
                           data={"email": "member@alpha.test", "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_local_next_is_followed(client, world):
    response = client.post("/login", query_string={"next": "/profile"},
                           data={"email": "member@alpha.test", "password": PASSWORD})
    assert response.headers["Location"] == "/profile"


def test_protected_page_sends_anonymous_to_login_with_next(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logged_in_user_visiting_login_goes_home(client, world, login):
    login(world.a_member)
    assert client.get("/login").headers["Location"] == "/"


def test_logout_is_post_only_and_ends_the_session(client, world, login):
    login(world.a_member)
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 303
    assert client.get("/profile").status_code == 302


def _error(response) -> str:
    import re
    match = re.search(r'id="password-error"[^>]*>(.*?)</', text(response), re.S)
    assert match, text(response)
    return match.group(1).strip()


def test_lockout_answers_the_same_for_unknown_and_existing_addresses(client, world, app):
    """Five wrong passwords lock an address whether or not an account uses it, with the same message,
    so the lock-out cannot be used to find out who has an account."""
    from hub.accounts.models import LoginFailure
    limit = app.config["LOGIN_MAX_FAILURES"]
    answers = {}
    for email in ("member@alpha.test", "nobody@alpha.test"):
        seen = []
        for _ in range(limit + 2):
            response = client.post("/login", data={"email": email, "password": "wrong password"},
                                   headers={"Accept-Language": "en"})
            seen.append((response.status_code, _error(response)))
        answers[email] = seen
    assert answers["member@alpha.test"] == answers["nobody@alpha.test"]
    assert answers["nobody@alpha.test"][limit - 1][1] == "Wrong e-mail or password."
    assert "locked" in answers["nobody@alpha.test"][limit][1]
    # The counter of the unknown address is kept by digest, never the address itself.
    row = db.session.scalar(select(LoginFailure))
    assert row.locked_until > utcnow() and "nobody" not in row.address_hash


def test_unknown_address_lock_lifts_like_an_account_lock(app, world):
    limit = app.config["LOGIN_MAX_FAILURES"]
    now = utcnow()
    for _ in range(limit):
        assert services.authenticate("nobody@alpha.test", "bad password", now=now) is None
    with pytest.raises(services.LoginLocked):
        services.authenticate("Nobody@Alpha.test ", "bad password", now=now + timedelta(minutes=1))
    later = now + timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"], seconds=1)
    assert services.authenticate("nobody@alpha.test", "bad password", now=later) is None
    assert services.purge_login_failures(now=later + timedelta(days=2)) == 1


def test_a_locked_account_refuses_the_right_password_after_hashing_it(app, world, monkeypatch):
    """The password is checked even while locked, so a locked account answers as slowly as any other."""
    from hub.accounts.models import User
    world.a_member.locked_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    checked = []
    original = User.check_password
    monkeypatch.setattr(User, "check_password", lambda self, pw: checked.append(pw) or original(self, pw))
    with pytest.raises(services.LoginLocked):
        services.authenticate("member@alpha.test", PASSWORD)
    assert checked == [PASSWORD]
