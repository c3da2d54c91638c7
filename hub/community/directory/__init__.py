"""Partner directory and locator (SPEC C4): partners and managers find partner organisations and the
people who chose to be listed (who else implements in my region?); customers find, on the public
locator, the organisations that opted in, ranked on verified data only (valid certifications, tier,
deals won in the region), and write to one of them: the enquiry becomes a lead for the vendor (D6)."""
from flask import Blueprint

bp = Blueprint("directory", __name__, url_prefix="/directory")

from . import nav, listeners, demo, routes  # noqa: E402,F401
