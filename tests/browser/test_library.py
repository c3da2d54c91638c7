"""The library in a real browser (issue 4, point 9): active search with JavaScript (debounced, the
URL follows, no page load) and the same search without JavaScript; facets, an item page, the ROI
calculator and the manager's pages; axe-core on every library page visited."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hub import search
from hub.extensions import db
from hub.library import loaders

from .helpers import follow_nav, log_in, snapshot

pytestmark = pytest.mark.browser

CONTENT = Path(__file__).resolve().parents[2] / "content" / "library"
RATE_CARD = "Implementation packages and recommended partner rates"


@pytest.fixture
def people(world):
    people = snapshot(world)
    loaders.sync_library(CONTENT)
    db.session.commit()
    search.rebuild()  # the live server reads the same index directory
    db.session.remove()
    return people


def test_active_search_with_javascript(page, live_server, people, check_a11y, assert_clean):
    log_in(page, live_server.url, people.a_member, check_a11y)
    follow_nav(page, "Library")
    expect(page.get_by_role("heading", name="Library", exact=True)).to_be_visible()
    expect(page.locator("#library-results-heading")).to_have_text("28 items")
    check_a11y(page)

    page.evaluate("() => { window.__samePage = true; }")
    page.get_by_label("Search", exact=True).press_sequentially("партнёрская программа", delay=20)
    results = page.locator("#library-results")
    expect(results).to_contain_text(RATE_CARD)
    expect(page).to_have_url(re.compile(r"/library/\?q=%D0%BF"))
    assert page.evaluate("() => window.__samePage") is True
    expect(results.locator("mark").first).to_be_visible()
    check_a11y(page)

    # A typo: the corrected query runs and says so.
    page.get_by_label("Search", exact=True).fill("")
    page.get_by_label("Search", exact=True).press_sequentially("paybak", delay=20)
    expect(results).to_contain_text("Showing results for “payback”")
    expect(results).to_contain_text("Kvant CRM payback calculator for customers")
    assert page.evaluate("() => window.__samePage") is True

    # The pushed URL loads as a full page.
    page.reload()
    expect(page.get_by_label("Search", exact=True)).to_have_value("paybak")
    expect(page.locator("#library-results")).to_contain_text("Kvant CRM payback calculator for customers")

    # A facet, then the item, then the ROI calculator linked from it.
    page.locator("#library-results").get_by_role("link", name=re.compile(r"^Price list")).click()
    expect(page).to_have_url(re.compile(r"kind=price_list"))
    check_a11y(page)
    page.get_by_role("link", name="Kvant CRM payback calculator for customers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kvant CRM payback calculator for customers")
    check_a11y(page)
    page.get_by_role("link", name="Customer ROI and payback calculator").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer ROI calculator")
    page.wait_for_load_state()  # htmx binds the live form on load: typing before that sends nothing
    page.get_by_label("Licences", exact=True).fill("100")
    expect(page.locator("#roi-result")).to_contain_text("Payback: 14.1 months")  # (3.6m + 0.9m) / 0.32m
    check_a11y(page)
    page.get_by_label("Licences", exact=True).fill("zero")
    expect(page.locator("#licences-error")).to_contain_text("whole number")
    check_a11y(page)
    assert_clean()


def test_search_without_javascript(nojs_page, live_server, people, check_a11y, assert_clean):
    page = nojs_page
    log_in(page, live_server.url, people.a_member)
    page.goto(live_server.url + "/library/")
    check_a11y(page)
    page.get_by_label("Search", exact=True).fill("партнёрская программа")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/library/\?q="))
    expect(page.locator("#library-results")).to_contain_text(RATE_CARD)
    check_a11y(page)
    page.get_by_label("Search", exact=True).fill("deal desk")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#library-results")).not_to_contain_text("Deal desk: special pricing")
    page.goto(live_server.url + "/library/calculators/roi")
    check_a11y(page)
    page.get_by_label("Licences", exact=True).fill("0")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator("#licences-error")).to_contain_text("from 1 to")
    check_a11y(page)
    assert_clean()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_manager_pages(open_page, live_server, people, javascript, check_a11y, assert_clean):
    page = open_page(javascript=javascript)
    log_in(page, live_server.url, people.manager)
    page.goto(live_server.url + "/library/")
    expect(page.locator("#library-results-heading")).to_have_text("46 items")
    page.get_by_role("link", name="New item").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New item")
    check_a11y(page)
    page.get_by_label("Address (slug)").fill("retail-loyalty-demo")
    page.get_by_label("Title (Russian)").fill("Демо лояльности")
    page.get_by_label("Title (English)").fill("Loyalty demo")
    page.get_by_label("Summary (Russian)").fill("Кратко.")
    page.get_by_label("Summary (English)").fill("Briefly.")
    page.get_by_label("Text (Russian, Markdown)").fill("## Шаги\n\nКвазарный сценарий.")
    if javascript:
        page.get_by_label("Text (English, Markdown)").press_sequentially("**Quasar** story", delay=10)
        expect(page.locator("#preview-en strong")).to_have_text("Quasar")
    else:
        page.get_by_label("Text (English, Markdown)").fill("**Quasar** story")
    page.get_by_role("checkbox", name="Retail").check()
    page.get_by_role("checkbox", name="Integrator").check()
    page.get_by_role("checkbox", name="Russian").check()
    page.get_by_role("button", name="Create").click()
    # Product was left out: the error sits next to the field and nothing is saved.
    expect(page.locator("#product-error")).to_contain_text("Choose at least one.")
    check_a11y(page)
    page.get_by_role("checkbox", name="Kvant CRM").check()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Loyalty demo")
    check_a11y(page)
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit item")
    check_a11y(page)
    page.goto(live_server.url + "/library/usage")
    expect(page.get_by_role("heading", name="Most used")).to_be_visible()
    check_a11y(page)
    page.goto(live_server.url + "/library/?q=квазарный")
    expect(page.locator("#library-results")).to_contain_text("Loyalty demo")
    assert_clean()
