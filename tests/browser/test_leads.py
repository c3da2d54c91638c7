"""Leads in a real browser (D6): a partner admin finds the lead offered to the organisation under
Sell → Leads, accepts it and registers it as a deal in one click; with JavaScript (the accept
answers the panel through htmx) and without. axe-clean on every page visited."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hub.extensions import db
from hub.marketing.leads import services

from .helpers import follow_nav, log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(world):
    world.org_a.region = "spb"
    db.session.commit()
    lead = services.new_lead(world.manager, dict(
        source="web", company="Romashka LLC", inn="7707083893", contact_name="Ivan Petrov",
        contact_email="ivan@romashka.test", contact_phone="", region="spb", segment="retail", product="crm",
        notes=""))
    services.offer(world.manager, lead.id, world.org_a.id)
    out = snapshot(world)
    db.session.remove()
    return out


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_accept_a_lead_and_register_the_deal(open_page, live_server, people, check_a11y, assert_clean, javascript):
    page = open_page(javascript=javascript)
    log_in(page, live_server.url, people.a_admin)
    follow_nav(page, "Leads")
    expect(page.get_by_role("heading", name="Leads")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Romashka LLC").click()
    expect(page.get_by_role("button", name="Accept the lead")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Accept the lead").click()
    expect(page.get_by_text("You accepted the lead.")).to_be_visible()
    expect(page.get_by_text("No other partner has registered this customer.")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Register the deal").click()
    expect(page.get_by_text("The lead is registered as a deal.")).to_be_visible()
    expect(page.get_by_role("heading", name="Romashka LLC")).to_be_visible()
    check_a11y(page)
    assert_clean()
