"""The session expires while a deal form is open: htmx navigates to the login page (never swaps it
into the form), and what was typed comes back after logging in — with and without JavaScript."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from .. import factories
from .helpers import log_in, snapshot

pytestmark = pytest.mark.browser
CUSTOMER = "ООО «Лунный Кролик»"


@pytest.fixture
def people(world):
    return snapshot(world)


def _fill(page):
    page.get_by_label("Customer company").fill(CUSTOMER)
    page.get_by_label("INN (tax number)").fill("7707083893")
    page.get_by_label("Contact name").fill("Ivan Petrov")
    page.get_by_label("Contact e-mail").fill("ivan@rabbit.example")
    page.get_by_label("Product").select_option("crm")
    page.get_by_label("Amount, RUB").fill("1 500 000")
    page.get_by_label("Expected close date").fill((date.today() + timedelta(days=40)).isoformat())
    page.get_by_label("Region").select_option("moscow")
    page.get_by_label("Notes").fill("Тендер в марте")


def _log_in_again(page, user):
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_text("Your session has expired")).to_be_visible()
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _typed_is_back(page):
    expect(page).to_have_url(re.compile(r"/deals/new\?_draft="))
    expect(page.get_by_text("What you typed before logging in is back in the form")).to_be_visible()
    expect(page.get_by_label("Customer company")).to_have_value(re.compile("^" + re.escape(CUSTOMER)))
    expect(page.get_by_label("Notes")).to_have_value("Тендер в марте")
    expect(page.get_by_label("Product")).to_have_value("crm")


def test_with_javascript(page, live_server, people, assert_clean):
    log_in(page, live_server.url, people.a_member)
    page.goto(live_server.url + "/deals/new")
    _fill(page)
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()  # the session has expired
    # The live conflict check (hx-get) now gets HX-Redirect: a whole new page, not a swapped fragment,
    # and the form it sent along is kept.
    page.get_by_label("Customer company").fill(CUSTOMER + " ")
    expect(page).to_have_url(re.compile(r"/login\?next=(%2F|/)deals(%2F|/)new"))
    expect(page.locator("form#login-form")).to_have_count(1)
    expect(page.locator("#conflict-status")).to_have_count(0)
    _log_in_again(page, people.a_member)
    _typed_is_back(page)

    # A boosted (htmx) submit after the session expired.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.get_by_role("button", name="Register the deal").click()
    _log_in_again(page, people.a_member)
    _typed_is_back(page)
    assert_clean()


def test_without_javascript(nojs_page, live_server, people, assert_clean):
    page = nojs_page
    log_in(page, live_server.url, people.a_member)
    page.goto(live_server.url + "/deals/new")
    _fill(page)
    page.context.clear_cookies()
    page.get_by_role("button", name="Register the deal").click()
    _log_in_again(page, people.a_member)
    _typed_is_back(page)
    assert_clean()
