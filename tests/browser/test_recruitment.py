"""A partner application in a real browser (issue 14): a visitor goes from the program page's "Become a
partner" to the form, is told about a wrong INN next to the field, sends it and sees the thank-you page; a
manager finds it in the queue, qualifies it with the checklist and approves it. With JavaScript and without;
axe-clean on every page visited."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hub import inn as inn_numbers

from .helpers import follow_nav, log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(world):
    return snapshot(world)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_apply_qualify_approve(open_page, live_server, people, check_a11y, assert_clean, javascript):
    base = live_server.url
    visitor = open_page(javascript=javascript)
    visitor.goto(base + "/program")
    visitor.get_by_role("link", name="Become a partner").first.click()
    expect(visitor.get_by_role("heading", name="Become a partner")).to_be_visible()
    check_a11y(visitor)
    visitor.get_by_label("Company name").fill("ООО «Браузерный партнёр»")
    visitor.get_by_label("INN", exact=True).fill("7707083894")
    visitor.get_by_label("Website").fill("browser-partner.example")
    visitor.get_by_label("Partner type").select_option("integrator")
    visitor.get_by_label("Moscow region").check()
    visitor.get_by_label("Contact person").fill("Bella Browser")
    visitor.get_by_label("Contact e-mail").fill("bella@browser-partner.example")
    visitor.get_by_label("I agree").check()
    visitor.get_by_role("button", name="Send the application").click()
    expect(visitor.get_by_text("This is not a valid INN")).to_be_visible()
    check_a11y(visitor)
    visitor.get_by_label("INN", exact=True).fill(inn_numbers.company("770708389"))
    if not visitor.get_by_label("Moscow region").is_checked():
        visitor.get_by_label("Moscow region").check()
    if not visitor.get_by_label("I agree").is_checked():
        visitor.get_by_label("I agree").check()
    visitor.get_by_role("button", name="Send the application").click()
    expect(visitor.get_by_role("heading", name="Thank you")).to_be_visible()
    check_a11y(visitor)

    manager = open_page(javascript=javascript)
    log_in(manager, base, people.manager)
    follow_nav(manager, "Partner applications")
    manager.get_by_role("link", name="ООО «Браузерный партнёр»").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("ООО «Браузерный партнёр»")
    check_a11y(manager)
    for label in ("The INN and the company's registration are checked", "The website and the company's activity",
                  "fits our partner segments", "sales or implementation people", "introductory call"):
        manager.get_by_label(label).check()
    manager.get_by_role("button", name="Qualify the application").click()
    expect(manager.get_by_text("The application is qualified.")).to_be_visible()
    check_a11y(manager)
    manager.get_by_role("button", name="Approve and invite").click()
    expect(manager.get_by_text("is a partner now and its contact is invited")).to_be_visible()
    check_a11y(manager)
    assert_clean()
