"""Real-browser fixtures: Debian's Chromium driven by Playwright against a live hub.

- `live_server`: the hub served by werkzeug on 127.0.0.1 in a thread, its own app instance on the
  test database, with CSRF ENABLED (the browser sends real tokens) and rate limiting off. It lives
  for the session; the main conftest's `app` fixture still wipes the database around each test, so
  a test seeds what it needs with the factories (and commits) before driving the browser.
- every browser context records and aborts any request to a host other than 127.0.0.1
  (`blocked_requests`), and records CSP violations and uncaught page errors (`page_errors`);
  each test asserts both lists are empty through `assert_clean(...)`.
- `check_a11y(page)`: axe-core (vendored) on the current page; no violation may be serious or
  critical. For a JavaScript-disabled page, where axe cannot run, the document it shows is put,
  scripts inert, into a JavaScript-enabled helper page on the same origin and checked there.
"""
from __future__ import annotations

import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import WSGIRequestHandler, make_server

from hub import create_app
from hub.extensions import db

from ..conftest import make_config

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "static" / "vendor" / "axe-core" / "axe-4.14.1.min.js"
AXE_URL = "/static/vendor/axe-core/axe-4.14.1.min.js"
CHROMIUM = "/usr/bin/chromium"
ALLOWED_HOST = "127.0.0.1"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    # Debian's Chromium; `playwright install` (a browser download) is never used.
    return {
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


def _buffered(wsgi_app):
    """Read each response whole and close it before werkzeug writes it. werkzeug's dev server skips
    closing the body when the browser drops the connection early (a favicon or a page left while it
    loads), and the open static file then surfaces later as an unraisable ResourceWarning in
    whichever test is running."""
    def app(environ, start_response):
        body = wsgi_app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture(scope="session")
def live_server(_migrated, database_url, data_dir):
    app = create_app(make_config(database_url, data_dir, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False))
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"  # type: ignore[attr-defined]
    yield server
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # English UI and Moscow time (the program's zone) whatever the machine says; Playwright's
    # default 1280 x 720 desktop viewport (a test may ask open_page(viewport=...) for a phone).
    return {**browser_context_args, "locale": "en-US", "timezone_id": "Europe/Moscow"}


class Recorder:
    """What a context did that it must not: requests off 127.0.0.1, CSP violations, JS errors."""

    def __init__(self):
        self.blocked_requests: list[str] = []
        self.page_errors: list[str] = []

    def watch(self, context):
        def guard(route):
            url = route.request.url
            if urlsplit(url).hostname != ALLOWED_HOST:
                self.blocked_requests.append(url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", guard)
        context.on("page", self._watch_page)
        for page in context.pages:
            self._watch_page(page)
        return context

    def _watch_page(self, page):
        def console(message):
            text = message.text
            if message.type == "error" and ("Content Security Policy" in text or "Refused to" in text):
                self.page_errors.append(f"console: {text}")

        page.on("console", console)
        page.on("pageerror", lambda error: self.page_errors.append(f"pageerror: {error}"))


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def context(app, new_context, recorder):
    # Depends on `app` so the database is set up before the browser and wiped only after it closed.
    return recorder.watch(new_context())


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


_NO_JS: "set[int]" = set()


@pytest.fixture
def nojs_context(app, new_context, recorder):
    context = recorder.watch(new_context(java_script_enabled=False))
    _NO_JS.add(id(context))
    yield context
    _NO_JS.discard(id(context))


@pytest.fixture
def nojs_page(nojs_context):
    page = nojs_context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def open_page(app, new_context, recorder):
    """open_page(javascript=True): a page in a fresh context (another user, another browser)."""
    opened: list[int] = []

    def _open(javascript: bool = True, **context_args):
        context = recorder.watch(new_context(java_script_enabled=javascript, **context_args))
        if not javascript:
            _NO_JS.add(id(context))
            opened.append(id(context))
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield _open
    _NO_JS.difference_update(opened)


@pytest.fixture
def assert_clean(recorder):
    def _assert():
        assert recorder.blocked_requests == [], "requests left 127.0.0.1"
        assert recorder.page_errors == [], "CSP violations or script errors"
    return _assert


_RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').join(' '))
  }));
}"""


def _axe_violations(page) -> list[dict]:
    # Loaded from the hub's own static files: a same-origin script, so the strict CSP stays on.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    return page.evaluate(_RUN_AXE)


_SHOW_DOCUMENT = """async (html) => {
  // Parsed by DOMParser, so none of the document's scripts ever runs: what a JS-less browser shows.
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  document.replaceChild(document.adoptNode(parsed.documentElement), document.documentElement);
  await Promise.all([...document.querySelectorAll('link[rel=stylesheet]')].map(link => link.sheet ? null :
    new Promise(done => { link.addEventListener('load', done); link.addEventListener('error', done); })));
  return typeof window.htmx;
}"""


@pytest.fixture(scope="session")
def _replay_page(browser, live_server):
    """A JavaScript-enabled page on the hub's origin in which axe checks the documents that
    JavaScript-disabled pages received (axe cannot run where scripts are off)."""
    context = browser.new_context(locale="en-US")
    context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/])"), lambda route: route.abort())
    page = context.new_page()
    blank = live_server.url + "/__axe_replay__"
    page.route(blank, lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8",
        body="<!doctype html><html lang=en><head><title>replay</title></head><body></body></html>"))
    page.goto(blank)
    page.add_script_tag(url=AXE_URL)
    yield page
    context.close()


def _settled_content(page) -> str:
    """The document a page shows once the navigation a click started has loaded. On a loaded
    machine `content()` right after a click can meet the page mid-navigation, which Playwright
    refuses ("the page is navigating"); wait for the load and ask again."""
    for attempt in range(20):
        page.wait_for_load_state()
        try:
            return page.content()
        except PlaywrightError as error:
            if "navigating" not in str(error) or attempt == 19:
                raise
            page.wait_for_timeout(100)
    raise AssertionError("unreachable")


def _settled(page, run):
    """run(page), asked again when a navigation that a click started replaced the document under it."""
    for attempt in range(20):
        try:
            return run(page)
        except PlaywrightError as error:
            if "context was destroyed" not in str(error) or attempt == 19:
                raise
            page.wait_for_load_state()


@pytest.fixture
def check_a11y(_replay_page):
    """check_a11y(page): no serious or critical axe-core violation on what the page shows now."""

    def _check(page) -> list[dict]:
        if id(page.context) in _NO_JS:
            assert _replay_page.evaluate(_SHOW_DOCUMENT, _settled_content(page)) == "undefined"
            violations = _axe_violations(_replay_page)
        else:
            page.wait_for_load_state()
            # Let htmx finish: during a request its indicators show, mid-swap content is half there.
            # A debounced request may still start while axe runs: without the fade-in its indicator
            # is either hidden or fully shown, never the half-transparent text axe once caught on a
            # loaded machine (set through the CSSOM, which the CSP allows).
            page.evaluate("() => document.querySelectorAll('.htmx-indicator').forEach(e => e.style.transition = 'none')")
            page.wait_for_function(
                "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')")
            violations = _settled(page, _axe_violations)
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, f"axe-core on {page.url}:\n" + "\n".join(
            f"- [{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in bad)
        return violations

    return _check
