"""Key-partner care (SPEC C7): the account manager's card with the measured response time, quarterly
business reviews with action items both sides see, the beta programme, closed announcements by tier
and the relationship-health score with its at-risk flag."""
from flask import Blueprint

bp = Blueprint("care", __name__, url_prefix="/care")

from . import models, rules, nav, notifications, slots, facts, demo, routes  # noqa: E402,F401
