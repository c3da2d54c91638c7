"""What a feature adds to pages it does not own: navigation items, home-page panels, page slots.

The base template, the home page (hub/core) and the profile, organisation and team pages
(hub/accounts) know no feature: each feature registers here, at import time (from its package's
`__init__`, through a small `nav.py` / `panels.py` / `slots.py` module), and the pages render
whatever is registered. Adding a feature touches none of those templates.

Roles (who sees an item, a panel or a slot) are the strings of `User.role`, plus VISITOR for
somebody not logged in; PARTNERS, VENDOR, SIGNED_IN and EVERYONE are the usual sets.

Navigation
    nav_item("deals.index", _l("Deals"), group=SELL, order=10, roles=SIGNED_IN,
             current=("deals.index", "deals.show", "deals.new"))

  `group` is one of SELL, LEARN, GROW, MANAGE (or a group registered with `nav_group`). The header
  shows each group that has at least one item for the viewer: as a plain link when it has exactly
  one, as a disclosure menu (`<details>`, no JavaScript needed) when it has more; on a phone the
  whole list sits behind a "Menu" button (a declarative popover). `current` lists the endpoints
  for which the item is the current page (`"academy.*"` matches a whole blueprint; an exact
  endpoint wins over a wildcard). `url_values(user)` gives the endpoint's arguments when it needs
  some (e.g. the viewer's organisation id). Add items to the existing groups: the browser test
  (tests/browser/test_navigation.py) keeps the header in one row at 1280 px in Russian for every
  role, and a new group costs width.

Home panels
    @home_panel("deals.summary", "deals/_home_panel.html", order=10, roles=PARTNERS)
    def deals_summary(user):
        return {...}          # or None to show nothing

  The template receives `panel` (the returned dict). Panels render in `order`.

Page slots
    @page_slot(PROFILE, "rewards.badges", "rewards/_user_badges.html", order=20, roles=PARTNERS)
    def user_badges(subject, viewer):
        return {...}          # or None to show nothing

  Pages with slots: PROFILE (subject: the user whose profile it is), ORGANISATION, TEAM and
  ORGANISATION_ACTIONS (the buttons beside the organisation's name; subject: the organisation); more pages (a directory card, an event page) only need a name and
  a `{% for template, slot in page_slots(...) %}` loop in their template. The template receives
  `slot` (the returned dict) and `subject`.

A panel or slot function runs a small, fixed number of queries whatever the data: the home,
profile, team and organisation pages have query-count tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from flask import Flask, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# --- roles ------------------------------------------------------------------------------------

VISITOR = "visitor"
MEMBER = "member"
PARTNER_ADMIN = "partner_admin"
MANAGER = "manager"
ADMIN = "admin"
PARTNERS = frozenset({MEMBER, PARTNER_ADMIN})
VENDOR = frozenset({MANAGER, ADMIN})
SIGNED_IN = PARTNERS | VENDOR
EVERYONE = SIGNED_IN | {VISITOR}


def role_of(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return VISITOR
    return user.role


def _roles(roles: Iterable[str]) -> frozenset[str]:
    roles = frozenset(roles)
    unknown = roles - EVERYONE
    if unknown:
        raise ValueError(f"unknown role {sorted(unknown)[0]!r} (known: {', '.join(sorted(EVERYONE))})")
    return roles


# --- navigation -------------------------------------------------------------------------------

SELL = "sell"
LEARN = "learn"
GROW = "grow"
MANAGE = "manage"


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: Any
    order: int


@dataclass(frozen=True)
class NavItem:
    name: str
    endpoint: str
    label: Any
    group: str
    order: int
    roles: frozenset[str]
    current: tuple[str, ...]
    url_values: Callable[[Any], dict] | None = None


@dataclass
class NavLink:
    label: Any
    url: str
    current: bool


@dataclass
class NavEntry:
    """One place in the header: a group with the links the viewer may follow."""
    key: str
    label: Any
    links: list[NavLink] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


_GROUPS: dict[str, NavGroup] = {}
_NAV: dict[str, NavItem] = {}


def nav_group(key: str, label: Any, order: int) -> NavGroup:
    group = NavGroup(key, label, order)
    _GROUPS[key] = group
    return group


nav_group(SELL, _l("Sell"), 10)
nav_group(LEARN, _l("Learn"), 20)
nav_group(GROW, _l("Grow"), 30)
nav_group(MANAGE, _l("Manage"), 40)


def nav_item(endpoint: str, label: Any, *, group: str, order: int = 50, roles: Iterable[str] = SIGNED_IN,
             current: Iterable[str] | None = None, url_values: Callable[[Any], dict] | None = None,
             name: str | None = None) -> NavItem:
    """Register a header link (see the module docstring). Registering the same name again replaces it."""
    if group not in _GROUPS:
        raise ValueError(f"unknown navigation group {group!r} (known: {', '.join(_GROUPS)})")
    item = NavItem(name=name or endpoint, endpoint=endpoint, label=label, group=group, order=order,
                   roles=_roles(roles), current=tuple(current) if current is not None else (endpoint,),
                   url_values=url_values)
    _NAV[item.name] = item
    return item


def _current_item(items: list[NavItem], endpoint: str | None) -> str | None:
    if not endpoint:
        return None
    blueprint = endpoint.rpartition(".")[0]
    for item in items:
        if endpoint in item.current:
            return item.name
    for item in items:
        if f"{blueprint}.*" in item.current:
            return item.name
    return None


def navigation(user, endpoint: str | None) -> list[NavEntry]:
    """The header's groups for this viewer, in order, each with its links in order."""
    role = role_of(user)
    items = sorted((item for item in _NAV.values() if role in item.roles),
                   key=lambda item: (_GROUPS[item.group].order, item.order, item.name))
    current = _current_item(items, endpoint)
    entries: dict[str, NavEntry] = {}
    for item in items:
        group = _GROUPS[item.group]
        entry = entries.setdefault(group.key, NavEntry(group.key, group.label))
        values = item.url_values(user) if item.url_values else {}
        entry.links.append(NavLink(item.label, url_for(item.endpoint, **values), item.name == current))
    return list(entries.values())


