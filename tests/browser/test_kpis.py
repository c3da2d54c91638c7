"""Program KPIs in a real browser: a manager opens the KPI page, picks a quarter that does not exist
(the message sits next to the field), then a real one, reads the figures per relationship type and
follows a definition; a partner opens its own figures. With JavaScript (htmx swaps the region) and
without. axe-clean on every page visited."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hub.extensions import db
from tests import factories
from tests.insights.kpis.conftest import build

from .helpers import follow_nav, log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(app):
    data = build()
    data.world.s2_member = factories.create_user(data.s2, "member", "s2@example.test", name="Sasha Sales")
    people = snapshot(data.world)
    db.session.remove()
    return people


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_kpis_for_a_manager_and_a_partner(open_page, live_server, people, check_a11y, assert_clean, javascript):
    base = live_server.url
    page = open_page(javascript=javascript)
    log_in(page, base, people.manager)
    follow_nav(page, "Program KPIs")
    expect(page.get_by_role("heading", name="Program KPIs", level=1)).to_be_visible()
    check_a11y(page)
    page.get_by_label("Period", exact=True).select_option("quarter")
    page.get_by_label("Which one", exact=True).fill("2026-Q7")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Write the period like 2026-Q4.")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Which one", exact=True).fill("2026-Q3")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="KPIs for 2026-Q3")).to_be_visible()
    table = page.locator("table.kpi-table")
    expect(table.get_by_role("columnheader", name="Strategic partner")).to_be_visible()
    expect(table.get_by_role("row", name="Deals won")).to_contain_text("1")
    check_a11y(page)
    page.get_by_role("link", name="Activity, %").click()
    expect(page.get_by_role("heading", name="How each KPI is defined")).to_be_visible()
    check_a11y(page)

    partner = open_page(javascript=javascript)
    log_in(partner, base, people.s2_member)
    follow_nav(partner, "Our figures")
    expect(partner.get_by_role("heading", name="Our figures", level=1)).to_be_visible()
    check_a11y(partner)
    partner.get_by_label("Which one", exact=True).fill("2026-Q3")
    partner.get_by_role("button", name="Show").click()
    expect(partner.get_by_role("caption").filter(has_text="Our figures for 2026-Q3")).to_be_visible()
    expect(partner.get_by_text("Your tier: Bronze.")).to_be_visible()
    check_a11y(partner)
    assert_clean()
