"""NPS routes: parse -> form -> service -> render. The rules live in services.py."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ... import csvexport
from ...accounts.labels import partner_type_label, segment_label, tier_label
from ...accounts.models import PARTNER_ROLES, VENDOR_ROLES
from ...database import utcnow
from ...extensions import htmx
from ...web import choice_arg, redirect_to, render, roles_required
from . import bp, forms, services
from .models import AFTER_DEAL, AFTER_EVENT, AFTER_MDF, FOLLOW_UPS, RELATIONSHIP

QUESTIONS = {
    RELATIONSHIP: _l("How likely are you to recommend our partner program to a company that considers "
                     "becoming a partner?"),
    AFTER_DEAL: _l("After your recent deal decision: how likely are you to recommend our partner program to "
                   "a company that considers becoming a partner?"),
    AFTER_MDF: _l("After your recent MDF request: how likely are you to recommend our partner program to a "
                  "company that considers becoming a partner?"),
    AFTER_EVENT: _l("After the event you attended: how likely are you to recommend our partner program to a "
                    "company that considers becoming a partner?"),
}
KIND_LABELS = {RELATIONSHIP: _l("Relationship survey"), AFTER_DEAL: _l("After a deal decision"),
               AFTER_MDF: _l("After an MDF request"), AFTER_EVENT: _l("After an event")}
STATUS_LABELS = {"open": _l("Open"), "answered": _l("Answered"), "expired": _l("Expired")}
WINDOWS = {"12m": 365, "24m": 730, "all": None}
TABLES = ("tier", "segment", "partner_type", "kind", "trend")


@bp.app_template_global("nps_question")
def _question(kind: str) -> str:
    return str(QUESTIONS.get(kind, QUESTIONS[RELATIONSHIP]))


@bp.app_template_global("nps_kind")
def nps_kind(kind: str | None) -> str:
    return str(KIND_LABELS.get(kind or "", kind or ""))


@bp.app_template_global("nps_status")
def _status(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@bp.app_template_global("nps_follow_up")
def _follow_up(status: str | None) -> str:
    return forms.follow_up_label(status)


@bp.app_template_global("nps_value")
def nps_value(value) -> str:
    """An NPS as shown: signed, one decimal only when needed (+33, −12.5); a dash when nobody answered."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + format_decimal(abs(value), format="0.#")


def _label(dimension: str, key) -> str:
    if key is None:
        return _("Not set")
    return {"tier": tier_label, "segment": segment_label, "partner_type": partner_type_label,
            "kind": nps_kind}.get(dimension, str)(key) or str(key)


# --- the partner's side --------------------------------------------------------------------------

@bp.route("/")
@roles_required(*PARTNER_ROLES)
def index():
    return render("community/nps/index.html", surveys=services.my_surveys(current_user), now=utcnow())


def _own_or_404(survey_id: int):
    try:
        return services.get_own(current_user, survey_id)
    except services.NotFound:
        abort(404)


@bp.route("/<int:survey_id>", methods=["GET", "POST"])
@login_required
def answer(survey_id: int):
    survey = _own_or_404(survey_id)
    if request.method == "GET":
        return render("community/nps/answer.html", "answer", survey=survey, form=forms.AnswerForm(formdata=None),
                      open=services.is_open(survey))
    form = forms.AnswerForm()
    if not services.is_open(survey):
        message = (_("You have already answered this survey. Thank you!") if survey.status == "answered"
                   else _("This survey is closed."))
        if htmx:
            flash(message, "error")
            return redirect_to(url_for("nps.answer", survey_id=survey.id))
        return render("community/nps/answer.html", survey=survey, form=form, open=False, problem=message, status=409)
    if not form.validate():
        return render("community/nps/answer.html", "answer", survey=survey, form=form, open=True, status=422)
    try:
        survey = services.answer(current_user, survey.id, form.score.data, form.comment.data or "")
    except services.NotFound:
        abort(404)
    except services.Invalid as exc:
        for name, problem in exc.problems.items():
            getattr(form, name).errors = [problem]
        return render("community/nps/answer.html", "answer", survey=survey, form=form, open=True, status=422)
    except services.NpsError as exc:
        if htmx:
            flash(str(exc), "error")
            return redirect_to(url_for("nps.answer", survey_id=survey_id))
        return render("community/nps/answer.html", survey=_own_or_404(survey_id), form=form, open=False,
                      problem=str(exc), status=409)
    if htmx:
        return render("community/nps/answer.html", "answer", survey=survey, form=form, open=False, thanked=True)
    flash(_("Thank you for your answer!"), "success")
    return redirect_to(url_for("nps.answer", survey_id=survey.id))


