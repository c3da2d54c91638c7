from flask import Blueprint

bp = Blueprint("academy", __name__, url_prefix="/academy")

from . import onboarding, demo, jobs, loaders, nav, notifications, routes, home, slots  # noqa: E402,F401
