from flask import Blueprint

bp = Blueprint("academy", __name__)

from . import jobs, loaders, notifications, routes, home  # noqa: E402,F401
