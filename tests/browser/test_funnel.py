"""The partner funnel in a real browser: a manager opens it from the header, narrows it to one
relationship (htmx swaps the results with JavaScript; the Show button submits the form without), opens a
chart's table, then the weekly report. axe-clean on every page visited."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from hub.extensions import db
from hub.insights.funnel import services
from tests import factories

from .helpers import follow_nav, log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(world):
    now = datetime.now(timezone.utc)
    stuck = factories.create_org("Stuck Partner Ltd", segment="strategic")
    services.record_signed(stuck.id, now - timedelta(days=200))
    services.record_signed(world.org_a.id, now - timedelta(days=40))
    services.record_first_deal(world.org_a.id, now - timedelta(days=30))
    services.record_application(1, partner_type="agent", submitted_at=now - timedelta(days=2))
    db.session.commit()
    people = snapshot(world)
    db.session.remove()
    return people


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_funnel_and_the_weekly_report(open_page, live_server, people, check_a11y, assert_clean, javascript):
    base = live_server.url
    page = open_page(javascript=javascript)
    log_in(page, base, people.manager)
    follow_nav(page, "Partner funnel")
    expect(page.get_by_role("heading", name="Partner funnel", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Funnel: Strategic partner")).to_be_visible()
    expect(page.get_by_role("link", name="Stuck Partner Ltd")).to_be_visible()
    check_a11y(page)

    page.get_by_label("Relationship", exact=True).select_option("sales")
    if not javascript:
        page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("img", name="Funnel: Sales partner")).to_be_visible()
    expect(page.get_by_role("img", name="Funnel: Strategic partner")).to_have_count(0)
    assert "segment=sales" in page.url
    page.get_by_text("Figures in a table").first.click()
    expect(page.get_by_role("cell", name="100.0 %").first).to_be_visible()
    check_a11y(page)

    page.get_by_role("link", name="Weekly report").click()
    expect(page.get_by_role("heading", name="This week in the funnel")).to_be_visible()
    expect(page.get_by_role("heading", name="Key partners at risk")).to_be_visible()
    check_a11y(page)
    assert_clean()
