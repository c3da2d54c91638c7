"""KPI pages: parse -> service -> render. The arithmetic lives in services.py."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import format_decimal, format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ... import csvexport
from ...accounts.labels import partner_type_label, segment_label, tier_label
from ...accounts.models import PARTNER_ROLES, VENDOR_ROLES
from ...i18n import money
from ...web import choice_arg, render, roles_required
from .. import charts
from ..charts import Series
from . import bp, services
from .definitions import DEFINITIONS, LABELS

DIMENSION_LABELS = {"segment": _l("Relationship type"), "partner_type": _l("Partner type")}
PERIOD_LABELS = {"month": _l("Month"), "quarter": _l("Quarter"), "year": _l("Year")}
TABLES = ("kpis", "trend", "concentration", "tiers", "cacp")


def fmt(unit: str, value) -> str:
    """A figure as the page shows it; a dash for "not measurable" (no deals, nobody answered)."""
    if value is None:
        return "—"
    if unit == "money":
        return money(int(value))
    if unit == "count":
        return format_number(int(value))
    if unit == "percent":
        return format_decimal(value, format="0.#") + " %"
    if unit == "days":
        return format_decimal(value, format="0.#")
    if unit == "nps":
        sign = "+" if value > 0 else ("−" if value < 0 else "")
        return sign + format_decimal(abs(value), format="0.#")
    if unit == "times":
        return format_decimal(value, format="0.0#") + "×"
    return str(value)


def group_label(dimension: str, key: str | None) -> str:
    if key is None:
        return _("Not set")
    return (segment_label if dimension == "segment" else partner_type_label)(key) or key


def _csv_value(unit: str, value):
    if unit == "money" and value is not None:
        return csvexport.Roubles(int(value))
    return value


def _picker():
    kind = choice_arg("period", services.PERIOD_KINDS, services.QUARTER)
    dimension = choice_arg("by", tuple(services.DIMENSIONS), "segment")
    at = request.args.get("at", "")
    return kind, at, dimension


def _period_nav(period: services.Period, dimension: str, endpoint: str) -> dict:
    now = services.today()
    earlier = period.previous()
    later = period.following()
    args = {"period": period.kind}
    if dimension:
        args["by"] = dimension
    return {"previous": url_for(endpoint, at=earlier.key, **args) if earlier.start.year >= services.EARLIEST_YEAR else None,
            "next": url_for(endpoint, at=later.key, **args) if later.start <= now else None}


def _trend_charts(trend: dict, dimension: str) -> list[dict]:
    labels = [p.key for p in trend["periods"]]
    out = []
    for code in services.TREND_KPIS:
        unit = services.UNITS[code]
        series = [Series(group_label(dimension, g),
                         [None if v is None else (float(v) / 100 if unit == "money" else float(v))
                          for v in trend["values"][code][g]]) for g in trend["groups"]]
        title = str(LABELS[code])
        svg = charts.line_chart(
            chart_id=f"trend-{code}", title=title,
            description=_("%(kpi)s per period, one line per %(dimension)s.", kpi=title,
                          dimension=str(DIMENSION_LABELS[dimension]).lower()),
            labels=labels, series=series,
            value_text=(lambda v: money(int(v * 100))) if unit == "money" else charts._number)
        headers = [_("Period")] + [group_label(dimension, g) for g in trend["groups"]]
        rows = [[label] + [fmt(unit, trend["values"][code][g][i]) for g in trend["groups"]]
                for i, label in enumerate(labels)]
        out.append({"code": code, "svg": svg, "caption": title, "headers": headers, "rows": rows})
    return out


def _trend_tables(trend: dict, dimension: str) -> list[dict]:
    """The KPIs without a chart, over time: a table each (period rows, group columns)."""
    labels = [p.key for p in trend["periods"]]
    headers = [_("Period")] + [group_label(dimension, g) for g in trend["groups"]]
    return [{"code": code, "caption": LABELS[code], "headers": headers,
             "rows": [[label] + [fmt(unit, trend["values"][code][g][i]) for g in trend["groups"]]
                      for i, label in enumerate(labels)]}
            for code, unit in services.KPIS if code not in services.TREND_KPIS]


@bp.route("/kpi")
@roles_required(*VENDOR_ROLES)
def index():
    kind, at, dimension = _picker()
    try:
        period = services.parse_period(kind, at)
    except services.PeriodError as error:
        return render("insights/kpis/index.html", "kpis", status=422, error=error.message, kind=kind, at=at,
                      dimension=dimension, period=None, **_static())
    found = services.page_figures(period, dimension)
    table = found["table"]
    return render("insights/kpis/index.html", "kpis", error=None, kind=kind, at=period.key, dimension=dimension,
                  period=period, table=table, cacp=found["cacp"], trend_charts=_trend_charts(found["trend"], dimension),
                  trend_tables=_trend_tables(found["trend"], dimension),
                  concentration=_concentration_figure(table), tier_figure=_tier_figure(table),
                  nav=_period_nav(period, dimension, "kpis.index"), age=found["age"],
                  csv_args={"period": kind, "at": period.key, "by": dimension}, **_static())


def _static() -> dict:
    return {"kpis": services.KPIS, "labels": LABELS, "fmt": fmt, "group_label": group_label,
            "dimension_labels": DIMENSION_LABELS, "period_labels": PERIOD_LABELS, "tier_label": tier_label,
            "guide": services.tier_guide(), "in_guide": services.in_guide, "tiers": services.TIERS}


def _concentration_rows(table) -> tuple[list, list]:
    headers = [DIMENSION_LABELS[table.dimension], _("Partners"), _("Revenue"), _("Revenue share of the top 20 %, %"),
               _("Partners that bring 80 %"), _("Partners that bring 80 %, share of all, %")]
    rows = []
    for g in table.groups:
        c = table.concentration[g]
        rows.append([group_label(table.dimension, g), table.values["partners"][g], c["total"], c["top20_share"],
                     c["make80"], c["make80_share"]])
    return headers, rows


def _concentration_figure(table) -> dict:
    headers, rows = _concentration_rows(table)
    units = ["text", "count", "money", "percent", "count", "percent"]
    svg = charts.bar_chart(
        chart_id="concentration", title=_("Revenue share of the top 20 %"),
        description=_("One bar per group, in per cent of the group's revenue; the line marks 80 %."),
        labels=[r[0] for r in rows], values=[float(r[3] or 0) for r in rows],
        value_text=lambda v: format_decimal(v, format="0.#") + " %", marks=[(80.0, "80 %")])
    return {"svg": svg, "caption": str(LABELS["concentration"]), "headers": headers,
            "rows": [[r[0]] + [fmt(u, v) for u, v in zip(units[1:], r[1:])] for r in rows]}


def _tier_rows(table) -> tuple[list, list]:
    headers = [_("Tier"), _("Guide, %")] + [group_label(table.dimension, g) + ", %" for g in table.groups]
    rows = []
    for t in services.TIERS:
        guide = services.TIER_GUIDE_TEXT.get(t) or _("the rest")
        rows.append([tier_label(t), guide] + [table.tiers[g][t][1] for g in table.groups])
    return headers, rows


def _tier_figure(table) -> dict:
    headers, rows = _tier_rows(table)
    labels, values = [], []
    for g in table.groups:
        for t in services.TIERS[:3]:
            labels.append(f"{group_label(table.dimension, g)} · {tier_label(t)}")
            values.append(float(table.tiers[g][t][1] or 0))
    svg = charts.bar_chart(
        chart_id="tiers", title=_("Partners per tier, share of the group, %"),
        description=_("Platinum, Gold and Silver shares per group; the guide is 1–3 %, 7–10 % and 15–20 %."),
        labels=labels, values=values, value_text=lambda v: format_decimal(v, format="0.#") + " %")
    return {"svg": svg, "caption": str(LABELS["tiers"]), "headers": headers,
            "rows": [[r[0], r[1]] + [_against_guide(t, v) for v in r[2:]] for t, r in zip(services.TIERS, rows)]}


def _against_guide(tier: str, value) -> str:
    """A tier's share with where it stands against the guide (above, within, below)."""
    text = fmt("percent", value)
    guide = services.TIER_GUIDE.get(tier)
    if guide is None or value is None:
        return text
    if value > guide[1]:
        return _("%(share)s, above the guide", share=text)
    if value < guide[0]:
        return _("%(share)s, below the guide", share=text)
    return _("%(share)s, within the guide", share=text)


