"""The partner funnel (SPEC I2, issue 14 points 3 and 6): every organisation's stage with its dates —
applied, qualified, onboarding (signed), first deal registered, first deal won, expanding — kept in a
read model by one durable-event listener (listeners.py), never computed by scanning deals per request;
the managers' funnel page (counts, conversion, median time in stage by cohort, relationship and partner
type, stalled organisations) and the weekly report, e-mailed once per week by the tick (weekly.py)."""
from flask import Blueprint

bp = Blueprint("funnel", __name__, url_prefix="/insights/funnel")

from . import models, rules, listeners, notifications, nav, weekly, demo, routes  # noqa: E402,F401
