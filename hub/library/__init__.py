from flask import Blueprint

bp = Blueprint("library", __name__, url_prefix="/library")

from . import demo, loaders, nav, routes  # noqa: E402,F401
