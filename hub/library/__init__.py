from flask import Blueprint

bp = Blueprint("library", __name__)

from . import loaders, nav, routes  # noqa: E402,F401
