"""Recruitment routes: parse -> form -> service -> render. The rules live in services.py."""
from __future__ import annotations

import os

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..accounts.models import VENDOR_ROLES
from ..extensions import limiter
from ..i18n import locale_code
from ..program import rules as program_rules
from ..web import choice_arg, public, redirect_to, render, roles_required
from . import bp, forms, services
from . import targets as target_rules  # views below are called `targets` and `costs`
from .models import OPEN, STAGES, STATUSES


def _apply_rate() -> str:
    # Like /login: per client address. The setting APPLY_RATE_PER_ADDRESS (tests), else HUB_APPLY_RATE.
    return current_app.config.get("APPLY_RATE_PER_ADDRESS") or os.environ.get("HUB_APPLY_RATE", "10 per hour")


def _put(form, error: services.RecruitmentError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    else:
        form.form_errors.append(str(error.message))


@bp.app_template_global("recruitment_status")
def _status(value: str) -> str:
    return forms.status_label(value)


@bp.app_template_global("recruitment_stage")
def _stage(value: str) -> str:
    return forms.stage_label(value)


@bp.app_template_global("recruitment_product")
def _product(code: str) -> str:
    product = program_rules.current().product(code)
    return str(product.name) if product else code


@bp.app_template_global("recruitment_check")
def _check(value: str) -> str:
    return forms.checklist_label(value)


# --- public: the application and the applicant's answer ------------------------------------------------

@bp.route("/apply", methods=["GET", "POST"])
@public
@limiter.limit(_apply_rate, methods=["POST"])
def apply():
    form = forms.ApplicationForm()
    if request.method == "GET":
        ref = (request.args.get("ref") or "").strip()[:80]
        if ref and services.referrer_for(ref) is not None:
            form.referrer.data = ref
        return render("recruitment/apply.html", block="apply_form", form=form)
    if form.validate():
        if form.nickname.data:
            # A bot filled the hidden field: answer as if all went well, keep nothing.
            current_app.logger.info("recruitment: honeypot filled, application dropped")
            return redirect_to(url_for("recruitment.thanks"))
        try:
            services.submit(form.values(), referrer=services.referrer_for(form.referrer.data),
                            locale=locale_code())
        except services.RecruitmentError as exc:
            _put(form, exc)
        else:
            return redirect_to(url_for("recruitment.thanks"))
    return render("recruitment/apply.html", block="apply_form", form=form, status=422)


@bp.route("/apply/thanks")
@public
def thanks():
    return render("recruitment/thanks.html")


@bp.route("/apply/answer/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_apply_rate, methods=["POST"])
def answer(token: str):
    try:
        application = services.by_token(token)
    except services.NotFound as exc:
        return render("recruitment/answer.html", problem=exc.message, status=404)
    form = forms.AnswerForm()
    if request.method == "POST":
        if form.validate():
            try:
                services.answer(token, form.answer.data)
            except services.NotFound as exc:
                return render("recruitment/answer.html", problem=exc.message, status=404)
            except services.RecruitmentError as exc:
                _put(form, exc)
            else:
                return redirect_to(url_for("recruitment.thanks", answered=1))
        return render("recruitment/answer.html", application=application, form=form, status=422)
    return render("recruitment/answer.html", application=application, form=form)


# --- managers: the queue and decisions ------------------------------------------------------------------

@bp.route("/")
@roles_required(*VENDOR_ROLES)
def queue():
    status = choice_arg("status", STATUSES, "submitted")
    return render("recruitment/queue.html", block="applications", current=status, statuses=STATUSES,
                  counts=services.counts(), applications=services.listing(status))


def _application_or_404(application_id: int):
    try:
        return services.get(current_user, application_id)
    except services.NotFound:
        abort(404)


def _show(application, status: int = 200, **forms_given):
    context = {"qualify_form": forms.QualifyForm(formdata=None), "ask_form": forms.ReasonForm(formdata=None, prefix="ask"),
               "decline_form": forms.ReasonForm(formdata=None, prefix="decline"),
               "approve_form": forms.ApproveForm(formdata=None, data={"segment": services.rules().new_partner_segment})}
    context.update(forms_given)
    return render("recruitment/show.html", application=application, open_statuses=OPEN, status=status, **context)


@bp.route("/applications/<int:application_id>")
@roles_required(*VENDOR_ROLES)
def show(application_id: int):
    return _show(_application_or_404(application_id))


@bp.route("/applications/<int:application_id>/<step>", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def decide(application_id: int, step: str):
    if step not in ("qualify", "ask", "decline", "approve"):
        abort(404)
    application = _application_or_404(application_id)
    manager = current_user._get_current_object()
    if step == "qualify":
        form = forms.QualifyForm()
        name = "qualify_form"
    elif step == "approve":
        form = forms.ApproveForm()
        name = "approve_form"
    else:
        form = forms.ReasonForm(prefix=step)
        name = f"{step}_form"
    if not form.validate():
        return _show(application, 422, **{name: form})
    try:
        if step == "qualify":
            services.qualify(manager, application_id, form.checklist.data or [])
            flash(_("The application is qualified."), "success")
        elif step == "ask":
            services.ask(manager, application_id, form.reason.data)
            flash(_("Your question is sent to the applicant."), "success")
        elif step == "decline":
            services.decline(manager, application_id, form.reason.data)
            flash(_("The application is declined; the applicant is told why."), "success")
        else:
            result = services.approve(manager, application_id, form.segment.data)
            if result.invited:
                flash(_("Approved: %(org)s is a partner now and its contact is invited.", org=result.organisation.name),
                      "success")
            else:
                flash(_("Approved: %(org)s is a partner now, but no invitation was sent: %(problem)s",
                        org=result.organisation.name, problem=result.problem), "warning")
    except services.NotFound:
        abort(404)
    except services.RecruitmentError as exc:
        if exc.field and getattr(form, exc.field, None) is not None:
            _put(form, exc)
            return _show(_application_or_404(application_id), 422, **{name: form})
        flash(exc.message, "error")
        return _show(_application_or_404(application_id), 409)
    return redirect_to(url_for("recruitment.show", application_id=application_id))


# --- managers: targets and costs ----------------------------------------------------------------------

@bp.route("/targets", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def targets():
    stage = choice_arg("stage", STAGES, "")
    form = forms.TargetForm(formdata=request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                target_rules.save_target(current_user, form.values())
            except services.RecruitmentError as exc:
                _put(form, exc)
            else:
                flash(_("Target saved."), "success")
                return redirect_to(url_for("recruitment.targets"))
        status = 422
    return render("recruitment/targets.html", form=form, import_form=forms.ImportForm(formdata=None), status=status,
                  stage=stage, stages=STAGES, counts=target_rules.stage_counts(), targets=target_rules.targets(stage or None))


@bp.route("/targets/<int:target_id>", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def target(target_id: int):
    try:
        item = target_rules.get_target(current_user, target_id)
    except services.NotFound:
        abort(404)
    if request.method == "POST":
        form = forms.TargetForm()
        if form.validate():
            try:
                target_rules.save_target(current_user, form.values(), target_id)
            except services.NotFound:
                abort(404)
            except services.RecruitmentError as exc:
                _put(form, exc)
            else:
                flash(_("Target saved."), "success")
                return redirect_to(url_for("recruitment.targets"))
        return render("recruitment/target.html", item=item, form=form, status=422)
    form = forms.TargetForm(formdata=None, obj=item)
    return render("recruitment/target.html", item=item, form=form)


@bp.route("/targets/import", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def import_targets():
    form = forms.ImportForm()
    result = None
    if form.validate():
        data = form.file.data.read(2 * 1024 * 1024 + 1)
        if len(data) > 2 * 1024 * 1024:
            form.file.errors = [_("The file is larger than 2 MB.")]
        else:
            result = target_rules.import_targets(current_user, data)
            if result.created:
                flash(ngettext("%(num)s target imported.", "%(num)s targets imported.", result.created), "success")
                return redirect_to(url_for("recruitment.targets"))
    return render("recruitment/targets.html", form=forms.TargetForm(formdata=None), import_form=form,
                  result=result, status=422, stage="", stages=STAGES, counts=target_rules.stage_counts(),
                  targets=target_rules.targets())


@bp.route("/costs", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def costs():
    if request.method == "POST":
        form = forms.CostForm()
    else:
        form = forms.CostForm(formdata=None, data={"period": target_rules.quarter_now()})
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                target_rules.add_cost(current_user, form.period.data, form.campaign.data, form.amount.data,
                                  form.note.data or "")
            except services.RecruitmentError as exc:
                _put(form, exc)
            else:
                flash(_("Cost saved."), "success")
                return redirect_to(url_for("recruitment.costs"))
        status = 422
    return render("recruitment/costs.html", form=form, status=status, costs=target_rules.costs(),
                  totals=target_rules.cost_totals())
