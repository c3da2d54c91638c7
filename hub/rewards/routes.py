"""Rewards routes: parse -> form -> service -> render. The rules live in the service modules."""
from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import csvexport
from ..accounts.models import PARTNER, Organisation
from ..database import write_intent
from ..extensions import db
from ..program import rules as program_rules
from ..forms import valid_id
from ..web import choice_arg, redirect_to, render, roles_required
from ..accounts.models import VENDOR_ROLES
from . import badges, bp, commissions, leaderboards, panels, services, terms, tiers
from .forms import (ApproveTermForm, LeaderboardForm, LineActionForm, OverrideForm, PlanTermForm, RateTermForm,
                    RevokeTermForm, metric_label, partner_type_label)
from .models import LINE_STATUSES, Badge


@bp.app_template_global("rewards_tier_name")
def _tier_name(code: str | None) -> str:
    tier = program_rules.current().tier(code or "")
    return str(tier.name) if tier else (code or "")


@bp.app_template_global("rewards_partner_type")
def _partner_type(code: str | None) -> str:
    return partner_type_label(code) if code else ""


@bp.app_template_global("rewards_metric_label")
def _metric_label(metric: str) -> str:
    return metric_label(metric)


@bp.app_template_global("rewards_badge_image")
def _badge_image(badge) -> str:
    return url_for("static", filename=f"img/badges/{badge.image}")


@bp.app_template_global("rewards_rule_label")
def _rule_label(line) -> str:
    return commissions.rule_label(line)


@bp.app_template_global("rewards_rule_name")
def _rule_name(line) -> str:
    return commissions.rule_name(line)


@bp.app_template_global("rewards_line_tier")
def _line_tier(line) -> str:
    return commissions.tier_name(line)


@bp.app_template_global("rewards_status_label")
def _status_label(status: str) -> str:
    return commissions.status_label(status)


@bp.app_template_global("rewards_period_label")
def _period_label(key: str) -> str:
    from ..i18n import locale_code
    return services.period_label(key, locale_code())


@bp.app_template_global("rewards_locale")
def _locale() -> str:
    from ..i18n import locale_code
    return locale_code()


def _organisation(org_id: int) -> Organisation:
    """A partner organisation the viewer may see: its own, or any for managers (404 otherwise)."""
    org = db.session.get(Organisation, org_id)
    if org is None or org.kind != PARTNER:
        abort(404)
    if not current_user.is_manager and org.id != current_user.organisation_id:
        abort(404)
    return org


@bp.route("/")
def index():
    if current_user.is_manager:
        return render("rewards/manager.html", overview=commissions.manager_overview(),
                      pending_terms=terms.pending_approvals())
    return render("rewards/index.html", s=panels.summary(current_user),
                  history=tiers.history(current_user.organisation_id, limit=5),
                  points=panels.point_history(current_user.organisation_id),
                  own_terms=terms.terms_of(current_user.organisation_id) if current_user.is_partner_admin else None)


@bp.route("/leaderboard")
def leaderboard():
    form = LeaderboardForm(request.args)
    form.validate()
    def ok(field):
        return field.data if field.data and not field.errors else ""
    filters = leaderboards.Filters(metric=ok(form.metric) or "revenue", period=ok(form.period) or "month",
                                   partner_type=ok(form.partner_type), region=ok(form.region), tier=ok(form.tier))
    viewer = None if current_user.is_manager else current_user.organisation_id
    result = leaderboards.board(filters, viewer_org_id=viewer)
    return render("rewards/leaderboard.html", block="board", form=form, board=result, args=filters.args())


@bp.route("/badges")
def badge_list():
    all_badges = list(db.session.scalars(select(Badge).order_by(Badge.sort_order, Badge.slug)))
    held = {}
    if current_user.is_partner:
        for award in badges.awards_of_org(current_user.organisation_id, include_people=True):
            if award.user_id in (None, current_user.id):
                held[award.badge_id] = award
    return render("rewards/badges.html", badges=all_badges, held=held)


@bp.route("/organisations/<int:org_id>/tier")
def tier(org_id: int):
    org = _organisation(org_id)
    form = OverrideForm() if current_user.is_manager else None
    return _tier_page(org, form)


def _tier_page(org, form, status=200):
    return render("rewards/tier.html", status=status, organisation=org, why=tiers.explain(org),
                  rules=program_rules.current(), history=tiers.history(org.id), form=form)


