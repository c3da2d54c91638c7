from flask import Blueprint

bp = Blueprint("program", __name__)

from . import loaders, nav, routes  # noqa: E402,F401
