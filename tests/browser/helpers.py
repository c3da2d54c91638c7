"""Steps the browser tests share."""
from __future__ import annotations

import re
from types import SimpleNamespace

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import Page, expect

from .. import factories


def log_in(page: Page, base_url: str, user, check_a11y=None) -> None:
    """Through the real login form, as a person would; with check_a11y, the login page and the
    page it lands on are checked too."""
    page.goto(base_url + "/login")
    if check_a11y:
        check_a11y(page)
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("banner").get_by_role("link", name=user.name)).to_be_visible()
    if check_a11y:
        check_a11y(page)


def snapshot(world) -> SimpleNamespace:
    """Plain values of the seeded people, usable after the test's session let go of its objects
    (the live server must see committed data and the test must not hold a transaction open)."""
    people = {}
    for key, value in vars(world).items():
        if hasattr(value, "email"):
            people[key] = SimpleNamespace(id=value.id, email=value.email, name=value.name)
        else:
            people[key] = SimpleNamespace(id=value.id, name=value.name, slug=value.slug)
    return SimpleNamespace(**people)


def follow_nav(page: Page, name: str) -> None:
    """Follow a header link as a person would: open the phone menu and the link's group when the
    link is inside them (the groups come from hub/ui.py nav_item registrations)."""
    nav = page.get_by_role("navigation", name="Main")
    link = nav.get_by_role("link", name=name, exact=True)
    menu = nav.locator(".menu-button")
    if menu.is_visible():
        try:  # without JavaScript a full header has reported the button visible yet refused the click
            menu.click(timeout=3000)
        except PlaywrightTimeoutError:
            pass
    if not link.is_visible():
        exact = page.locator("a", has_text=re.compile(rf"^\s*{re.escape(name)}\s*$"))
        nav.locator("details", has=exact).locator("summary").click()
    link.click()