@bp.route("/kpi.csv")
@roles_required(*VENDOR_ROLES)
def kpis_csv():
    kind, at, dimension = _picker()
    name = choice_arg("table", TABLES, "kpis")
    try:
        period = services.parse_period(kind, at)
    except services.PeriodError as error:
        return render("insights/kpis/index.html", "kpis", status=400, error=error.message, kind=kind, at=at,
                      dimension=dimension, period=None, **_static())
    filename = f"kpi-{name}-{dimension}-{period.key}.csv"
    if name == "trend":
        trend = services.trend(period, dimension)
        headers = [_("KPI"), _("Period")] + [group_label(dimension, g) for g in trend["groups"]]
        rows = [[str(LABELS[code]), p.key] + [_csv_value(unit, trend["values"][code][g][i]) for g in trend["groups"]]
                for code, unit in services.KPIS for i, p in enumerate(trend["periods"])]
        return csvexport.response(filename, headers, rows)
    table = services.kpi_table(period, dimension)
    if name == "concentration":
        headers, rows = _concentration_rows(table)
        return csvexport.response(filename, headers, [[r[0], r[1], csvexport.Roubles(r[2])] + r[3:] for r in rows])
    if name == "tiers":
        headers, rows = _tier_rows(table)
        return csvexport.response(filename, headers, rows)
    if name == "cacp":
        cacp = services.cacp(period, table, services.recruitment_costs())
        headers = [_("Period"), _("Recruitment costs")] + [
            _("Signed: %(group)s", group=group_label(dimension, g)) for g in table.groups] + [_("CACp")]
        row = [period.key, _csv_value("money", cacp["cost"])] + [cacp["signed"][g] for g in table.groups] + [
            _csv_value("money", cacp["cacp"])]
        return csvexport.response(filename, headers, [row])
    headers = [_("KPI")] + [group_label(dimension, g) for g in table.groups]
    rows = [[str(LABELS[code])] + [_csv_value(unit, table.values[code][g]) for g in table.groups]
            for code, unit in services.KPIS]
    return csvexport.response(filename, headers, rows)


