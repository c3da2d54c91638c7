from flask import Blueprint

bp = Blueprint("library", __name__, url_prefix="/library")

from . import demo, demo_large, loaders, nav, routes, search_index  # noqa: E402,F401
