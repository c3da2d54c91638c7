"""After the session expired (issue 9 point 7): an htmx request gets HX-Redirect to the login page (never
a login page swapped into a form), and a plain form keeps what was typed across logging in again."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select, update

from hub.drafts import FormDraft
from hub.database import utcnow
from hub.deals import services as deals
from hub.extensions import db
from tests.factories import PASSWORD
from tests.helpers import _english_browser, url  # noqa: F401

HX = {"HX-Request": "true"}
SAME_SITE = {"Origin": "http://localhost", "Referer": "http://localhost/deals/new"}


def _deal_form() -> dict:
    return {"customer_name": "ООО «Лунный Кролик»", "inn": "7707083893", "domain": "roga.example",
            "contact_name": "Ivan Petrov", "contact_email": "ivan@roga.example", "product": "crm",
            "amount": "1 500 000", "region": "moscow", "notes": "Тендер в марте",
            "expected_close_date": (deals.program_today() + timedelta(days=30)).isoformat()}


def _next(location: str) -> str:
    return parse_qs(urlsplit(location).query)["next"][0]


def _drafts() -> int:
    return db.session.scalar(select(func.count()).select_from(FormDraft))


def _log_in_through_the_form(client, login_url: str):
    page = client.get(login_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    data = {"email": "member@alpha.test", "password": PASSWORD}
    if token:
        data["csrf_token"] = token.group(1)
    return client.post(login_url, data=data)


# --- htmx ------------------------------------------------------------------------------------------------

def test_an_htmx_request_without_a_session_gets_hx_redirect_to_the_login_page(client, world):
    headers = dict(HX, **{"HX-Current-URL": "http://localhost/deals/new"})
    response = client.get(url("deals.check", customer_name="Лунный"), headers=headers)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == url("accounts.login", next="/deals/new")
    assert response.get_data() == b""  # nothing that htmx could swap into the form
    assert "Location" not in response.headers


def test_an_htmx_live_check_keeps_the_form_it_sends(client, world):
    """The deal form's checks include the whole form: the one that meets the expired session keeps it."""
    headers = dict(HX, **SAME_SITE, **{"HX-Current-URL": "http://localhost/deals/new"})
    response = client.get(url("deals.check"), query_string=_deal_form(), headers=headers)
    assert response.status_code == 401
    back = _next(response.headers["HX-Redirect"])
    assert back.startswith("/deals/new?_draft=")
    _log_in_through_the_form(client, response.headers["HX-Redirect"])
    assert 'value="ООО «Лунный Кролик»"' in client.get(back).get_data(as_text=True)


def test_the_deal_form_checks_send_the_whole_form_but_not_its_token(client, world, login):
    login(world.a_member)
    page = client.get(url("deals.new")).get_data(as_text=True)
    includes = set(re.findall(r'hx-include="([^"]+)"', page))
    assert len(includes) == 1
    selectors = includes.pop().split(", ")
    assert {"#customer_name", "#notes", "#region", "#amount"} <= set(selectors) and "#csrf_token" not in selectors


def test_a_boosted_navigation_comes_back_to_the_page_it_asked_for(client, world):
    headers = dict(HX, **{"HX-Boosted": "true", "HX-Current-URL": "http://localhost/program"})
    response = client.get("/deals/?status=won", headers=headers)
    assert response.status_code == 401
    assert _next(response.headers["HX-Redirect"]) == "/deals/?status=won"


def test_an_htmx_form_post_keeps_what_was_typed(client, world):
    headers = dict(HX, **SAME_SITE, **{"HX-Current-URL": "http://localhost/deals/new"})
    response = client.post(url("deals.new"), data=_deal_form(), headers=headers)
    assert response.status_code == 401 and "Location" not in response.headers
    back = _next(response.headers["HX-Redirect"])
    assert back.startswith("/deals/new?_draft=")
    assert _log_in_through_the_form(client, response.headers["HX-Redirect"]).headers["Location"] == back
    page = client.get(back).get_data(as_text=True)
    assert 'value="ООО «Лунный Кролик»"' in page and "Тендер в марте" in page


# --- plain forms -------------------------------------------------------------------------------------------