@bp.route("/organisations/<int:org_id>/tier/override", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def override(org_id: int):
    org = _organisation(org_id)
    form = OverrideForm()
    if form.validate_on_submit():
        with write_intent():
            try:
                tiers.set_override(org, form.tier.data, form.reason.data, form.until.data, current_user)
            except tiers.TierError as exc:
                db.session.rollback()
                form.until.errors = list(form.until.errors) + [str(exc)]
            else:
                db.session.commit()
                flash(_("The override is saved."), "success")
                return redirect_to(url_for("rewards.tier", org_id=org.id))
    return _tier_page(org, form, status=422)


def _statement_org(org_id: int) -> Organisation:
    org = _organisation(org_id)
    if not (current_user.is_manager or current_user.is_partner_admin):
        abort(403)
    return org


@bp.route("/organisations/<int:org_id>/statement")
def statement(org_id: int):
    org = _statement_org(org_id)
    status = choice_arg("status", LINE_STATUSES)
    return render("rewards/statement.html", block="lines", organisation=org,
                  statement=commissions.statement(org, status or None), status_filter=status,
                  action_form=LineActionForm() if current_user.is_manager else None,
                  own_terms=terms.terms_of(org.id))


@bp.route("/organisations/<int:org_id>/statement.csv")
def statement_csv(org_id: int):
    org = _statement_org(org_id)
    return csvexport.response(f"commissions-{org.slug}.csv", commissions.export_headers(),
                              commissions.export_rows(org))


@bp.route("/organisations/<int:org_id>/statement/lines", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def line_action(org_id: int):
    org = _organisation(org_id)
    form = LineActionForm()
    if not form.validate_on_submit():
        flash(_("Unknown action."), "error")
        return render("rewards/statement.html", status=422, organisation=org, statement=commissions.statement(org),
                      status_filter="", action_form=form, own_terms=terms.terms_of(org.id))
    with write_intent():
        try:
            commissions.set_status([valid_id(form.line_id.data)], form.action.data, current_user, org.id)
        except commissions.CommissionError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Line approved.") if form.action.data == "approved" else _("Line marked paid."), "success")
    return redirect_to(url_for("rewards.statement", org_id=org.id))


# --- individual terms (R5) ---------------------------------------------------------------------

@bp.app_template_global("rewards_term_text")
def _term_text(term) -> str:
    return terms.describe(term)


@bp.app_template_global("rewards_term_status")
def _term_status(status: str) -> str:
    return terms.status_label(status)


@bp.route("/organisations/<int:org_id>/terms")
def terms_page(org_id: int):
    """The organisation's individual terms: its partner admins read them; managers grant, approve
    and revoke. Another organisation's terms: 404; a partner member: 403 (as the statement)."""
    org = _statement_org(org_id)
    return _terms_page(org)


def _terms_page(org, rate_form=None, plan_form=None, status=200):
    manager = current_user.is_manager
    if manager:
        rate_form = rate_form or RateTermForm(formdata=None, prefix="rate")
        plan_form = plan_form or PlanTermForm(formdata=None, prefix="plan")
    return render("rewards/terms.html", block="terms" if request.method == "GET" else None, status=status, organisation=org,
                  own_terms=terms.terms_of(org.id), rate_form=rate_form, plan_form=plan_form,
                  revoke_form=RevokeTermForm(formdata=None) if manager else None,
                  approve_form=ApproveTermForm(formdata=None) if manager else None)


def _field_error(form, exc: "terms.TermError") -> None:
    field = getattr(form, exc.field or "", None)
    if field is None:
        field = form.reason
    field.errors = list(field.errors) + [str(exc)]


@bp.route("/organisations/<int:org_id>/terms/rate", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def grant_rate(org_id: int):
    org = _organisation(org_id)
    form = RateTermForm(prefix="rate")
    if form.validate_on_submit():
        with write_intent():
            try:
                term = terms.grant_rate(org.id, form.product.data, form.percent.data, form.valid_from.data,
                                        form.valid_to.data, form.reason.data, current_user)
            except terms.TermError as exc:
                db.session.rollback()
                _field_error(form, exc)
            else:
                db.session.commit()
                _granted(term)
                return redirect_to(url_for("rewards.terms_page", org_id=org.id))
    return _terms_page(org, rate_form=form, status=422)


@bp.route("/organisations/<int:org_id>/terms/plan", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def grant_plan(org_id: int):
    org = _organisation(org_id)
    form = PlanTermForm(prefix="plan")
    if form.validate_on_submit():
        with write_intent():
            try:
                term = terms.grant_plan(org.id, form.target.data, form.bonus.data, form.bonus_percent.data,
                                        form.valid_from.data, form.valid_to.data, form.reason.data, current_user)
            except terms.TermError as exc:
                db.session.rollback()
                _field_error(form, exc)
            else:
                db.session.commit()
                _granted(term)
                return redirect_to(url_for("rewards.terms_page", org_id=org.id))
    return _terms_page(org, plan_form=form, status=422)


def _granted(term) -> None:
    if term.status == "pending":
        flash(_("The term is saved. It goes over the threshold: it applies once a second manager approves it."),
              "info")
    else:
        flash(_("The term is granted and applies from now on."), "success")


@bp.route("/organisations/<int:org_id>/terms/<int:term_id>/approve", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def approve_term(org_id: int, term_id: int):
    org = _organisation(org_id)
    if terms.term_of(org.id, term_id) is None:
        abort(404)
    form = ApproveTermForm()
    if not form.validate_on_submit():
        abort(400)
    with write_intent():
        try:
            terms.approve(org.id, term_id, current_user)
        except terms.TermError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return _terms_page(org, status=409)
        db.session.commit()
    flash(_("The term is approved and applies from now on."), "success")
    return redirect_to(url_for("rewards.terms_page", org_id=org.id))


@bp.route("/organisations/<int:org_id>/terms/<int:term_id>/revoke", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def revoke_term(org_id: int, term_id: int):
    org = _organisation(org_id)
    if terms.term_of(org.id, term_id) is None:
        abort(404)
    form = RevokeTermForm()
    if not form.validate_on_submit():
        for error in form.reason.errors:
            flash(str(error), "error")
        return _terms_page(org, status=422)
    with write_intent():
        try:
            terms.revoke(org.id, term_id, current_user, form.reason.data)
        except terms.TermError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return _terms_page(org, status=409)
        db.session.commit()
    flash(_("The term is revoked: it no longer applies to new lines."), "success")
    return redirect_to(url_for("rewards.terms_page", org_id=org.id))
