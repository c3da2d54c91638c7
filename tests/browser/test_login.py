"""Logging in and out through the real form, with and without JavaScript."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .. import factories
from .helpers import snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(world):
    return snapshot(world)


def test_login_wrong_password_then_right_one(page, live_server, people, check_a11y, assert_clean):
    page.goto(live_server.url + "/")
    # Anonymous visitors land on the public program page.
    expect(page).to_have_url(re.compile(r"/program$"))
    check_a11y(page)

    page.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    check_a11y(page)

    page.get_by_label("E-mail").fill(people.a_member.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    error = page.locator("#password-error")
    expect(error).to_contain_text("Wrong e-mail or password")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    check_a11y(page)

    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name=people.a_member.name)).to_be_visible()
    expect(header.get_by_role("button", name="Log out")).to_be_visible()
    check_a11y(page)

    header.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="Log in")).to_be_visible()
    check_a11y(page)
    assert_clean()


def test_login_without_javascript(nojs_page, live_server, people, check_a11y, assert_clean):
    page = nojs_page
    page.goto(live_server.url + "/login")
    check_a11y(page)
    page.get_by_label("E-mail").fill(people.manager.email)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#password-error")).to_contain_text("Wrong e-mail or password")
    check_a11y(page)

    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("banner").get_by_role("link", name=people.manager.name)).to_be_visible()
    check_a11y(page)
    assert_clean()