def test_a_plain_post_after_the_session_expired_keeps_the_form(client, world):
    response = client.post(url("deals.new"), data=dict(_deal_form(), password="not kept"), headers=SAME_SITE)
    assert response.status_code == 302
    login_url = response.headers["Location"]
    back = _next(login_url)
    assert back.startswith("/deals/new?_draft=")
    stored = db.session.scalar(select(FormDraft))
    assert dict(stored.fields)["customer_name"] == "ООО «Лунный Кролик»"
    assert "password" not in dict(stored.fields)

    login_page = client.get(login_url).get_data(as_text=True)
    assert "Your session has expired" in login_page and "what you typed has been kept" in login_page
    after = _log_in_through_the_form(client, login_url)
    assert after.status_code == 303 and after.headers["Location"] == back

    page = client.get(back).get_data(as_text=True)
    assert 'value="ООО «Лунный Кролик»"' in page and 'value="7707083893"' in page
    assert "Тендер в марте" in page and 'selected value="crm"' in page
    assert "What you typed before logging in is back in the form" in page
    # Once: the draft is gone, a reload shows an empty form.
    assert _drafts() == 0
    assert "Лунный Кролик" not in client.get(back).get_data(as_text=True)


def test_a_cross_site_post_plants_nothing(client, world):
    response = client.post(url("deals.new"), data=_deal_form(),
                           headers={"Origin": "https://evil.test", "Referer": "https://evil.test/x"})
    assert response.status_code == 302 and "_draft" not in _next(response.headers["Location"])
    assert _drafts() == 0


def test_a_draft_is_only_for_its_own_page_and_expires(client, world):
    response = client.post(url("deals.new"), data=_deal_form(), headers=SAME_SITE)
    back = _next(response.headers["Location"])
    _log_in_through_the_form(client, response.headers["Location"])
    token = parse_qs(urlsplit(back).query)["_draft"][0]
    assert "Лунный" not in client.get(f"/profile?_draft={token}").get_data(as_text=True)
    db.session.execute(update(FormDraft).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert "Лунный" not in client.get(back).get_data(as_text=True)


def test_a_password_is_never_filled_back_in(client, world, login):
    user = world.a_member
    response = client.post("/profile/password", data={"pw-current_password": "secret-current",
                                                      "pw-password": "a new password 1", "pw-confirm": "x"},
                           headers=dict(SAME_SITE, Referer="http://localhost/profile"))
    assert response.status_code == 302
    # Only passwords were typed: there is nothing to keep.
    assert "_draft" not in _next(response.headers["Location"]) and _drafts() == 0
    login(user)
    assert "secret-current" not in client.get("/profile").get_data(as_text=True)


# --- the CSRF token of a form whose session is gone ------------------------------------------------------------

class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def _stale_token(self, app, login, world) -> str:
        """A token from a session that has since expired (another client's cookie jar)."""
        old = app.test_client()
        login(world.a_member, old)
        page = old.get(url("deals.new"), headers={"Accept-Language": "en"}).get_data(as_text=True)
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)

    def test_plain(self, app, client, login, world):
        token = self._stale_token(app, login, world)
        response = client.post(url("deals.new"), data=dict(_deal_form(), csrf_token=token), headers=SAME_SITE)
        assert response.status_code == 302
        back = _next(response.headers["Location"])
        assert back.startswith("/deals/new?_draft=")
        assert _log_in_through_the_form(client, response.headers["Location"]).headers["Location"] == back
        assert 'value="ООО «Лунный Кролик»"' in client.get(back).get_data(as_text=True)

    def test_htmx(self, app, client, login, world):
        token = self._stale_token(app, login, world)
        headers = dict(HX, **SAME_SITE, **{"HX-Current-URL": "http://localhost/deals/new", "X-CSRFToken": token})
        response = client.post(url("deals.new"), data=_deal_form(), headers=headers)
        assert response.status_code == 401
        assert _next(response.headers["HX-Redirect"]).startswith("/deals/new?_draft=")

    def test_a_public_form_comes_back_to_itself(self, app, client, login, world):
        token = self._stale_token(app, login, world)
        response = client.post("/login", data={"email": "member@alpha.test", "password": "secret-typed-password", "csrf_token": token},
                               headers=dict(SAME_SITE, Referer="http://localhost/login"))
        assert response.status_code == 303
        back = response.headers["Location"]
        assert back.startswith("/login?_draft=")
        page = client.get(back).get_data(as_text=True)
        assert 'value="member@alpha.test"' in page and "secret-typed-password" not in page
        assert "The form had expired" in page

    def test_a_logged_in_user_with_a_wrong_token_still_gets_400(self, client, login, world):
        login(world.a_member)
        response = client.post("/inbox/read", data={"csrf_token": "forged"}, headers=SAME_SITE)
        assert response.status_code == 400 and _drafts() == 0
