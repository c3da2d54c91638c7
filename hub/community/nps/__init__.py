"""Partner NPS (SPEC C6): the relationship survey on the rules' schedule, one-question surveys after
a deal decision, an MDF decision or payment and an event; answered once; comments routed to the
account manager with their follow-up; results per tier, segment and partner type, trended."""
from flask import Blueprint

bp = Blueprint("nps", __name__, url_prefix="/nps")

from . import rules, nav, notifications, services, slots, jobs, facts, demo, routes  # noqa: E402,F401
