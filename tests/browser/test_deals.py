"""Deal registration end to end in a real browser (issue 2, point 17):
a partner registers a deal and sees the live conflict warning, a manager approves it from the queue,
the partner sees it protected; then the same with JavaScript switched off."""
from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from babel.dates import format_date
from playwright.sync_api import expect
from sqlalchemy import func, select

from hub.deals import services as deals
from hub.deals.models import Deal
from hub.extensions import db

from .helpers import follow_nav, log_in, snapshot

pytestmark = pytest.mark.browser

HELD_NAME = "ООО «Ромашка»"
HELD_INN = "7707083893"


def en_date(value) -> str:
    """A date as the English UI shows it (medium style)."""
    return format_date(value, "medium", locale="en")


@pytest.fixture
def people(world):
    return snapshot(world)


@pytest.fixture
def held(world, people):
    """A customer Beta Distribution registered and got approved: protected against everyone else."""
    deal = deals.register_deal(world.b_member, deals.DealInput(
        customer_name=HELD_NAME, inn=HELD_INN, domain="romashka.ru", contact_name="Olga Smirnova",
        contact_email="olga@romashka.ru", product="crm", amount_kopecks=250_000_000,
        expected_close_date=deals.program_today() + timedelta(days=45), region="moscow"))
    deals.approve(deal, world.manager)
    held = SimpleNamespace(id=deal.id, protected_until=deal.protected_until)
    db.session.remove()  # nothing of the test's own stays open while the browser works
    return held


def expected_protection_end():
    from hub.program import rules
    return deals.program_today() + timedelta(days=rules.current().deals.protection_days)


def fill_deal_form(page, *, name: str, domain: str, amount: str = "1 500 000") -> None:
    page.get_by_label("Contact name", exact=True).fill("Pyotr Ivanov")
    page.get_by_label("Contact e-mail", exact=True).fill("pyotr@" + domain)
    page.get_by_label("Product", exact=True).select_option("crm")
    page.get_by_label("Amount, RUB", exact=True).fill(amount)
    page.get_by_label("Expected close date", exact=True).fill(
        (deals.program_today() + timedelta(days=60)).isoformat())
    page.get_by_label("Region", exact=True).select_option("moscow")
    page.get_by_label("Notes", exact=True).fill("Pilot for 50 users, decision in Q3.")


def deal_count() -> int:
    count = db.session.scalar(select(func.count(Deal.id)))
    db.session.remove()
    return count


def test_register_conflict_warning_approve_protected(open_page, live_server, people, held, check_a11y,
                                                     assert_clean):
    base = live_server.url
    partner = open_page()
    log_in(partner, base, people.a_member, check_a11y)

    # (b) the partner opens the register form from the deal list
    follow_nav(partner, "Deals")
    expect(partner.get_by_role("heading", name="Deals", exact=True)).to_be_visible()
    check_a11y(partner)
    partner.get_by_role("link", name="Register a deal").first.click()
    expect(partner.get_by_role("heading", name="Register a deal")).to_be_visible()
    check_a11y(partner)

    # Typing a customer another partner holds: the live (debounced htmx) check warns, naming no one.
    status = partner.locator("#conflict-status")
    partner.get_by_label("Customer company", exact=True).press_sequentially("Ромашка LLC", delay=15)
    expect(status).to_contain_text(
        f"This customer is already protected by another partner until {en_date(held.protected_until)}")
    expect(status).not_to_contain_text("Beta")
    assert "Beta Distribution" not in partner.content()
    assert partner.url.endswith("/deals/new")  # nothing was submitted
    check_a11y(partner)

    # A customer nobody holds: the warning goes away.
    partner.get_by_label("Customer company", exact=True).fill("")
    partner.get_by_label("Customer company", exact=True).press_sequentially("ООО «Василёк»", delay=15)
    partner.get_by_label("Web domain", exact=True).fill("vasilek.ru")
    expect(status).to_contain_text("No active registration found for this customer.")
    fill_deal_form(partner, name="Василёк", domain="vasilek.ru")
    partner.get_by_role("button", name="Register the deal").click()

    expect(partner).to_have_url(re.compile(r"/deals/\d+$"))
    expect(partner.get_by_role("heading", name="ООО «Василёк»")).to_be_visible()
    expect(partner.get_by_text("Deal registered. The customer is held for you")).to_be_visible()
    expect(partner.locator(".page-head .status")).to_have_text("submitted")
    check_a11y(partner)
    deal_url = partner.url

    # (c) a channel manager approves it from the queue (the row is swapped in place)
    manager = open_page()
    log_in(manager, base, people.manager, check_a11y)
    manager.get_by_role("link", name="Approval queue").first.click()
    expect(manager.get_by_role("heading", name="Approval queue")).to_be_visible()
    check_a11y(manager)
    row = manager.get_by_role("row").filter(has_text="ООО «Василёк»")
    row.get_by_role("button", name="Approve").click()
    until = en_date(expected_protection_end())
    expect(manager.locator("#queue-results")).to_contain_text(
        f"Approved: «ООО «Василёк»» is protected until {until}.")
    check_a11y(manager)

    # (d) the partner sees it approved and protected until the date the program rules give
    partner.goto(deal_url)
    expect(partner.locator(".page-head .status")).to_have_text("approved")
    facts = partner.locator("dl.facts")
    expect(facts).to_contain_text("Protected until")
    expect(facts).to_contain_text(until)
    expect(partner.locator(".timeline")).to_contain_text(people.manager.name)
    check_a11y(partner)

    assert deal_count() == 2
    assert_clean()


