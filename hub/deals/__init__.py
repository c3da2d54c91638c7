from flask import Blueprint

bp = Blueprint("deals", __name__)

from . import jobs, nav, panels, routes  # noqa: E402,F401
