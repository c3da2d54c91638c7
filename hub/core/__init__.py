from flask import Blueprint

bp = Blueprint("core", __name__)

from . import routes, cli  # noqa: E402,F401
