"""The referral fees on the commission statement (issue 12 point 5) and the referral bonus in the points
history (issue 14 point 2), in a real browser, with JavaScript on and off, axe clean."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from hub import signals
from hub.extensions import db

from .helpers import follow_nav, log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(app, world):
    at = datetime.now(timezone.utc)
    signals.referral_won.emit(referral_id=41, organisation_id=world.org_a.id, amount_kopecks=540_000_00, won_at=at,
                              actor_id=None, fee_kopecks=27_000_00, fee_basis="5%")
    signals.CATALOGUE["referral_bonus_earned"].emit(referrer_id=world.org_a.id, referred_id=world.org_b.id,
                                                   deal_id=7, points=500, earned_at=at)
    db.session.commit()
    snap = snapshot(world)
    db.session.remove()
    return snap


@pytest.mark.parametrize("javascript", [True, False])
def test_referral_fee_and_bonus_are_shown_apart(open_page, live_server, people, check_a11y, assert_clean, javascript):
    admin = open_page(javascript=javascript)
    log_in(admin, live_server.url, people.a_admin, check_a11y)
    follow_nav(admin, "Rewards")
    expect(admin.get_by_role("heading", name="Points history")).to_be_visible()
    expect(admin.get_by_role("table").filter(has_text="Referral bonus")).to_contain_text(
        "Beta Distribution, the partner you brought, won its first deal")
    check_a11y(admin)
    admin.get_by_role("link", name="Commission statement").click()
    expect(admin.get_by_role("heading", name="Commission statement of Alpha Integration")).to_be_visible()
    section = admin.locator("#referral-lines")
    expect(section.get_by_role("heading", name="Referral fees")).to_be_visible()
    expect(section).to_contain_text("Referral fee 5 % of")
    expect(admin.locator("#lines")).to_contain_text("No commission lines yet")  # not among the sales lines
    check_a11y(admin)
    assert_clean()
