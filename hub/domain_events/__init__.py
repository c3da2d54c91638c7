"""Durable domain events (SPEC P11): the outbox behind hub/signals.py, its worker and admin page.

Features never import this package: they emit and listen through hub/signals.py.
"""
from flask import Blueprint

# cli_group=None: `flask --app hub worker`, not `flask --app hub domain_events worker`.
bp = Blueprint("domain_events", __name__, cli_group=None)

from . import cli, nav, routes  # noqa: E402,F401
