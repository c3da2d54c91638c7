"""Rewards end to end in a real browser (issue 5, point 8): the partner's dashboard, the tier page,
the commission statement and the leaderboard with its filters, with JavaScript on and off."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hub import signals
from hub.database import utcnow
from hub.extensions import db

from .helpers import follow_nav, log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(app, world):
    from hub.rewards.badges import read_badges, sync_badges
    sync_badges(read_badges(Path(app.config["CONTENT_DIR"]) / "badges.yml", Path(app.static_folder)))
    db.session.commit()
    today = date.today()
    for n, (org, user, amount) in enumerate([(world.org_a, world.a_member, 1_000_000_00),
                                             (world.org_b, world.b_member, 2_500_000_00),
                                             (world.org_b, world.b_member, 100_000_00)], start=1):
        base = dict(deal_id=n, organisation_id=org.id, created_by_id=user.id, actor_id=None)
        signals.deal_approved.emit(**base, decided_at=utcnow(), protected_until=None)
        signals.deal_won.emit(**base, product="crm", amount_kopecks=amount, closed_on=today)
        db.session.commit()
    snap = snapshot(world)
    db.session.remove()
    return snap


def _leaderboard_checks(page, check_a11y, javascript: bool) -> None:
    follow_nav(page, "Rewards")
    expect(page.get_by_role("heading", name="Rewards", level=1)).to_be_visible()
    expect(page.get_by_text("What you need for Silver")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Leaderboard").first.click()
    expect(page.get_by_role("heading", name="Leaderboard", level=1)).to_be_visible()
    board = page.locator("#board")
    expect(board.locator("tr.viewer")).to_contain_text("Alpha Integration")
    expect(board.locator("tbody tr").first).to_contain_text("Beta Distribution")
    check_a11y(page)
    page.get_by_label("Ranked by").select_option("deals")
    if not javascript:
        page.get_by_role("button", name="Show").click()
    expect(board.locator("thead")).to_contain_text("Deals won")
    expect(page).to_have_url(__import__("re").compile(r"metric=deals"))
    expect(board.locator("tbody tr").first).to_contain_text("2")
    page.get_by_label("Partner type").select_option("distributor")
    if not javascript:
        page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Your organisation has no results in this selection yet.")).to_be_visible()
    check_a11y(page)


def test_dashboard_and_leaderboard_with_javascript(open_page, live_server, people, check_a11y, assert_clean):
    page = open_page()
    log_in(page, live_server.url, people.a_member, check_a11y)
    expect(page.get_by_role("heading", name="Rewards", level=2)).to_be_visible()  # the home panel
    _leaderboard_checks(page, check_a11y, javascript=True)
    assert_clean()


def test_dashboard_and_leaderboard_without_javascript(open_page, live_server, people, check_a11y, assert_clean):
    page = open_page(javascript=False)
    log_in(page, live_server.url, people.a_member, check_a11y)
    _leaderboard_checks(page, check_a11y, javascript=False)
    assert_clean()


@pytest.mark.parametrize("javascript", [True, False])
def test_statement_and_tier_pages(open_page, live_server, people, check_a11y, assert_clean, javascript):
    admin = open_page(javascript=javascript)
    log_in(admin, live_server.url, people.a_admin, check_a11y)
    follow_nav(admin, "Rewards")
    admin.get_by_role("link", name="Commission statement").click()
    expect(admin.get_by_role("heading", name="Commission statement of Alpha Integration")).to_be_visible()
    expect(admin.locator("#lines")).to_contain_text("SPIFF")
    # each line says when the deal was won, at which tier and rate, by which rule
    header = admin.locator("#lines thead")
    for column in ("Won on", "Rule", "Tier", "Rate"):
        expect(header).to_contain_text(column)
    row = admin.locator("#lines tbody tr", has_text="Commission on Kvant CRM")
    expect(row).to_contain_text("Bronze")
    expect(row).to_contain_text("20%")
    check_a11y(admin)
    admin.get_by_role("navigation", name="Statement filter").get_by_role("link", name="paid").click()
    expect(admin.get_by_text("No commission lines yet")).to_be_visible()
    check_a11y(admin)

    manager = open_page(javascript=javascript)
    log_in(manager, live_server.url, people.manager, check_a11y)
    follow_nav(manager, "Rewards")
    manager.get_by_role("link", name="Alpha Integration").click()
    manager.get_by_role("button", name="Approve").first.click()
    expect(manager.get_by_text("Line approved.")).to_be_visible()
    check_a11y(manager)
    manager.goto(live_server.url + f"/rewards/organisations/{people.org_a.id}/tier")
    manager.get_by_label("Tier", exact=True).select_option("gold")
    manager.get_by_label("Until (inclusive)").fill("2099-12-31")
    manager.get_by_label("Reason").fill("Strategic launch partner")
    manager.get_by_role("button", name="Save the override").click()
    expect(manager.get_by_text("Set by the channel manager until")).to_be_visible()
    check_a11y(manager)
    assert_clean()
