"""The public program page and the earnings calculator, with and without JavaScript; the footer
language switch; the layout on a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hub.i18n import money
from hub.program import rules as program_rules

from .helpers import log_in, snapshot

pytestmark = pytest.mark.browser


def expected(app, product: str, tier: str, licences: int, deals: int) -> dict:
    """What the calculator must show for a deal of `licences` licences, in the English UI."""
    rules = program_rules.current()
    per_deal = rules.product(product).licence_price_kopecks * licences * rules.rate(product, tier) / 100
    assert per_deal == int(per_deal)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        return {"per_deal": money(int(per_deal)), "per_year": money(int(per_deal) * deals)}


def commission_row(page, name: str):
    return page.locator("#calc-result").get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))


def test_program_page_and_live_calculator(page, live_server, app, check_a11y, assert_clean):
    page.goto(live_server.url + "/program")
    rules = program_rules.current()
    expect(page.get_by_role("heading", level=1)).to_have_text(rules.name.en)
    expect(page.get_by_role("heading", name="Tiers and benefits")).to_be_visible()
    check_a11y(page)

    # The calculator recomputes while the visitor types: no page load, the URL follows the inputs.
    page.evaluate("() => { window.__samePage = true; }")
    calc = page.locator("#calculator")
    want = expected(app, "crm", "silver", 20, 4)
    calc.get_by_label("Your tier").select_option("silver")
    calc.get_by_label("Licences per deal").fill("20")
    calc.get_by_label("Deals per year").fill("4")
    expect(commission_row(page, "Commission per deal")).to_contain_text(want["per_deal"])
    expect(commission_row(page, "Commission per year")).to_contain_text(want["per_year"])
    expect(page).to_have_url(re.compile(r"/program/calculator\?.*licences=20"))
    assert page.evaluate("() => window.__samePage") is True
    check_a11y(page)

    # A wrong value: the error appears next to the field, the estimate is withdrawn.
    calc.get_by_label("Licences per deal").fill("twenty")
    expect(page.locator("#licences-error")).to_be_visible()
    expect(page.locator("#licences-error")).to_contain_text("whole number")
    expect(page.locator("#calc-result")).not_to_contain_text(want["per_deal"])
    check_a11y(page)
    calc.get_by_label("Licences per deal").fill("20")
    expect(page.locator("#licences-error")).to_be_hidden()
    expect(commission_row(page, "Commission per deal")).to_contain_text(want["per_deal"])
    assert page.evaluate("() => window.__samePage") is True
    assert_clean()


def test_calculator_without_javascript(nojs_page, live_server, app, check_a11y, assert_clean):
    page = nojs_page
    page.goto(live_server.url + "/program")
    check_a11y(page)
    calc = page.locator("#calculator")
    want = expected(app, "bi", "gold", 7, 3)
    calc.get_by_label("Product").select_option("bi")
    calc.get_by_label("Your tier").select_option("gold")
    calc.get_by_label("Licences per deal").fill("7")
    calc.get_by_label("Deals per year").fill("3")
    calc.get_by_role("button", name="Calculate").click()
    expect(page).to_have_url(re.compile(r"/program/calculator\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Earnings calculator")
    expect(commission_row(page, "Commission per deal")).to_contain_text(want["per_deal"])
    expect(commission_row(page, "Commission per year")).to_contain_text(want["per_year"])
    check_a11y(page)

    page.get_by_label("Deals per year").fill("0")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator("#deals_per_year-error")).to_contain_text("at least 1")
    expect(page.get_by_label("Deals per year")).to_have_attribute("aria-invalid", "true")
    check_a11y(page)
    assert_clean()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_language_switch_in_the_footer(open_page, live_server, javascript, check_a11y, assert_clean):
    page = open_page(javascript=javascript)
    page.goto(live_server.url + "/program")
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    footer.get_by_role("button", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text(program_rules.current().name.ru)
    expect(page).to_have_url(re.compile(r"/program$"))
    expect(page.get_by_role("contentinfo").get_by_role("button", name="Русский")).to_have_attribute(
        "aria-pressed", "true")
    check_a11y(page)
    page.get_by_role("contentinfo").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_clean()


def test_phone_layout(open_page, live_server, world, check_a11y, assert_clean):
    people = snapshot(world)
    page = open_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    no_sideways_scroll = "() => document.documentElement.scrollWidth <= window.innerWidth"
    page.goto(live_server.url + "/program")
    assert page.evaluate(no_sideways_scroll)
    check_a11y(page)
    log_in(page, live_server.url, people.manager)
    # The header's links sit behind the Menu button (tests/browser/test_navigation.py tries it all).
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Menu").click()
    expect(nav.get_by_role("link", name="Academy")).to_be_in_viewport()
    nav.get_by_role("button", name="Close menu").click()
    expect(nav.get_by_role("link", name="Academy")).to_be_hidden()
    for path in ("/", "/deals/", "/deals/queue"):
        page.goto(live_server.url + path)
        assert page.evaluate(no_sideways_scroll), path
        check_a11y(page)
    assert_clean()
