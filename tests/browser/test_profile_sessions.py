"""The profile page's e-mail choices and "sign out everywhere", in a real browser, with and without
JavaScript."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(world):
    return snapshot(world)


def _choose_and_sign_out(page, base_url, people, check_a11y) -> None:
    page.goto(base_url + "/profile")
    check_a11y(page)
    approved = page.get_by_label("Our deal is approved")
    expect(approved).to_be_checked()
    expect(page.get_by_label("I earn a certificate")).not_to_be_checked()
    approved.uncheck()
    page.get_by_label("I earn a certificate").check()
    page.get_by_role("button", name="Save e-mail choices").click()
    expect(page.get_by_text("Your e-mail choices have been saved.")).to_be_visible()
    expect(page.get_by_label("Our deal is approved")).not_to_be_checked()
    expect(page.get_by_label("I earn a certificate")).to_be_checked()
    check_a11y(page)

    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page.get_by_text("You have been signed out on every device.")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="Log in")).to_be_visible()
    page.goto(base_url + "/profile")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_email_choices_and_sign_out_everywhere(page, live_server, people, check_a11y, assert_clean):
    log_in(page, live_server.url, people.a_member)
    _choose_and_sign_out(page, live_server.url, people, check_a11y)
    assert_clean()


def test_email_choices_and_sign_out_everywhere_without_javascript(nojs_page, live_server, people, check_a11y,
                                                                  assert_clean):
    log_in(nojs_page, live_server.url, people.a_member)
    _choose_and_sign_out(nojs_page, live_server.url, people, check_a11y)
    assert_clean()
