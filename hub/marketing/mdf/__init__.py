"""MDF (SPEC M1): the marketing development fund ledger, partners' requests and managers' approvals.

Balances are sums of ledger entries (models.py), never stored counters; approvals commit money under a
lock on the organisation-quarter account row (services.py)."""
from flask import Blueprint

bp = Blueprint("mdf", __name__, url_prefix="/mdf")

from . import rules, nav, notifications, slots, jobs, listeners, demo, demo_large, routes, claim_routes  # noqa: E402,F401
