"""Logins end when they should: logout, password change, password reset and "sign out everywhere"
end the server-side login, so cookies copied before (session or remember-me) are anonymous after."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.accounts import services, sessions
from hub.accounts.models import UserSession
from hub.core.models import AuditEntry
from hub.database import utcnow
from hub.extensions import db
from tests.conftest import HubClient
from tests.factories import PASSWORD

from .helpers import audit_actions, count, text

EN = {"Accept-Language": "en"}
NEW = "a brand new password"


def _browser(app):
    app.test_client_class = HubClient
    return app.test_client()


def _log_in(app, remember=False, email="member@alpha.test", password=PASSWORD):
    browser = _browser(app)
    response = browser.post("/login", data={"email": email, "password": password,
                                            **({"remember": "y"} if remember else {})})
    assert response.status_code == 303, text(response)
    return browser


def _cookies(browser) -> dict[str, str]:
    return {name: browser.get_cookie(name).value for name in ("session", "remember_token")
            if browser.get_cookie(name) is not None}


def _replay(app, cookies: dict[str, str]):
    """A fresh browser holding only the given (copied) cookies."""
    thief = _browser(app)
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def _logged_in(browser) -> bool:
    response = browser.get("/profile", headers=EN)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def test_copied_cookies_log_in_while_the_login_lasts(app, world):
    browser = _log_in(app, remember=True)
    cookies = _cookies(browser)
    assert set(cookies) == {"session", "remember_token"}
    # Positive controls: each copied cookie alone still logs in before anything ends the login.
    assert _logged_in(_replay(app, {"session": cookies["session"]}))
    assert _logged_in(_replay(app, {"remember_token": cookies["remember_token"]}))


def test_logout_ends_the_login_for_copied_session_and_remember_cookies(app, world):
    browser = _log_in(app, remember=True)
    cookies = _cookies(browser)
    assert count(UserSession) == 1
    assert browser.post("/logout").status_code == 303
    assert not _logged_in(browser)
    assert count(UserSession) == 0
    assert not _logged_in(_replay(app, {"session": cookies["session"]}))
    assert not _logged_in(_replay(app, {"remember_token": cookies["remember_token"]}))
    assert not _logged_in(_replay(app, cookies))


def test_logout_ends_only_its_own_login(app, world):
    phone, laptop = _log_in(app), _log_in(app, remember=True)
    phone.post("/logout")
    assert not _logged_in(phone) and _logged_in(laptop)


def test_password_change_ends_every_other_login_and_keeps_this_one(app, world):
    laptop = _log_in(app)
    phone = _log_in(app, remember=True)
    stolen = _cookies(phone)
    other_user = _log_in(app, email="admin@alpha.test")
    response = laptop.post("/profile/password", headers=EN, data={
        "pw-current_password": PASSWORD, "pw-password": NEW, "pw-confirm": NEW})
    assert response.status_code == 303
    page = text(laptop.get("/profile", headers=EN))
    assert "Your password has been changed." in page and "signed out on 1 other device" in page
    assert _logged_in(laptop)
    assert not _logged_in(phone)
    assert not _logged_in(_replay(app, {"session": stolen["session"]}))
    assert not _logged_in(_replay(app, {"remember_token": stolen["remember_token"]}))
    assert _logged_in(other_user)  # another person's logins are not touched
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "password_changed")).one()
    assert entry.details["sessions_ended"] == 1


def test_password_reset_ends_every_login(app, world):
    laptop = _log_in(app)
    phone = _log_in(app, remember=True)
    stolen = _cookies(phone)
    token = services.request_password_reset("member@alpha.test")
    stranger = _browser(app)
    response = stranger.post(f"/password/reset/{token}", data={"password": NEW, "confirm": NEW})
    assert response.status_code == 303
    assert not _logged_in(laptop) and not _logged_in(phone)
    assert not _logged_in(_replay(app, stolen))
    assert count(UserSession) == 0
    # The new password opens a new login.
    assert _logged_in(_log_in(app, password=NEW))


def test_sign_out_everywhere_ends_every_login_this_one_too(app, world):
    laptop = _log_in(app)
    phone = _log_in(app, remember=True)
    stolen = _cookies(phone)
    other_user = _log_in(app, email="admin@alpha.test")
    page = text(laptop.get("/profile", headers=EN))
    assert "Sign out everywhere" in page and "logged in on 2 devices" in page
    assert laptop.get("/logout/everywhere").status_code == 405
    response = laptop.post("/logout/everywhere", headers=EN)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "signed out on every device" in text(laptop.get("/login", headers=EN))
    assert not _logged_in(laptop) and not _logged_in(phone) and not _logged_in(_replay(app, stolen))
    assert _logged_in(other_user)
    assert audit_actions("user") == ["signed_out_everywhere"]


def test_sign_out_everywhere_with_htmx(app, world):
    laptop = _log_in(app)
    response = laptop.post("/logout/everywhere", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Location"] == "/login"
    assert not _logged_in(laptop)


def test_a_login_ends_on_its_own_when_its_time_is_up(app, world):
    browser = _log_in(app)
    row = db.session.scalar(select(UserSession))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not _logged_in(browser)
    assert sessions.purge() == 1 and count(UserSession) == 0


@pytest.mark.parametrize("remember, days", [(False, 31), (True, 365)])
def test_login_lifetime(app, world, remember, days):
    _log_in(app, remember=remember)
    row = db.session.scalar(select(UserSession))
    assert row.remember is remember and row.expires_at - row.created_at == timedelta(days=days)


def test_a_deactivated_user_is_anonymous_at_once(app, world):
    browser = _log_in(app)
    world.a_member.is_active_user = False
    db.session.commit()
    assert not _logged_in(browser)


def test_cookies_from_before_server_side_logins_are_anonymous(app, world):
    """A 0.1.0 session cookie named the user id itself; no login row matches it."""
    browser = _browser(app)
    with browser.session_transaction() as session:
        session["_user_id"] = str(world.a_member.id)
        session["_fresh"] = True
    assert not _logged_in(browser)


def test_the_key_is_stored_only_as_a_digest_and_loaded_with_one_query(app, world, count_queries):
    key = sessions.open_session(world.a_member)
    row = db.session.scalar(select(UserSession))
    assert key not in row.token_hash and len(row.token_hash) == 64
    db.session.expire_all()
    with count_queries() as counter:
        user = sessions.user_for_key(key)
    assert user.id == world.a_member.id and user.organisation.name == "Alpha Integration"
    assert counter.count == 1
    assert sessions.user_for_key("x" * 500) is None and sessions.user_for_key("") is None


def test_a_logged_in_page_costs_one_query_for_the_user(client, world, login, count_queries):
    login(world.a_member)
    client.get("/profile")
    with count_queries() as counter:
        client.get("/inbox")
    loads = [s for s in counter.statements if "user_session" in s]
    assert len(loads) == 1


def test_accepting_an_invitation_opens_a_login(app, world):
    _invitation, token = services.invite(world.a_admin, "new@alpha-partner.ru", "member", world.org_a)
    browser = _browser(app)
    response = browser.post(f"/invitations/accept/{token}", data={"name": "Nina", "password": NEW,
                                                                 "confirm": NEW})
    assert response.status_code == 303
    assert _logged_in(browser) and count(UserSession) == 1
