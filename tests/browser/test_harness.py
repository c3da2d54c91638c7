"""The browser tests' own safety nets must be able to fail: the off-host request guard, the CSP
and script error recorder, and axe-core (also on a JavaScript-disabled page)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_guard_records_and_blocks_a_request_to_another_host(open_page, live_server, recorder):
    # CSP already stops such requests in the hub's pages; bypass it to reach the guard behind it.
    page = open_page(bypass_csp=True)
    page.goto(live_server.url + "/login")
    outcome = page.evaluate("""async () => {
        try { await fetch('http://cdn.example.org/lib.js'); return 'loaded'; } catch (e) { return 'blocked'; } }""")
    assert outcome == "blocked"
    assert recorder.blocked_requests == ["http://cdn.example.org/lib.js"]
    assert recorder.page_errors == []


def test_csp_violation_is_recorded(page, live_server, recorder):
    page.goto(live_server.url + "/login")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';
                             document.body.append(s); }""")
    page.wait_for_timeout(200)
    assert recorder.page_errors and "Content Security Policy" in recorder.page_errors[0]
    assert recorder.blocked_requests == []


def test_axe_reports_low_contrast(page, live_server, check_a11y):
    page.goto(live_server.url + "/login")
    check_a11y(page)
    page.evaluate("() => { document.querySelector('h1').style.color = '#d0d0d0'; }")
    with pytest.raises(AssertionError, match="color-contrast"):
        check_a11y(page)


def test_axe_checks_javascript_disabled_pages_too(nojs_page, live_server, check_a11y, _replay_page):
    nojs_page.goto(live_server.url + "/login")
    check_a11y(nojs_page)
    # The replayed document is styled by the hub's stylesheet (colour contrast is judged on it)
    # and none of its scripts ran.
    assert _replay_page.evaluate(
        "() => getComputedStyle(document.querySelector('.site-header')).backgroundColor") == "rgb(22, 58, 107)"
    assert _replay_page.evaluate("() => [document.title, typeof htmx]") == ["Log in · Partner Hub", "undefined"]
    nojs_page.evaluate("() => document.querySelector('label[for=email]').remove()")
    with pytest.raises(AssertionError, match="label"):
        check_a11y(nojs_page)
