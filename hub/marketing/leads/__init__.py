"""Leads both ways (SPEC D6, D10): the vendor's lead pool offered to partners who accept or decline
within an SLA (accepted leads become deal registrations), and referral partners' recommendations
with the referral fee they earn."""
from flask import Blueprint

bp = Blueprint("leads", __name__, url_prefix="/leads")

from . import rules, nav, notifications, listeners, jobs, demo, routes  # noqa: E402,F401