# --- the managers' side --------------------------------------------------------------------------

def _filters():
    window = choice_arg("window", WINDOWS, "12m")
    by = choice_arg("by", services.PERIODS, "half")
    kind = choice_arg("kind", services.KINDS, "")
    days = WINDOWS[window]
    since = utcnow() - timedelta(days=days) if days else None
    return {"window": window, "by": by, "kind": kind}, since, ([kind] if kind else None)


@bp.route("/manage/results")
@roles_required(*VENDOR_ROLES)
def results():
    args, since, kinds = _filters()
    tables = {name: services.table(name, since, kinds=kinds) for name in ("tier", "segment", "partner_type", "kind")}
    trend = services.trend(args["by"], since, kinds=kinds)
    return render("community/nps/results.html", "results", args=args, tables=tables, trend=trend,
                  overall=services.total(tables["kind"]), label=_label, windows=WINDOWS, kinds=services.KINDS)


@bp.route("/manage/results.csv")
@roles_required(*VENDOR_ROLES)
def results_csv():
    args, since, kinds = _filters()
    name = choice_arg("table", TABLES, "tier")
    rows = services.trend(args["by"], since, kinds=kinds) if name == "trend" else services.table(name, since, kinds=kinds)
    first = {"tier": _("Tier"), "segment": _("Segment"), "partner_type": _("Partner type"), "kind": _("Survey"),
             "trend": _("Period")}[name]
    headers = [first, _("NPS"), _("Answers"), _("Promoters"), _("Passives"), _("Detractors"), _("Surveys sent"),
               _("Response rate, %")]
    body = [(row.key if name == "trend" else _label(name, row.key), row.nps, row.answered, row.promoters,
             row.passives, row.detractors, row.sent, row.rate) for row in rows]
    return csvexport.response(f"nps-{name}.csv", headers, body)


@bp.route("/manage/answers")
@roles_required(*VENDOR_ROLES)
def follow_ups():
    status = choice_arg("status", FOLLOW_UPS, "open")
    mine = choice_arg("mine", ("1",), "") == "1"
    return render("community/nps/follow_ups.html", "answers", current=status, mine=mine,
                  answers=services.follow_ups(status, current_user if mine else None), statuses=FOLLOW_UPS)


@bp.route("/manage/answers/<int:survey_id>", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def follow_up(survey_id: int):
    try:
        survey = services.get_answer(current_user, survey_id)
    except services.NotFound:
        abort(404)
    if request.method == "GET":
        form = forms.FollowUpForm(formdata=None, data={"status": survey.follow_up_status or "open",
                                                       "note": survey.follow_up_note})
        return render("community/nps/follow_up.html", survey=survey, form=form)
    form = forms.FollowUpForm()
    if not form.validate():
        return render("community/nps/follow_up.html", survey=survey, form=form, status=422)
    try:
        services.follow_up(current_user, survey.id, form.status.data, form.note.data or "")
    except services.NotFound:
        abort(404)
    except services.Invalid as exc:
        for name, problem in exc.problems.items():
            getattr(form, name).errors = [problem]
        return render("community/nps/follow_up.html", survey=survey, form=form, status=422)
    flash(_("Follow-up saved."), "success")
    return redirect_to(url_for("nps.follow_ups", status=form.status.data))