@bp.route("/kpi/definitions")
@roles_required(*VENDOR_ROLES, *PARTNER_ROLES)
def definitions():
    order = [code for code, _unit in services.KPIS] + ["cacp", "concentration", "tiers"]
    return render("insights/kpis/definitions.html", items=[(code, LABELS[code], DEFINITIONS[code]) for code in order])


# --- the partner's own dashboard -----------------------------------------------------------------

@bp.route("/my")
@roles_required(*PARTNER_ROLES)
def mine():
    kind = choice_arg("period", services.PERIOD_KINDS, services.QUARTER)
    at = request.args.get("at", "")
    try:
        period = services.parse_period(kind, at)
    except services.PeriodError as error:
        return render("insights/kpis/mine.html", "mine", status=422, error=error.message, kind=kind, at=at,
                      period=None, period_labels=PERIOD_LABELS)
    board = services.dashboard(current_user.organisation_id, period)
    def own(code):
        if code == "active":
            return _("yes") if board["own"][code] else _("no")
        return fmt(services.MINE_UNITS[code], board["own"][code])
    rows = [(code, LABELS[code], own(code),
             fmt(services.MINE_UNITS[code], board["peers"][code]) if board["peers"] else None)
            for code in services.MINE]
    values = [float(board["own"]["revenue"]) / 100]
    labels = [_("Our organisation")]
    if board["peers"] and board["peers"]["revenue"] is not None:
        values.append(float(board["peers"]["revenue"]) / 100)
        labels.append(_("Median of peers in our tier"))
    svg = charts.bar_chart(chart_id="my-revenue", title=_("Revenue in the period"),
                           description=_("Our revenue beside the median of the partners of our tier."),
                           labels=labels, values=values, value_text=lambda v: money(int(v * 100)))
    figure = {"svg": svg, "caption": _("Revenue in the period"), "headers": [_("Who"), _("Revenue")],
              "rows": [[label, money(int(v * 100))] for label, v in zip(labels, values)]}
    return render("insights/kpis/mine.html", "mine", error=None, kind=kind, at=period.key, period=period,
                  board=board, rows=rows, revenue_figure=figure, tier_label=tier_label, period_labels=PERIOD_LABELS,
                  nav=_period_nav(period, "", "kpis.mine"))


@bp.route("/my.csv")
@roles_required(*PARTNER_ROLES)
def mine_csv():
    kind = choice_arg("period", services.PERIOD_KINDS, services.QUARTER)
    try:
        period = services.parse_period(kind, request.args.get("at", ""))
    except services.PeriodError as error:
        return render("insights/kpis/mine.html", "mine", status=400, error=error.message, kind=kind,
                      at=request.args.get("at", ""), period=None, period_labels=PERIOD_LABELS)
    board = services.dashboard(current_user.organisation_id, period)
    headers = [_("KPI"), _("Our organisation"), _("Median of peers in our tier")]
    rows = [[str(LABELS[code]), _csv_value(services.MINE_UNITS[code], board["own"][code]),
             _csv_value(services.MINE_UNITS[code], board["peers"][code]) if board["peers"] else None]
            for code in services.MINE]
    return csvexport.response(f"our-figures-{period.key}.csv", headers, rows)
