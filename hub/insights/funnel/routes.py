"""Funnel routes: parse -> service -> render (managers only). The rules live in services.py / weekly.py."""
from __future__ import annotations

from decimal import Decimal

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ... import csvexport
from ...accounts.labels import partner_type_label, segment_label
from ...accounts.models import PARTNER_TYPES, VENDOR_ROLES
from ...i18n import locale_code
from ...inputs import BadInput
from ...web import absolute_url, choice_arg, render, roles_required
from ..charts import bar_chart
from . import bp, services, weekly
from .rules import STAGES

STAGE_LABELS = {"applied": _l("Applied"), "qualified": _l("Qualified"), "onboarding": _l("Onboarding (signed)"),
                "first_deal": _l("First deal registered"), "first_won": _l("First deal won"),
                "expanding": _l("Expanding")}
TABLES = ("segment", "cohort", "partner_type", "stalled")
STALLED_SHOWN = 100
COHORTS_SHOWN = 12  # the page shows the latest cohorts; the CSV has every one


@bp.app_template_global("funnel_stage")
def stage_label(stage: str) -> str:
    return str(STAGE_LABELS.get(stage, stage))


@bp.app_template_global("funnel_segment")
def relationship_label(segment: str | None) -> str:
    if segment in (None, services.NO_SEGMENT):
        return _("Applicants, not signed yet")
    if segment == services.UNSET:
        return _("Relationship not set")
    return segment_label(segment) or segment


@bp.app_template_global("funnel_type")
def _type_label(key: str | None) -> str:
    return (partner_type_label(key) or key) if key else _("Not set")


def _mark() -> str:
    # Babel's formatter costs a pattern parse per call; hundreds of cells need only the decimal mark.
    return "," if locale_code().startswith("ru") else "."


@bp.app_template_global("funnel_percent")
def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", _mark()) + " %"


