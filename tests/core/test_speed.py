"""Issue 10: static files with hashed names and long caching, gzip, ETag / 304, the first-load
budget, and the per-request caches of the rendering path (translations, program rules)."""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import flask_babel

from hub import assets, i18n
from hub.program import rules

STATIC = Path(__file__).resolve().parents[2] / "static"
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def _assets_of(page: str) -> list[str]:
    return ASSET.findall(page)


def test_pages_link_static_files_by_content_hash(client):
    page = client.get("/login").get_data(as_text=True)
    links = _assets_of(page)
    assert any(re.fullmatch(r"/static/css/hub\.[0-9a-f]{12}\.css", link) for link in links)
    assert any(re.fullmatch(r"/static/js/nav\.[0-9a-f]{12}\.js", link) for link in links)
    assert "/static/css/hub.css" not in page


def test_hashed_static_file_is_cached_for_a_year_and_is_the_file(client):
    link = next(link for link in _assets_of(client.get("/login").get_data(as_text=True)) if link.endswith(".css"))
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.data == (STATIC / "css/hub.css").read_bytes()
    assert response.mimetype == "text/css"


def test_a_changed_file_gets_a_new_name(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    monkeypatch.setitem(app.extensions, "hub_assets", {})
    (tmp_path / "a.css").write_text("body{color:red}")
    with app.test_request_context():
        first = assets.hashed_name("a.css")
        (tmp_path / "a.css").write_text("body{color:blue}")
        app.extensions["hub_assets"].clear()  # a new worker after the deploy
        second = assets.hashed_name("a.css")
    assert first != second and first.startswith("a.") and first.endswith(".css")


def test_plain_name_is_revalidated_with_etag_and_304(client):
    response = client.get("/static/css/hub.css")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    etag = response.headers["ETag"]
    again = client.get("/static/css/hub.css", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    image = client.get("/static/img/badges/first-deal.svg")  # badge images are linked by plain name
    assert image.status_code == 200 and image.headers["ETag"]


def test_stale_digest_gets_the_current_file_uncached(client):
    response = client.get("/static/css/hub.000000000000.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.data == (STATIC / "css/hub.css").read_bytes()


def test_missing_and_outside_files_are_404(client):
    assert client.get("/static/css/nothing.css").status_code == 404
    assert client.get("/static/css/nothing.0123456789ab.css").status_code == 404
    assert client.get("/static/../hub/config.py").status_code == 404
    assert client.get("/static/%2e%2e/hub/config.py").status_code == 404


def test_static_text_is_gzipped_for_browsers_that_accept_it(client):
    plain = client.get("/static/css/hub.css")
    packed = client.get("/static/css/hub.css", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in packed.headers["Vary"]


def test_first_load_is_at_most_30_kb_of_js_and_css_compressed(client):
    page = client.get("/login").get_data(as_text=True)
    total = 0
    for link in _assets_of(page):
        if link.endswith((".js", ".css")):
            response = client.get(link, headers={"Accept-Encoding": "gzip"})
            assert response.status_code == 200
            total += len(response.data)
    assert 0 < total <= 30 * 1024, total


def test_public_page_answers_304_for_the_same_session(client):
    first = client.get("/program")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    # Rendered again (a new CSRF signature in the body), the page keeps its ETag...
    second = client.get("/program")
    assert second.headers["ETag"] == etag
    cached = client.get("/program", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.data == b""
    # ...and another language is another page.
    other = client.get("/program", headers={"If-None-Match": etag, "Accept-Language": "en"})
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_etag_differs_between_sessions(app, client):
    etag = client.get("/login").headers["ETag"]
    stranger = app.test_client()
    response = stranger.get("/login", headers={"If-None-Match": etag})
    assert response.status_code == 200  # its CSRF token is another one: never someone else's page


def test_public_html_is_gzipped_but_logged_in_pages_are_not(client, world, login):
    packed = client.get("/program", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "<html" in gzip.decompress(packed.data).decode()
    login(world.a_member)
    page = client.get("/profile", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and "Content-Encoding" not in page.headers  # BREACH: see hub/assets.py
    assert page.headers["Cache-Control"] == "no-store" and "ETag" not in page.headers


def test_htmx_fragment_of_a_public_page_still_answers(client):
    response = client.get("/program", headers={"HX-Request": "true"})
    assert response.status_code == 200


def test_flask_babel_context_lookup_is_the_fast_one(app):
    # A Flask-Babel upgrade that renames the hook would silently lose the speed-up.
    assert flask_babel._get_current_context is i18n._babel_context
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert flask_babel.gettext("Log in") == "Log in"
        with flask_babel.force_locale("ru"):
            assert flask_babel.gettext("Log in") != "Log in"
        assert flask_babel.gettext("Log in") == "Log in"
    with app.app_context():
        assert i18n.money(123456700) and i18n.money(150) != i18n.money(100)


def test_money_keeps_its_format(app):
    with app.test_request_context():
        with flask_babel.force_locale("ru"):
            assert i18n.money(123456700) == "1\u00a0234\u00a0567\u00a0₽"
            assert i18n.money(150) == "1,50\u00a0₽"
        with flask_babel.force_locale("en"):
            assert i18n.money(123456700) == "RUB\u00a01,234,567"
            assert i18n.money(150) == "RUB\u00a01.50"


def test_program_rules_file_is_looked_at_once_per_request(app, monkeypatch):
    calls = []
    real_stat = Path.stat

    def counting(self, *args, **kwargs):
        if self.name == Path(app.extensions["program_rules"]["path"]).name:
            calls.append(self)
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", counting)
    with app.app_context():  # outside a request (CLI jobs): every call looks, as before
        rules.current()
        one_look = len(calls)
        rules.current()
        assert len(calls) == 2 * one_look > 0
    calls.clear()
    with app.test_request_context():
        for _ in range(20):
            rules.current()
    assert len(calls) == one_look


# --- public pages rendered once (hub/web.py: render_public) -------------------------------------

def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_cached_public_page_carries_each_visitors_own_token(app, client, monkeypatch):
    from hub.web import _TOKEN_STAND_IN
    first = client.get("/program").get_data(as_text=True)
    stranger = app.test_client()
    second = stranger.get("/program").get_data(as_text=True)
    assert _TOKEN_STAND_IN not in first and _TOKEN_STAND_IN not in second
    assert _token(first) != _token(second)
    assert f'"X-CSRFToken": "{_token(second)}"' in second
    # The token works: the language switch of the cached page is accepted.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    answer = stranger.post("/language", data={"lang": "en", "next": "/program", "csrf_token": _token(second)})
    assert answer.status_code == 303
    assert 'lang="en"' in stranger.get("/program").get_data(as_text=True)


def test_cached_public_page_follows_the_locale_and_shows_flashes(client):
    ru = client.get("/program", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="ru">' in ru
    client.post("/language", data={"lang": "en", "next": "/program"})
    en = client.get("/program").get_data(as_text=True)
    assert '<html lang="en">' in en and "Partner Hub" in en
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "A message for this visitor only")]
    assert "A message for this visitor only" in client.get("/program").get_data(as_text=True)
    assert "A message for this visitor only" not in client.get("/program").get_data(as_text=True)


def test_login_page_keeps_its_next_field(client):
    plain = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in plain
    onward = client.get("/login?next=/deals/").get_data(as_text=True)
    assert "next=/deals/" in onward or "next=%2Fdeals%2F" in onward


def test_logged_in_visitor_of_a_public_page_gets_it_rendered_for_them(client, world, login):
    client.get("/program")  # cached for visitors
    login(world.a_member)
    page = client.get("/program").get_data(as_text=True)
    assert world.a_member.name in page and 'action="/logout"' in page
