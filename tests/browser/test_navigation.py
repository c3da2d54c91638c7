"""The header the navigation registry builds (hub/ui.py, issue 9 point 1): one row at 1280 px in
Russian for every role, with room left for the features still to come; groups that open with the
mouse, the keyboard and without JavaScript; a menu that opens on a 390 px phone. axe-clean throughout."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from hub import ui
from hub.accounts.models import ADMIN, MANAGER, MEMBER, PARTNER_ADMIN, VENDOR
from hub.extensions import db
from hub.i18n import LANG_COOKIE

from .. import factories

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# What each role sees in the header, in Russian (a group with one link shows the link itself).
HEADER = {
    "visitor": ["Найти партнёра", "Программа"],
    "member": ["Продажи", "Академия", "Развитие"],
    "partner_admin": ["Продажи", "Академия", "Развитие", "Управление"],
    "manager": ["Продажи", "Академия", "Развитие", "Управление"],
    "admin": ["Продажи", "Академия", "Развитие", "Управление"],
}
# Width the header keeps free at 1280 px for what later features add (an unread-count badge, a
# longer label) once every role's groups are there.
SPARE_PX = 80

_MEASURE = """() => {
  const box = el => el.getBoundingClientRect();
  const header = document.querySelector('.site-header');
  const parts = [document.querySelector('.brand'),
                 ...document.querySelectorAll('.nav-list > li'),
                 ...document.querySelectorAll('.user-nav > *')].filter(el => box(el).width > 0);
  const list = document.querySelector('.nav-list');
  const user = document.querySelector('.user-nav');
  return {
    height: box(header).height,
    // every part overlaps every other vertically: they share one row
    oneRow: Math.max(...parts.map(el => box(el).top)) < Math.min(...parts.map(el => box(el).bottom)),
    // and no label inside the header breaks onto a second line
    wrapped: [...document.querySelectorAll('.nav-list > li > a, .nav-list summary, .user-nav > a')]
      .filter(el => {
        const css = getComputedStyle(el);
        const line = parseFloat(css.lineHeight) || 1.2 * parseFloat(css.fontSize);
        const inner = box(el).height - parseFloat(css.paddingTop) - parseFloat(css.paddingBottom)
          - parseFloat(css.borderTopWidth) - parseFloat(css.borderBottomWidth);
        return el.getClientRects().length > 1 || inner > 1.5 * line;
      })
      .map(el => el.textContent.trim()),
    spare: box(user).left - box(list.lastElementChild || list).right,
    sideways: document.documentElement.scrollWidth > window.innerWidth,
  };
}"""


@pytest.fixture
def people(app):
    """Russian-speaking people with long, real-looking names: the widest header each role gets."""
    vendor = factories.create_org("Квант Софт", kind=VENDOR, slug="kvant")
    partner = factories.create_org("ООО «Волга-Софт»", slug="volgasoft", tier="gold")
    made = {
        "member": factories.create_user(partner, MEMBER, "member@volgasoft.test", name="Екатерина Малиновская",
                                        locale="ru"),
        "partner_admin": factories.create_user(partner, PARTNER_ADMIN, "admin@volgasoft.test",
                                               name="Владислав Кузнецов", locale="ru"),
        "manager": factories.create_user(vendor, MANAGER, "manager@kvant.test",
                                         name="Константин Вознесенский", locale="ru"),
        "admin": factories.create_user(vendor, ADMIN, "admin@kvant.test", name="Александра Преображенская",
                                       locale="ru"),
    }
    people = SimpleNamespace(**{role: SimpleNamespace(email=u.email, name=u.name) for role, u in made.items()})
    db.session.remove()
    return people


def open_as(open_page, live_server, people, role: str, javascript: bool = True, **context):
    page = open_page(javascript=javascript, **context)
    # The contexts speak English; the language cookie (and, once logged in, the profile) say Russian.
    page.context.add_cookies([{"name": LANG_COOKIE, "value": "ru", "url": live_server.url}])
    if role == "visitor":
        page.goto(live_server.url + "/program")
    else:
        person = getattr(people, role)
        page.goto(live_server.url + "/login")
        page.locator("#email").fill(person.email)
        page.locator("#password").fill(factories.PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page.get_by_role("banner").get_by_role("link", name=person.name)).to_be_attached()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    return page


def top_level(page) -> list[str]:
    return [text.strip() for text in page.locator(".nav-list > li > a, .nav-list > li summary").all_inner_texts()]


@pytest.fixture
def future_items():
    """Stand-ins for what events, MDF, community and insights will register: the header must take
    them without a second row."""
    added = [
        ui.nav_item("program.calculator", "Мероприятия", group=ui.LEARN, order=20, name="future.events"),
        ui.nav_item("program.calculator", "Совместный маркетинг", group=ui.GROW, order=30, name="future.mdf"),
        ui.nav_item("program.calculator", "Сообщество", group=ui.GROW, order=40, name="future.community"),
        ui.nav_item("program.calculator", "Аналитика программы", group=ui.MANAGE, order=90, roles=ui.VENDOR,
                    name="future.insights"),
        ui.nav_item("program.calculator", "Заявки MDF", group=ui.MANAGE, order=90, roles={PARTNER_ADMIN},
                    name="future.mdf-requests"),
    ]
    yield added
    for item in added:
        ui._NAV.pop(item.name)


@pytest.mark.parametrize("role", list(HEADER))
def test_the_header_is_one_row_at_1280_px_in_russian(open_page, live_server, people, role, check_a11y,
                                                     assert_clean):
    page = open_as(open_page, live_server, people, role, viewport=DESKTOP)
    assert top_level(page) == HEADER[role]
    expect(page.locator(".menu-button")).to_be_hidden()
    measured = page.evaluate(_MEASURE)
    assert measured["oneRow"], measured
    assert measured["wrapped"] == [], measured
    assert measured["height"] < 64, measured
    assert measured["spare"] >= SPARE_PX, measured
    assert not measured["sideways"]
    check_a11y(page)

    # Each group opens below the header with its links, and only one is open at a time.
    groups = page.locator(".nav-list details")
    for n in range(groups.count()):
        group = groups.nth(n)
        group.locator("summary").click()
        expect(group).to_have_attribute("open", "")
        expect(group.get_by_role("link").first).to_be_in_viewport()
        assert page.locator(".nav-list details[open]").count() == 1
        assert page.evaluate(_MEASURE)["oneRow"], "an open group does not push the header"
        check_a11y(page)
    if groups.count():
        page.get_by_role("heading", level=1).click()  # a click elsewhere closes it (nav.js)
        expect(page.locator(".nav-list details[open]")).to_have_count(0)
    assert_clean()


@pytest.mark.parametrize("role", list(HEADER))
def test_room_for_the_features_still_to_come(open_page, live_server, people, role, future_items, assert_clean):
    page = open_as(open_page, live_server, people, role, viewport=DESKTOP)
    measured = page.evaluate(_MEASURE)
    assert measured["oneRow"] and measured["wrapped"] == [] and measured["height"] < 64, measured
    if role != "visitor":
        assert "Обучение" in top_level(page), "a second learning item turns Academy into a group"
    assert_clean()


def test_the_current_page_is_marked_in_its_group(open_page, live_server, people, check_a11y, assert_clean):
    page = open_as(open_page, live_server, people, "manager", viewport=DESKTOP)
    page.goto(live_server.url + "/deals/queue")
    manage = page.locator(".nav-list details", has=page.locator("summary", has_text="Управление"))
    expect(manage.locator("summary")).to_have_class("is-current")
    expect(manage.locator("summary")).to_contain_text("текущий раздел")
    manage.locator("summary").click()
    expect(manage.get_by_role("link", name="Очередь на одобрение")).to_have_attribute("aria-current", "page")
    assert page.locator("[aria-current=page]").count() == 1
    page.goto(live_server.url + "/academy/")
    expect(page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Академия")
           ).to_have_attribute("aria-current", "page")
    check_a11y(page)
    assert_clean()


def test_groups_work_with_the_keyboard(open_page, live_server, people, assert_clean):
    page = open_as(open_page, live_server, people, "partner_admin", viewport=DESKTOP)
    summary = page.locator(".nav-list summary", has_text="Управление")
    summary.focus()
    page.keyboard.press("Enter")
    group = page.locator(".nav-list details[open]")
    expect(group).to_have_count(1)
    page.keyboard.press("Tab")
    expect(group.get_by_role("link", name="Команда")).to_be_focused()
    page.keyboard.press("Escape")
    expect(group).to_have_count(0)
    expect(summary).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Выписка по комиссиям")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Выписка по комиссиям")
    assert_clean()


def test_groups_work_without_javascript(open_page, live_server, people, check_a11y, assert_clean):
    page = open_as(open_page, live_server, people, "manager", javascript=False, viewport=DESKTOP)
    page.locator(".nav-list summary", has_text="Продажи").click()
    page.get_by_role("link", name="Библиотека").click()
    expect(page.get_by_role("heading", name="Библиотека", level=1)).to_be_visible()
    check_a11y(page)
    assert_clean()


@pytest.mark.parametrize("role, javascript", [("visitor", True), ("member", True), ("manager", True),
                                              ("manager", False)])
def test_the_phone_menu_opens(open_page, live_server, people, role, javascript, check_a11y, assert_clean):
    page = open_as(open_page, live_server, people, role, javascript=javascript, viewport=PHONE,
                   is_mobile=True, has_touch=True)
    nav = page.get_by_role("navigation", name="Основное меню")
    menu = nav.get_by_role("button", name="Меню")
    expect(menu).to_be_in_viewport()
    expect(nav.locator(".nav-list")).to_be_hidden()
    assert not page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
    check_a11y(page)

    menu.click()
    for label in HEADER[role]:
        expect(nav.locator(".nav-list > li").filter(has_text=label)).to_be_in_viewport()
    check_a11y(page)
    if role == "visitor":
        nav.get_by_role("button", name="Закрыть меню").click()
        expect(nav.locator(".nav-list")).to_be_hidden()
        assert_clean()
        return
    nav.locator("summary", has_text="Продажи").click()
    deals = nav.get_by_role("link", name="Сделки")
    expect(deals).to_be_in_viewport()
    check_a11y(page)
    deals.click()
    expect(page.get_by_role("heading", name="Сделки", level=1)).to_be_visible()
    expect(nav.locator(".nav-list")).to_be_hidden()
    assert not page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
    assert_clean()
