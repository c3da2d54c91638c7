"""The features the hub is assembled from, in the order their blueprints register.

Importing a feature's package (`hub/<name>/__init__.py`) registers everything it adds to the rest
of the hub: its blueprint `bp` (with its own `url_prefix`), header links, home panels and page
slots (hub/ui.py), its program.yml sections (hub/program/rules.py), content loaders and tick jobs
(hub/core/cli.py), facts (hub/facts.py) and signal listeners. A new feature is a package plus one
line here.

`load()` imports them all; create_app calls it, and so must anything that reads the rules file or
walks the registries without an app (a script, a test of the rules alone).
"""
from __future__ import annotations

import importlib
from types import ModuleType

FEATURES = ("core", "domain_events", "files", "accounts", "program", "deals", "academy", "library", "rewards",
            "community.events", "marketing.mdf", "community.nps", "community.care", "recruitment", "community.qa", "marketing.cobrand", "marketing.leads",
            "insights.kpis", "community.directory", "insights.funnel")


def load() -> list[ModuleType]:
    """Every feature's package, imported (once; Python caches the modules)."""
    modules = [importlib.import_module(f"{__package__}.{name}") for name in FEATURES]
    for name in FEATURES:
        # Every model module, so that migrations and metadata see the whole schema.
        try:
            importlib.import_module(f"{__package__}.{name}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}.models":
                raise
    return modules
