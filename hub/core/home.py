"""Home-page panels: each feature registers what it shows on the home page, so the home view
never imports feature internals and features never edit each other's templates.

    @home_panel("academy.onboarding", "academy/_home_panel.html", order=20, audience="partner")
    def onboarding_panel(user):
        return {"plan": ...}          # or None to show nothing

The template receives `panel` (the returned dict) and `user`. Each panel function must run a small,
fixed number of queries (the home page's query count is tested).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

PARTNER = "partner"
MANAGER = "manager"


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    order: int
    audience: str
    build: Callable


_PANELS: dict[str, Panel] = {}


def home_panel(name: str, template: str, order: int = 50, audience: str = PARTNER):
    def decorator(func):
        _PANELS[name] = Panel(name, template, order, audience, func)
        return func
    return decorator


def panels_for(user) -> list[tuple[str, dict]]:
    audience = MANAGER if user.is_manager else PARTNER
    out = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)):
        if panel.audience != audience:
            continue
        context = panel.build(user)
        if context is not None:
            out.append((panel.template, context))
    return out