@bp.app_template_global("funnel_days")
def days(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", _mark())


def _filters() -> services.Filters:
    segment = choice_arg("segment", services.SEGMENT_KEYS, "")
    partner_type = choice_arg("partner_type", PARTNER_TYPES, "")
    cohort = request.args.get("cohort", "").strip()
    if cohort:
        try:
            services.check_cohort(cohort)
        except services.FunnelError:
            raise BadInput(_l("must be a month written as YYYY-MM, e.g. 2026-11."), field="cohort") from None
    return services.Filters(segment, partner_type, cohort)


def stage_headers(first: str | None = None) -> list[str]:
    lead = [first] if first else []
    return [*lead, _("Relationship"), _("Stage"), _("Reached"), _("In this stage now"),
            _("Conversion to the next stage"), _("Median days in stage")]


def stage_rows(parts: list[services.Breakdown], label=None, csv: bool = False) -> list[list]:
    rows = []
    for part in parts:
        for stat in part.stats:
            if stat.reached == 0 and stat.now == 0:
                continue
            lead = [label(part.key)] if label else []
            if csv:
                rows.append([*lead, relationship_label(part.segment), stage_label(stat.stage), stat.reached, stat.now,
                             stat.conversion, stat.median_days])
            else:
                rows.append([*lead, relationship_label(part.segment), stage_label(stat.stage), str(stat.reached),
                             str(stat.now), percent(stat.conversion), days(stat.median_days)])
    return rows


def segment_figure(part: services.Breakdown, csv_url: str) -> dict:
    labels = [stage_label(s.stage) for s in part.stats]
    values = [s.reached for s in part.stats]
    name = relationship_label(part.segment)
    svg = bar_chart(chart_id=f"funnel-{part.segment}", title=_("Funnel: %(relationship)s", relationship=name),
                    description=_("How many reached each stage: %(figures)s",
                                  figures="; ".join(f"{lab} {val}" for lab, val in zip(labels, values))),
                    labels=labels, values=values, value_text=lambda v: str(int(v)))
    headers = [_("Stage"), _("Reached"), _("In this stage now"), _("Conversion to the next stage"),
               _("Median days in stage")]
    rows = [[stage_label(s.stage), str(s.reached), str(s.now), percent(s.conversion), days(s.median_days)]
            for s in part.stats]
    return {"svg": svg, "caption": name, "headers": headers, "rows": rows, "csv_url": csv_url, "part": part}


def stalled_link(item: services.Stalled, absolute: bool = False) -> str:
    build = absolute_url if absolute else url_for
    if item.entry.organisation_id is not None:
        return build("accounts.organisation", org_id=item.entry.organisation_id)
    return build("recruitment.show", application_id=item.entry.application_id)


def _latest_cohorts(parts: list[services.Breakdown]) -> list[services.Breakdown]:
    keep = sorted({p.key for p in parts}, reverse=True)[:COHORTS_SHOWN]
    return [p for p in parts if p.key in set(keep)]


@bp.app_template_global("funnel_link")
def _absolute_link(item: services.Stalled) -> str:
    """For the e-mail: links from HUB_BASE_URL."""
    return stalled_link(item, absolute=True)


@bp.route("/")
@roles_required(*VENDOR_ROLES)
def index():
    filters = _filters()
    found = services.summary(filters)
    args = {k: v for k, v in vars(filters).items() if v}
    figures = [segment_figure(p, url_for("funnel.table_csv", table="segment", **args)) for p in found.segments]
    stalled = found.stalled
    shown = stalled[:STALLED_SHOWN]
    names = services.names_of_applications([s.entry.application_id for s in shown if s.entry.organisation_id is None])
    return render("insights/funnel/index.html", "results", filters=filters, args=args, figures=figures,
                  cohort_rows=stage_rows(_latest_cohorts(found.cohorts), label=str),
                  cohorts_shown=COHORTS_SHOWN,
                  type_rows=stage_rows(found.partner_types, label=_type_label),
                  stage_headers=stage_headers, stalled=shown, stalled_total=len(stalled), names=names,
                  stalled_link=stalled_link, segments=services.SEGMENT_KEYS, partner_types=PARTNER_TYPES,
                  type_label=_type_label, age=services.age(), cohorts=services.cohorts(), stalled_days=services.rules().stalled_days)


@bp.route("/<table>.csv")
@roles_required(*VENDOR_ROLES)
def table_csv(table: str):
    if table not in TABLES:
        abort(404)
    found = services.summary(_filters())
    if table == "segment":
        return csvexport.response("funnel-relationship.csv", stage_headers(), stage_rows(found.segments, csv=True))
    if table == "cohort":
        return csvexport.response("funnel-cohort.csv", stage_headers(_("Cohort (month signed)")),
                                  stage_rows(found.cohorts, label=str, csv=True))
    if table == "partner_type":
        return csvexport.response("funnel-partner-type.csv", stage_headers(_("Partner type")),
                                  stage_rows(found.partner_types, label=_type_label, csv=True))
    stalled = found.stalled
    names = services.names_of_applications([s.entry.application_id for s in stalled if s.entry.organisation_id is None])
    headers = [_("Organisation or applicant"), _("Relationship"), _("Partner type"), _("Stage"), _("In it since"),
               _("Days in stage"), _("Stalled after, days"), _("Link")]
    rows = [[s.entry.name or names.get(s.entry.application_id or 0, ""), relationship_label(s.entry.segment),
             _type_label(s.entry.partner_type), stage_label(s.stage), s.since.date(), s.days, s.limit,
             stalled_link(s, absolute=True)] for s in stalled]
    return csvexport.response("funnel-stalled.csv", headers, rows)


def _weekly_page(week):
    report = weekly.build(week)
    return render("insights/funnel/weekly.html", report=report, stage_headers=stage_headers,
                  stage_rows=stage_rows, stalled_link=stalled_link, type_label=_type_label,
                  weeks=weekly.sent_weeks(), stages=STAGES)


@bp.route("/weekly")
@roles_required(*VENDOR_ROLES)
def weekly_report():
    return _weekly_page(weekly.last_complete_week())


@bp.route("/weekly/<week>")
@roles_required(*VENDOR_ROLES)
def weekly_of(week: str):
    try:
        day = weekly.parse_week(week)
    except services.FunnelError:
        raise BadInput(_l("must be the Monday a week starts on (YYYY-MM-DD), not after this week."),
                       field="week") from None
    return _weekly_page(day)
