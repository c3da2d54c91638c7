"""The weekly report's "KPIs that moved" section (hub/insights/report.py): this week against the one
before, per relationship type, the figures that changed."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from ..report import ReportSection, weekly_section
from . import services
from .definitions import LABELS

MOVED = {"registered": (LABELS["deals_registered"], "count"), "won": (LABELS["won"], "count"),
         "revenue": (LABELS["revenue"], "money"), "nps": (LABELS["nps"], "nps")}


@weekly_section("insights.kpis.moved", order=20)
def kpis_that_moved(week_start: date, week_end: date) -> ReportSection | None:
    from .routes import fmt, group_label
    moves = services.weekly_moves(week_start, week_end)
    if not moves:
        return None
    rows = []
    for code, segment, last, this in moves:
        label, unit = MOVED[code]
        rows.append([str(label), str(group_label("segment", segment)), fmt(unit, last), fmt(unit, this)])
    return ReportSection(title=_l("KPIs that moved"),
                         headers=[_l("KPI"), _l("Relationship type"), _l("Week before"), _l("This week")],
                         rows=rows, note=_l("Per relationship type, never added together."),
                         link_endpoint="kpis.index")
