"""Walkthrough fixes in a real browser (issue 9 point 7): the manager's queue fits at 1280 px and on
a 390 px phone with its decision controls on screen; "check the customer" works without JavaScript
and keeps what was typed; the live-check hint shows only where JavaScript runs."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from hub.deals import services as deals
from hub.deals.models import Deal
from hub.extensions import db

from .helpers import log_in, snapshot

pytestmark = pytest.mark.browser

NO_HSCROLL = "() => document.scrollingElement.scrollWidth <= window.innerWidth"


def _register(user, name, **kw):
    return deals.register_deal(user, deals.DealInput(
        customer_name=name, contact_name="Olga Smirnova", product="crm", amount_kopecks=kw.pop("amount", 1_250_000_00),
        expected_close_date=deals.program_today() + timedelta(days=45), region=kw.pop("region", "moscow"), **kw))


@pytest.fixture
def queue_world(world):
    """A queue with an ordinary registration, a conflict whose holder is active, a long unbroken
    customer name and an extension request."""
    people = snapshot(world)
    held = _register(world.b_member, "ООО «Ромашка»", inn="7707083893")
    deals.approve(held, world.manager)
    conflict = _register(world.a_member, "Ромашка", inn="7707083893")
    _register(world.a_member, "ООО «Очень-длинное-название-без-пробелов-Интеграционные-Системы-Поволжья»",
              domain="long.example")
    extended = _register(world.a_admin, "АО «Клевер»", domain="klever.example")
    deals.approve(extended, world.manager)
    deals.request_extension(extended, world.a_admin, "The customer's tender moved to next month.")
    ids = SimpleNamespace(conflict=conflict.id)
    db.session.remove()
    return people, ids


def deal_count() -> int:
    count = db.session.scalar(select(func.count(Deal.id)))
    db.session.remove()
    return count


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_queue_fits_the_screen_with_its_controls(open_page, live_server, queue_world, check_a11y, assert_clean,
                                                 width, height):
    people, ids = queue_world
    manager = open_page(viewport={"width": width, "height": height})
    log_in(manager, live_server.url, people.manager)
    manager.goto(live_server.url + "/deals/queue")
    expect(manager.get_by_role("heading", name="Approval queue")).to_be_visible()
    assert manager.evaluate(NO_HSCROLL), manager.evaluate(
        "() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    # Every decision control lies inside the viewport's width, none cut off or scrolled away sideways.
    boxes = manager.evaluate("""() => [...document.querySelectorAll('.queue-table .decide button, .queue-table .decide input[type=text]')]
        .map(el => { const r = el.getBoundingClientRect(); return [r.left, r.right]; })""")
    assert len(boxes) >= 6
    assert all(left >= 0 and right <= width for left, right in boxes), boxes
    wrap = manager.evaluate("() => { const w = document.querySelector('.queue-wrap'); return [w.scrollWidth, w.clientWidth]; }")
    assert wrap[0] <= wrap[1] + 1, wrap  # nor inside the table's own scroll box
    # The conflict whose earlier registration is active offers Reject only.
    row = manager.locator(f"#queue-row-{ids.conflict}")
    expect(row.get_by_role("button", name="Reject")).to_be_visible()
    expect(row.get_by_role("button", name="Approve")).to_have_count(0)
    check_a11y(manager)
    # And the controls work at this width: approve the long-named one in place.
    long_row = manager.locator("tr").filter(has_text="Очень-длинное")
    long_row.get_by_role("button", name="Approve").click()
    expect(manager.locator("#queue-results")).to_contain_text("is protected until")
    assert manager.evaluate(NO_HSCROLL)
    assert_clean()


def test_check_the_customer_without_javascript_keeps_the_input(open_page, live_server, queue_world, check_a11y,
                                                               assert_clean):
    people, _ids = queue_world
    before = deal_count()
    partner = open_page(javascript=False)
    log_in(partner, live_server.url, people.a_member)
    partner.goto(live_server.url + "/deals/new")
    expect(partner.get_by_text("As you type the company")).to_be_hidden()
    expect(partner.get_by_text("Enter the company, INN or domain and check")).to_be_visible()
    partner.get_by_label("Customer company", exact=True).fill("Romashka LLC")
    partner.get_by_label("INN (tax number)", exact=True).fill("7707083893")
    partner.get_by_label("Contact name", exact=True).fill("Pyotr Ivanov")
    partner.get_by_role("button", name="Check the customer").click()
    expect(partner.locator("#conflict-status")).to_contain_text("This customer is already protected by another partner")
    expect(partner.get_by_label("Customer company", exact=True)).to_have_value("Romashka LLC")
    expect(partner.get_by_label("INN (tax number)", exact=True)).to_have_value("7707083893")
    expect(partner.get_by_label("Contact name", exact=True)).to_have_value("Pyotr Ivanov")
    expect(partner.get_by_text("The deal was not saved.")).to_have_count(0)  # nothing validated, nothing saved
    assert partner.url.endswith("/deals/new")
    check_a11y(partner)
    assert deal_count() == before
    assert_clean()


def test_with_javascript_the_live_hint_shows_and_the_check_button_does_not(open_page, live_server, queue_world,
                                                                          check_a11y, assert_clean):
    people, _ids = queue_world
    partner = open_page()
    log_in(partner, live_server.url, people.a_member)
    partner.goto(live_server.url + "/deals/new")
    expect(partner.get_by_text("As you type the company")).to_be_visible()
    expect(partner.get_by_text("Enter the company, INN or domain and check")).to_be_hidden()
    expect(partner.get_by_role("button", name="Check the customer")).to_be_hidden()
    check_a11y(partner)
    assert_clean()
