"""Recruitment (SPEC G2, G4): the public partner application, the managers' queue that qualifies, asks,
declines or approves it (approval makes the organisation, its onboarding plan and the contact's invitation),
the vendor's target list of prospective partners, recruitment costs and the referral bonus."""
from flask import Blueprint

bp = Blueprint("recruitment", __name__, url_prefix="/recruitment")

from . import rules, events, nav, notifications, listeners, demo, routes  # noqa: E402,F401
