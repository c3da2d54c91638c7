"""Individual terms (R5) in a real browser: a manager grants a partner its own CRM rate, a deal is
won, and the partner's admin reads "My terms" and the statement line priced by the term; with
JavaScript and without, axe-clean on every page visited."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from hub import signals
from hub.extensions import db

from .helpers import log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(world):
    snap = snapshot(world)
    db.session.remove()
    return snap


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_manager_grants_a_rate_and_the_partner_sees_it(app, open_page, live_server, people, check_a11y,
                                                       assert_clean, javascript):
    base = live_server.url
    today = date.today()
    manager = open_page(javascript=javascript)
    log_in(manager, base, people.manager, check_a11y)
    manager.goto(f"{base}/rewards/organisations/{people.org_a.id}/tier")
    manager.get_by_role("link", name="Individual terms of Alpha Integration").click()
    expect(manager.get_by_role("heading", name="Individual terms of Alpha Integration")).to_be_visible()
    check_a11y(manager)
    form = manager.locator("form", has=manager.get_by_role("button", name="Grant the rate"))
    form.get_by_label("Product").select_option("crm")
    form.get_by_label("Commission rate, %").fill("-3")
    form.get_by_label("First day").fill(today.isoformat())
    form.get_by_label("Last day (inclusive)").fill((today + timedelta(days=90)).isoformat())
    form.get_by_label("Reason (the partner sees it)").fill("Key partner agreement")
    form.get_by_role("button", name="Grant the rate").click()
    expect(manager.get_by_text("Enter a percentage as a number from 0 to 100")).to_be_visible()
    check_a11y(manager)
    form = manager.locator("form", has=manager.get_by_role("button", name="Grant the rate"))
    form.get_by_label("Commission rate, %").fill("22,5")
    form.get_by_role("button", name="Grant the rate").click()
    expect(manager.get_by_text("The term is granted and applies from now on.")).to_be_visible()
    expect(manager.locator("#terms")).to_contain_text("Individual rate 22.5% on")
    check_a11y(manager)

    with app.app_context():
        signals.deal_won.emit(deal_id=991, organisation_id=people.org_a.id, created_by_id=people.a_member.id,
                              actor_id=None, product="crm", amount_kopecks=100_000_00, closed_on=today)
        db.session.commit()
        db.session.remove()

    partner = open_page(javascript=javascript)
    log_in(partner, base, people.a_admin, check_a11y)
    partner.goto(f"{base}/rewards/")
    expect(partner.get_by_role("heading", name="My terms")).to_be_visible()
    check_a11y(partner)
    partner.goto(f"{base}/rewards/organisations/{people.org_a.id}/statement")
    expect(partner.locator("#lines")).to_contain_text("individual rate 22.5% until")
    expect(partner.locator("#lines")).to_contain_text("Key partner agreement")
    expect(partner.locator("#lines")).to_contain_text("RUB\u00a022,500")
    check_a11y(partner)
    response = partner.goto(f"{base}/rewards/organisations/{people.org_b.id}/terms")
    assert response.status == 404
    assert_clean()
