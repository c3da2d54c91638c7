from flask import Blueprint

bp = Blueprint("academy", __name__)

from . import jobs, loaders, routes, home  # noqa: E402,F401
