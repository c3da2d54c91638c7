"""Security (P2): the CSRF walk over every state-changing route, security headers on every kind of
response, cookie flags, the htmx configuration and Vary."""
from __future__ import annotations

import hashlib
import json
import re

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from hub.accounts import services as accounts
from hub.extensions import db
from tests import factories
from tests.factories import PASSWORD

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# What a form might plausibly carry, so that a route missing CSRF protection would really act.
PAYLOAD = {
    "lang": "en", "next": "/", "reason": "because", "email": "walker@walk-partner.ru", "name": "Walker",
    "role": "member", "organisation": "1", "password": "a long password 1", "confirm": "a long password 1",
    "final_amount": "1000", "closed_on": "2030-01-01", "decision": "grant", "partner_type": "dealer",
    "segment": "sales", "region": "moscow", "tier": "bronze", "customer_name": "Walk Ltd",
    "inn": "7707083893", "domain": "walk.example", "contact_name": "Ivan", "product": "crm",
    "amount": "100000", "expected_close_date": "2030-01-01",
}


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _snapshot() -> str:
    """A digest of every row of every table: equal digests mean nothing changed."""
    digest = hashlib.sha256()
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digest.update(f"{table.name}:{len(rows)}:{rows!r}".encode())
    db.session.rollback()
    return digest.hexdigest()


def _url_for_rule(app, rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        values[name] = 1 if isinstance(converter, IntegerConverter) else "x"
    return app.url_map.bind("localhost").build(rule.endpoint, values, force_external=False)


@pytest.fixture
def seeded(app, world):
    """Objects with id 1 for the routes that take an id, so a missing check would have a target."""
    with app.test_request_context():
        accounts.invite(world.manager, "pending@beta-partner.ru", "member", world.org_b)
    factories.create_deal(world.org_a, world.a_member)
    factories.create_deal(world.org_a, world.a_member, status="approved")
    return world


def test_every_state_changing_route_refuses_a_request_without_csrf_token(app, client, seeded, login):
    login(seeded.admin)
    before = _snapshot()
    visited = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(STATE_CHANGING & set(rule.methods)):
            url = _url_for_rule(app, rule)
            for headers in ({}, {"HX-Request": "true"}):
                response = client.open(url, method=method, data=PAYLOAD, headers=headers)
                assert response.status_code == 400, f"{method} {url} answered {response.status_code}"
                page = response.get_data(as_text=True)
                # The CSRF refusal itself, in Russian (the default language), not some other 400.
                assert "Срок действия формы истёк" in page, url
            visited.append(f"{method} {rule.rule}")
    assert _snapshot() == before, "a request without a CSRF token changed the database"
    # The walk must not pass vacuously: accounts, core and deals together have well over ten.
    assert len(visited) > 10, visited
    for expected in ("POST /login", "POST /logout", "POST /language", "POST /invitations/new",
                     "POST /invitations/accept/<token>", "POST /password/reset/<token>"):
        assert expected in visited


def test_a_wrong_token_is_refused_too(client, seeded, login):
    login(seeded.admin)
    before = _snapshot()
    response = client.post("/inbox/read", data={"csrf_token": "forged"})
    assert response.status_code == 400
    response = client.post("/inbox/read", headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400
    assert _snapshot() == before


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_a_valid_token_is_accepted(client, world):
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": token})
    assert response.status_code == 303
    # As htmx sends it: the header from <body hx-headers>.
    response = client.post("/language", data={"lang": "ru", "next": "/login"}, headers={"X-CSRFToken": token})
    assert response.status_code == 303
    # And the real login form works with its token.
    response = client.post("/login", data={"email": "member@alpha.test", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 303


def test_body_carries_the_csrf_header_for_htmx(client, world, login):
    login(world.a_member)
    page = client.get("/").get_data(as_text=True)
    match = re.search(r"<body[^>]*hx-headers='([^']+)'", page)
    assert match and json.loads(match.group(1))["X-CSRFToken"]


# --- headers --------------------------------------------------------------------------------------

def _check_headers(response):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert directives.get("default-src") == "default-src 'self'", csp
    script = directives.get("script-src", directives["default-src"])
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "'unsafe-inline'" not in directives.get("style-src", "")
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy")
    assert "HX-Request" in response.headers.get("Vary", "")


def test_security_headers_on_every_kind_of_response(client, world, login):
    responses = {
        "public page": client.get("/program"),
        "login page": client.get("/login"),
        "redirect": client.get("/profile"),
        "404": client.get("/no-such-page"),
        "static": client.get("/static/vendor/htmx/htmx-2.0.11.min.js"),
        "csrf-less post": client.post("/language", data={"lang": "en"}),
    }
    login(world.a_member)
    responses["logged-in page"] = client.get("/profile")
    responses["403"] = client.get("/organisations")
    responses["htmx fragment"] = client.get("/profile", headers={"HX-Request": "true"})
    assert responses["404"].status_code == 404 and responses["403"].status_code == 403
    assert responses["static"].status_code == 200
    for name, response in responses.items():
        try:
            _check_headers(response)
        except AssertionError as error:  # name the response that failed
            raise AssertionError(f"{name}: {error}") from error
        finally:
            response.close()  # the static file is streamed from an open file


def _cookies(response) -> dict[str, str]:
    return {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}


def _login_post(client, base_url=None):
    # Under HTTPS Flask-WTF also wants a same-origin Referer, as a browser sends it.
    kwargs = {"base_url": base_url, "headers": {"Referer": f"{base_url}/login"}} if base_url else {}
    token = _token(client.get("/login", **kwargs).get_data(as_text=True))
    return client.post("/login", data={"email": "member@alpha.test", "password": PASSWORD, "remember": "y",
                                       "csrf_token": token}, **kwargs)


def test_session_cookie_is_httponly_and_lax(client, world):
    response = _login_post(client)
    assert response.status_code == 303
    cookies = _cookies(response)
    assert "session" in cookies and "remember_token" in cookies
    for cookie in cookies.values():
        lowered = cookie.lower()
        assert "httponly" in lowered and "samesite=lax" in lowered, cookie


def test_cookies_are_secure_under_https(client, world):
    response = _login_post(client, base_url="https://localhost")
    assert response.status_code == 303
    cookies = _cookies(response)
    assert "session" in cookies
    for cookie in cookies.values():
        lowered = cookie.lower()
        assert "secure" in lowered and "httponly" in lowered and "samesite=lax" in lowered, cookie
    assert response.headers.get("Strict-Transport-Security")
    lang = client.post("/language", data={"lang": "en", "csrf_token": _token(
        client.get("/program", base_url="https://localhost").get_data(as_text=True))},
        base_url="https://localhost", headers={"Referer": "https://localhost/program"})
    assert "secure" in _cookies(lang)["hub_lang"].lower()


def test_htmx_config_forbids_eval_and_foreign_requests(client):
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', page)
    assert match, "htmx-config meta missing"
    config = json.loads(match.group(1))
    assert config["allowEval"] is False
    assert config["selfRequestsOnly"] is True
    # htmx is served by the hub itself, never by another host.
    assert re.search(r'<script src="/static/vendor/htmx/htmx-[\d.]+\.min\.[0-9a-f]{12}\.js"', page)
    assert "<script>" not in page and " style=" not in page


def test_no_view_is_exempt_from_csrf(app):
    csrf = app.extensions["csrf"]
    assert not csrf._exempt_views and not csrf._exempt_blueprints
