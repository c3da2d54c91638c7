"""Profile: name, language (drives the UI), time zone, password change."""
from __future__ import annotations

from datetime import timedelta

from hub.database import utcnow
from hub.extensions import db
from tests.factories import PASSWORD

from .helpers import audit_actions, text

EN = {"Accept-Language": "en"}


def _save(client, headers=EN, **data):
    form = {"profile-name": "Arkady A.", "profile-locale": "en", "profile-timezone": "Asia/Novosibirsk"}
    form.update({f"profile-{k}": v for k, v in data.items()})
    return client.post("/profile", data=form, headers=headers)


def test_profile_page_shows_the_forms(client, world, login):
    login(world.a_member)
    for headers in (EN, {**EN, "HX-Request": "true"}):
        response = client.get("/profile", headers=headers)
        assert response.status_code == 200
        page = text(response)
        assert 'value="Arkady Alpha"' in page and 'name="profile-timezone"' in page
        if "HX-Request" in headers:  # the named block only
            assert "<html" not in page and 'name="pw-current_password"' not in page
        else:
            assert "<html" in page and 'name="pw-current_password"' in page


def test_saving_the_profile_flashes_and_changes_the_language(client, world, login):
    login(world.a_member)
    response = _save(client)
    assert response.status_code == 303 and response.headers["Location"] == "/profile"
    db.session.refresh(world.a_member)
    assert (world.a_member.name, world.a_member.locale, world.a_member.timezone) == \
        ("Arkady A.", "en", "Asia/Novosibirsk")
    page = text(client.get("/profile", headers={"Accept-Language": "ru"}))
    assert 'lang="en"' in page and "Your profile has been saved." in page
    # And back to Russian: the profile beats the browser.
    _save(client, locale="ru")
    page = text(client.get("/profile", headers=EN))
    assert 'lang="ru"' in page


def test_profile_errors_next_to_field_nothing_saved(client, world, login):
    login(world.a_member)
    for headers in (EN, {**EN, "HX-Request": "true"}):
        for data, field in (({"name": ""}, "profile-name"), ({"timezone": "Mars/Olympus"}, "profile-timezone"),
                            ({"locale": "de"}, "profile-locale")):
            response = _save(client, headers=headers, **data)
            assert response.status_code == 422
            page = text(response)
            assert f'id="{field}-error"' in page
            assert ("<html" in page) == ("HX-Request" not in headers)
    db.session.refresh(world.a_member)
    assert world.a_member.name == "Arkady Alpha" and world.a_member.timezone == "Europe/Moscow"


def _change(client, current=PASSWORD, new="a brand new password", confirm=None, headers=EN):
    return client.post("/profile/password", headers=headers, data={
        "pw-current_password": current, "pw-password": new, "pw-confirm": confirm or new})


def test_change_password_needs_the_current_one(client, world, login):
    login(world.a_member)
    for headers in (EN, {**EN, "HX-Request": "true"}):
        response = _change(client, current="not my password", headers=headers)
        assert response.status_code == 422
        assert 'id="pw-current_password-error"' in text(response)
    response = _change(client, new="short")
    assert response.status_code == 422 and 'id="pw-password-error"' in text(response)
    response = _change(client, confirm="something else entirely")
    assert response.status_code == 422 and 'id="pw-confirm-error"' in text(response)
    db.session.refresh(world.a_member)
    assert world.a_member.check_password(PASSWORD)
    assert audit_actions("user") == []


def test_change_password_saves_audits_and_clears_lockout(client, world, login):
    login(world.a_member)
    world.a_member.failed_logins = 2
    world.a_member.locked_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    response = _change(client)
    assert response.status_code == 303
    db.session.refresh(world.a_member)
    assert world.a_member.check_password("a brand new password")
    assert world.a_member.password_hash.startswith("scrypt:")
    assert world.a_member.locked_until is None and world.a_member.failed_logins == 0
    assert audit_actions("user") == ["password_changed"]
    assert "Your password has been changed." in text(client.get("/profile", headers=EN))