def test_same_flow_without_javascript(open_page, live_server, people, held, check_a11y, assert_clean):
    base = live_server.url
    partner = open_page(javascript=False)
    log_in(partner, base, people.a_admin, check_a11y)

    # (e) the conflict check as a plain page: type, press Check, read the answer
    partner.goto(base + "/deals/new")
    partner.get_by_role("link", name="Only check a customer").click()
    expect(partner.get_by_role("heading", name="Check a customer")).to_be_visible()
    partner.get_by_label("INN", exact=False).fill(HELD_INN)
    partner.get_by_role("button", name="Check").click()
    status = partner.locator("#conflict-status")
    expect(status).to_contain_text(
        f"This customer is already protected by another partner until {en_date(held.protected_until)}")
    expect(status).not_to_contain_text("Beta")
    check_a11y(partner)

    # A wrong form: errors next to the fields, nothing saved.
    # (The browser's own checks stop empty required fields; the server's checks go further.)
    partner.get_by_role("link", name="Register a deal").click()
    partner.get_by_label("Customer company", exact=True).fill("ООО «Одуванчик»")
    partner.get_by_label("INN (tax number)", exact=True).fill("1234567890")
    fill_deal_form(partner, name="Одуванчик", domain="oduvanchik.ru", amount="минус сто")
    partner.get_by_role("button", name="Register the deal").click()
    expect(partner.get_by_text("The deal was not saved.")).to_be_visible()
    expect(partner.locator("#field-inn .error")).to_be_visible()
    expect(partner.get_by_label("INN (tax number)", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(partner.locator("#field-amount .error")).to_contain_text("Enter an amount in roubles")
    expect(partner.get_by_label("Contact name", exact=True)).to_have_value("Pyotr Ivanov")
    check_a11y(partner)
    assert deal_count() == 1

    # Registering the held customer anyway: saved, but as a conflict, and the deal page says so.
    partner.get_by_label("Customer company", exact=True).fill("Ромашка")
    partner.get_by_label("INN (tax number)", exact=True).fill(HELD_INN)
    fill_deal_form(partner, name="Ромашка", domain="romashka-alpha.ru")
    partner.get_by_role("button", name="Register the deal").click()
    expect(partner).to_have_url(re.compile(r"/deals/\d+$"))
    expect(partner.locator("#flashes")).to_contain_text("kept as a conflict for the channel manager")
    expect(partner.locator("main .notice-warning")).to_contain_text(
        "already registered by another partner when you registered it")
    expect(partner.locator(".page-head .flag-conflict")).to_be_visible()
    assert "Beta Distribution" not in partner.content()
    check_a11y(partner)

    # And a free customer, which is held pending the decision.
    partner.goto(base + "/deals/new")
    partner.get_by_label("Customer company", exact=True).fill("АО «Клевер»")
    partner.get_by_label("Web domain", exact=True).fill("https://www.Klever.ru/contacts")
    fill_deal_form(partner, name="Клевер", domain="klever.ru", amount="2500000,50")
    partner.get_by_role("button", name="Register the deal").click()
    expect(partner).to_have_url(re.compile(r"/deals/\d+$"))
    expect(partner.get_by_text("Deal registered. The customer is held for you")).to_be_visible()
    expect(partner.locator("dl.facts")).to_contain_text("RUB 2,500,000.50")
    expect(partner.locator("dl.facts")).to_contain_text("klever.ru")
    deal_url = partner.url
    check_a11y(partner)

    # The manager, also without JavaScript, approves from the queue: a plain POST and a redirect.
    manager = open_page(javascript=False)
    log_in(manager, base, people.manager, check_a11y)
    manager.get_by_role("link", name="Approval queue").first.click()
    expect(manager.get_by_role("heading", name="Approval queue")).to_be_visible()
    check_a11y(manager)
    manager.get_by_role("row").filter(has_text="АО «Клевер»").get_by_role("button", name="Approve").click()
    until = en_date(expected_protection_end())
    expect(manager.locator("#flashes")).to_contain_text(f"Approved: «АО «Клевер»» is protected until {until}.")
    expect(manager).to_have_url(re.compile(r"/deals/queue$"))
    # The conflicting registration cannot be approved while Beta's registration holds the customer:
    # neither the queue nor the deal page offers Approve, only Reject.
    conflict_row = manager.get_by_role("row").filter(has_text="Ромашка")
    expect(conflict_row.get_by_role("button", name="Approve")).to_have_count(0)
    expect(conflict_row.get_by_role("button", name="Reject")).to_be_visible()
    expect(conflict_row).to_contain_text("The earlier registration is still active")
    conflict_row.get_by_role("link", name="Ромашка").click()
    expect(manager.locator(".page-head .status")).to_have_text("submitted")
    expect(manager.get_by_role("button", name="Approve")).to_have_count(0)
    expect(manager.get_by_text(f"registration #{held.id}")).to_be_visible()
    check_a11y(manager)

    partner.goto(deal_url)
    expect(partner.locator(".page-head .status")).to_have_text("approved")
    expect(partner.locator("dl.facts")).to_contain_text(until)
    check_a11y(partner)

    assert deal_count() == 3
    assert_clean()
