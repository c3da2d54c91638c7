from flask import Blueprint

bp = Blueprint("deals", __name__)

from . import jobs, notifications, routes  # noqa: E402,F401
