"""Rewards (R1-R4, D5): points, badges, tiers, leaderboards and commissions.

Fed only by signals (hub/signals.py) and facts (hub/facts.py); no other module imports this
package's internals.
"""
from flask import Blueprint

bp = Blueprint("rewards", __name__, url_prefix="/rewards")

from . import rules, routes, listeners, jobs, nav, notifications, panels, slots, cli, demo  # noqa: E402,F401