# --- home panels ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    order: int
    roles: frozenset[str]
    build: Callable[[Any], dict | None]


_PANELS: dict[str, Panel] = {}


def home_panel(name: str, template: str, *, order: int = 50, roles: Iterable[str] = PARTNERS):
    def decorator(func):
        _PANELS[name] = Panel(name, template, order, _roles(roles), func)
        return func
    return decorator


def panels_for(user) -> list[tuple[str, dict]]:
    role = role_of(user)
    out = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)):
        if role not in panel.roles:
            continue
        context = panel.build(user)
        if context is not None:
            out.append((panel.template, context))
    return out


# --- page slots -------------------------------------------------------------------------------

PROFILE = "profile"
ORGANISATION = "organisation"
ORGANISATION_ACTIONS = "organisation-actions"  # buttons beside the organisation page's heading
TEAM = "team"


@dataclass(frozen=True)
class Slot:
    page: str
    name: str
    template: str
    order: int
    roles: frozenset[str]
    build: Callable[[Any, Any], dict | None]


_SLOTS: dict[tuple[str, str], Slot] = {}


def page_slot(page: str, name: str, template: str, *, order: int = 50, roles: Iterable[str] = SIGNED_IN):
    """Register a part of `page` (PROFILE, ORGANISATION, TEAM, ...) that this feature renders."""
    def decorator(func):
        _SLOTS[(page, name)] = Slot(page, name, template, order, _roles(roles), func)
        return func
    return decorator


def slots_for(page: str, subject, viewer) -> list[tuple[str, dict]]:
    role = role_of(viewer)
    out = []
    for slot in sorted((s for s in _SLOTS.values() if s.page == page), key=lambda s: (s.order, s.name)):
        if role not in slot.roles:
            continue
        context = slot.build(subject, viewer)
        if context is not None:
            out.append((slot.template, context))
    return out


# --- templates --------------------------------------------------------------------------------

def install(app: Flask) -> None:
    @app.template_global("main_navigation")
    def _main_navigation() -> list[NavEntry]:
        return navigation(current_user, request.endpoint)

    @app.template_global("page_slots")
    def _page_slots(page: str, subject) -> list[tuple[str, dict]]:
        return slots_for(page, subject, current_user)
