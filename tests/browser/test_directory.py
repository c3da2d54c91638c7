"""The partner locator and directory in a real browser (issue 13 point 1): a customer searches the public
locator by region, opens the certified partner (ranked above a self-declared one), is told about a wrong
e-mail next to the field, sends the contact form and sees the thank-you page; the lead is in the
managers' pool naming the partner. A partner finds the same organisation in the directory. With
JavaScript (the live filter) and without; axe-clean on every page visited."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hub.extensions import db
from hub.marketing.leads.models import Lead
from tests import factories

from ..community.directory.conftest import certify, list_person, listing, tag
from .helpers import follow_nav, log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(world):
    certified = factories.create_org("Certified Implementers", region="spb", tier="bronze")
    certified_admin = factories.create_user(certified, "partner_admin", name="Cecilia Certified")
    expert = factories.create_org("Self Declared Experts", region="spb", tier="platinum")
    tag(expert, "expertise", "implementation", "integration", "consulting")
    tag(certified, "expertise", "implementation")
    certify(certified_admin)
    list_person(certified_admin, "Presale engineer")
    for org in (certified, expert):
        listing(org, locator=True)
    listing(world.org_a, locator=True)  # Alpha works in Moscow only: filtered out by the region
    out = snapshot(world)
    out.certified = certified.id
    return out


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_locator_search_and_contact(open_page, live_server, people, check_a11y, assert_clean, javascript):
    base = live_server.url
    visitor = open_page(javascript=javascript)
    visitor.goto(base + "/program")
    follow_nav(visitor, "Find a partner")
    expect(visitor.get_by_role("heading", name="Find a partner")).to_be_visible()
    check_a11y(visitor)
    visitor.get_by_label("Region").select_option("spb")
    if not javascript:
        visitor.get_by_role("button", name="Search").click()
    results = visitor.locator("#directory-results")
    expect(results.get_by_role("heading", name="2 partners")).to_be_visible()
    expect(results.get_by_role("link", name="Alpha Integration")).to_have_count(0)
    cards = results.locator("li.directory-card h3")
    expect(cards.first).to_have_text("Certified Implementers")
    expect(cards.nth(1)).to_have_text("Self Declared Experts")
    assert "region=spb" in visitor.url
    check_a11y(visitor)

    results.get_by_role("link", name="Certified Implementers").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Certified Implementers")
    expect(visitor.get_by_text("Cecilia Certified")).to_have_count(0)  # no people on the public locator
    check_a11y(visitor)
    visitor.get_by_label("Your company").fill("ООО «Ромашка»")
    visitor.get_by_label("Your name").fill("Olga Customer")
    visitor.get_by_label("E-mail").fill("not-an-address")
    visitor.get_by_label("Your region").select_option("spb")
    visitor.get_by_label("What do you need?").fill("CRM for 40 people")
    visitor.get_by_label("I agree").check()
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_text("Nothing was sent")).to_be_visible()
    check_a11y(visitor)
    visitor.get_by_label("E-mail").fill("olga@romashka.example")
    if not visitor.get_by_label("I agree").is_checked():
        visitor.get_by_label("I agree").check()
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_role("heading", name="Thank you")).to_be_visible()
    check_a11y(visitor)
    db.session.rollback()
    lead = db.session.scalar(select(Lead))
    assert lead.source == "locator" and "Certified Implementers" in lead.notes

    partner = open_page(javascript=javascript)
    log_in(partner, base, people.a_member)
    follow_nav(partner, "Partner directory")
    expect(partner.get_by_role("heading", name="Partner directory")).to_be_visible()
    check_a11y(partner)
    partner.get_by_label("Region").select_option("spb")
    if not javascript:
        partner.get_by_role("button", name="Search").click()
    expect(partner.locator("#directory-results li.directory-card h3").first).to_have_text("Certified Implementers")
    partner.locator("#directory-results").get_by_role("link", name="Certified Implementers").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Certified Implementers")
    expect(partner.get_by_role("link", name="Cecilia Certified")).to_be_visible()
    check_a11y(partner)
    assert_clean()
