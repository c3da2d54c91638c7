from flask import Blueprint

bp = Blueprint("deals", __name__, url_prefix="/deals")

from . import rules, demo, jobs, nav, notifications, panels, routes  # noqa: E402,F401
