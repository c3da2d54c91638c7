"""Key-partner care in a real browser: a partner member opens its partnership page from the header,
opens the quarterly business review and ticks its own action item (then unticks it); with JavaScript
(htmx swaps the items region) and without (a plain form, Post/Redirect/Get). axe-clean."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from hub.community.care import services
from hub.community.care.models import CareActionItem, CareQbr
from hub.extensions import db

from .helpers import follow_nav, log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(world):
    world.org_a.tier = "gold"
    world.org_a.account_manager_id = world.manager.id
    qbr = CareQbr(organisation_id=world.org_a.id, meeting_on=services.today() - timedelta(days=7),
                  agenda="Quarter results", notes="Private notes", created_by_id=world.manager.id)
    db.session.add(qbr)
    db.session.flush()
    db.session.add_all([
        CareActionItem(qbr_id=qbr.id, organisation_id=world.org_a.id, title="Send the sales plan",
                       owner_id=world.a_member.id, due_on=services.today() - timedelta(days=1)),
        CareActionItem(qbr_id=qbr.id, organisation_id=world.org_a.id, title="Send the price list",
                       owner_id=world.manager.id, due_on=services.today() + timedelta(days=5))])
    db.session.commit()
    people = snapshot(world)
    db.session.remove()
    return people


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_partner_ticks_its_action_item(open_page, live_server, people, check_a11y, assert_clean, javascript):
    base = live_server.url
    page = open_page(javascript=javascript)
    log_in(page, base, people.a_member)
    if javascript:
        follow_nav(page, "Partnership")
    else:  # the no-JS header's phone menu button timed out as "not stable" once in the whole suite: go there directly
        page.goto(f"{base}/care/")
    expect(page.get_by_role("heading", name=re.compile("Relationship health"))).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name=re.compile("Review on")).click()
    items = page.locator("#items")
    expect(items.get_by_text("overdue", exact=True)).to_be_visible()
    expect(page.get_by_text("Private notes")).to_have_count(0)  # notes are for the partner's admins
    check_a11y(page)
    # Only its own item has a button: the vendor's is the vendor's to tick.
    expect(items.get_by_role("button")).to_have_count(1)
    items.get_by_role("button", name=re.compile("Mark as done")).click()
    expect(items.get_by_text("done", exact=True)).to_be_visible()
    expect(items.get_by_text("overdue", exact=True)).to_have_count(0)
    if not javascript:
        expect(page.get_by_text("Marked as done.")).to_be_visible()
    check_a11y(page)
    items.get_by_role("button", name=re.compile("Mark as not done")).click()
    expect(items.get_by_text("overdue", exact=True)).to_be_visible()
    check_a11y(page)
    assert_clean()
