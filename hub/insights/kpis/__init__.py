"""Program KPIs (SPEC I1, I3, I4): the seeds' "measured like marketing" figures per period and over time,
per relationship type and per partner type (never summed together), each with its definition; the
key-partner view (concentration, tiers against the guide); the partner's own dashboard against the
medians of its tier. Served from a read model the durable events keep (listeners.py), rebuilt with
`flask --app hub worker --replay insights.kpis`."""
from flask import Blueprint

bp = Blueprint("kpis", __name__, url_prefix="/insights")

from . import rules, listeners, nav, demo, report, routes  # noqa: E402,F401
