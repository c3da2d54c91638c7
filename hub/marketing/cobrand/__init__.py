"""Co-branded material (SPEC M2): the vendor's templates with the partner's logo and contacts stamped
in (preview in the page, PDF rendered by WeasyPrint without any outside fetch), downloads counted per
organisation and template, and custom pieces a partner asks for and a manager delivers as a file.

The templates are content (content/cobrand/, see its README.md); `render.py` turns one into HTML or a
PDF; the rules (downloads, requests, SLA) are in services.py; `public.py` is what other features use.
"""
from flask import Blueprint

bp = Blueprint("cobrand", __name__, url_prefix="/cobrand")

from . import rules, nav, notifications, services, demo, routes  # noqa: E402,F401
