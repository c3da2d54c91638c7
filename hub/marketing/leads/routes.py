"""Leads routes: parse -> form -> service -> render. The rules live in services.py.

A partner reaches only the leads offered to (or taken by) its own organisation and its own
referrals: anything else answers 404, on every route."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.models import PARTNER_ROLES, VENDOR_ROLES
from ... import csvexport
from ...extensions import db, htmx
from ...web import redirect_to, render, roles_required
from . import bp, forms, services
from . import referrals as referral_rules  # the view below is called `referrals`
from .models import ACCEPTED, OFFERED, POOL


@bp.app_template_global("lead_status")
def _lead_status(value: str) -> str:
    return {"pool": _("In the pool"), "offered": _("Offered"), "accepted": _("Accepted"),
            "converted": _("Registered as a deal"), "declined": _("Declined"), "returned": _("Returned unanswered"),
            "created": _("Created")}.get(value or "", value or "—")


@bp.app_template_global("lead_source")
def _lead_source(value: str) -> str:
    return forms.source_label(value)


@bp.app_template_global("referral_status")
def _referral_status(value: str) -> str:
    return forms.referral_status_label(value)


def _lead_or_404(lead_id: int):
    try:
        return services.get_lead(current_user, lead_id)
    except services.NotFound:
        abort(404)


def _show(lead, status: int = 200, **forms_given):
    """The lead page; for an htmx request aimed at the answer panel, only that panel."""
    context = {"lead": lead, "steps": services.steps(lead)}
    if current_user.is_vendor:
        context["suggestions"] = services.suggestions(lead) if lead.status == POOL else []
        offer_form = forms_given.get("offer_form") or forms.OfferForm(formdata=None)
        offer_form.set_choices(context["suggestions"])
        context["offer_form"] = offer_form
    else:
        context["answer_form"] = forms.AnswerForm(formdata=None)
        context["decline_form"] = forms_given.get("decline_form") or forms.DeclineForm(formdata=None)
        if lead.status == ACCEPTED:
            context["convert_form"] = forms_given.get("convert_form") or forms.ConvertForm.for_lead(lead)
            context["check"] = services.conflict_check(lead)
    return render("marketing/leads/show.html", block="panel", status=status, **context)


@bp.route("/")
@roles_required(*PARTNER_ROLES)
def index():
    org = current_user.organisation
    return render("marketing/leads/index.html", leads=services.partner_leads(org.id),
                  referral_partner=referral_rules.is_referral_partner(current_user))


@bp.route("/<int:lead_id>")
def show(lead_id: int):
    return _show(_lead_or_404(lead_id))


@bp.route("/<int:lead_id>/accept", methods=["POST"])
@roles_required(*PARTNER_ROLES)
def accept(lead_id: int):
    _lead_or_404(lead_id)
    form = forms.AnswerForm()
    if not form.validate():
        abort(400)
    try:
        lead = services.accept(current_user, lead_id)
    except services.NotFound:
        abort(404)
    except services.LeadError as exc:
        flash(str(exc), "error")
        return _show(_lead_or_404(lead_id), status=409)
    flash(_("You accepted the lead. Register it as a deal below."), "success")
    if htmx:
        return _show(lead)
    return redirect_to(url_for("leads.show", lead_id=lead_id))


@bp.route("/<int:lead_id>/decline", methods=["POST"])
@roles_required(*PARTNER_ROLES)
def decline(lead_id: int):
    lead = _lead_or_404(lead_id)
    form = forms.DeclineForm()
    if not form.validate():
        return _show(lead, status=422, decline_form=form)
    try:
        services.decline(current_user, lead_id, form.reason.data)
    except services.NotFound:
        abort(404)
    except services.LeadError as exc:
        flash(str(exc), "error")
        return _show(_lead_or_404(lead_id), status=409, decline_form=form)
    flash(_("You declined the lead; it went back to the vendor."), "success")
    return redirect_to(url_for("leads.index"))


@bp.route("/<int:lead_id>/deal", methods=["POST"])
@roles_required(*PARTNER_ROLES)
def convert(lead_id: int):
    lead = _lead_or_404(lead_id)
    if lead.status not in (ACCEPTED, "converted"):
        abort(409)
    form = forms.ConvertForm()
    if lead.status == ACCEPTED and not form.validate():
        return _show(lead, status=422, convert_form=form)
    try:
        done = services.convert(current_user, lead_id, product=form.product.data, amount_kopecks=form.amount.data,
                                expected_close_date=form.expected_close_date.data, inn=form.inn.data,
                                domain=form.domain.data)
    except services.NotFound:
        abort(404)
    except services.LeadError as exc:
        flash(str(exc), "error")
        return _show(_lead_or_404(lead_id), status=409, convert_form=form)
    if done.conflict:
        flash(_("The deal is registered, but this customer is already registered by another partner: "
                "the vendor's manager decides."), "warning")
    elif done.existing:
        flash(_("Your organisation had already registered this customer: the lead now links to that deal."), "info")
    else:
        flash(_("The lead is registered as a deal."), "success")
    return redirect_to(url_for("deals.show", deal_id=done.deal_id))


# --- the vendor's pool -----------------------------------------------------------------------------

@bp.route("/pool")
@roles_required(*VENDOR_ROLES)
def pool():
    return render("marketing/leads/pool.html", pool=services.pool((POOL,)), offered=services.pool((OFFERED,)),
                  taken=services.pool((ACCEPTED, "converted"), limit=50), counts=services.pool_counts())


@bp.route("/pool/new", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def new():
    form = forms.LeadForm()
    if form.is_submitted():
        if not form.validate():
            return render("marketing/leads/new.html", form=form, status=422)
        try:
            lead = services.new_lead(current_user, form.values())
        except services.LeadError as exc:
            flash(str(exc), "error")
            return render("marketing/leads/new.html", form=form, status=422)
        flash(_("The lead is in the pool."), "success")
        return redirect_to(url_for("leads.show", lead_id=lead.id))
    return render("marketing/leads/new.html", form=form)


@bp.route("/<int:lead_id>/offer", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def offer(lead_id: int):
    lead = _lead_or_404(lead_id)
    form = forms.OfferForm()
    if not form.validate():
        return _show(lead, status=422, offer_form=form)
    try:
        services.offer(current_user, lead_id, int(form.organisation_id.data))
    except services.NotFound:
        abort(404)
    except services.LeadError as exc:
        flash(str(exc), "error")
        return _show(_lead_or_404(lead_id), status=409, offer_form=form)
    flash(_("The lead is offered to the partner."), "success")
    return redirect_to(url_for("leads.show", lead_id=lead_id))


# --- referrals (D10) -------------------------------------------------------------------------------

@bp.route("/recommend", methods=["GET", "POST"])
@roles_required(*PARTNER_ROLES)
def recommend():
    if not referral_rules.is_referral_partner(current_user):
        abort(404)
    form = forms.ReferralForm()
    if form.is_submitted():
        if not form.validate():
            return render("marketing/leads/recommend.html", form=form, status=422)
        try:
            referral_rules.submit_referral(current_user, form.values())
        except services.NotFound:
            abort(404)
        except services.LeadError as exc:
            flash(str(exc), "error")
            return render("marketing/leads/recommend.html", form=form, status=422)
        flash(_("Thank you: the vendor's managers will contact the customer."), "success")
        return redirect_to(url_for("leads.referrals"))
    return render("marketing/leads/recommend.html", form=form)


@bp.route("/referrals")
@roles_required(*PARTNER_ROLES)
def referrals():
    """My referrals and the fees they earned (owed / paid): the referral partner's statement."""
    org_id = current_user.organisation_id
    items = referral_rules.referrals_of(org_id)
    return render("marketing/leads/referrals.html", referrals=items,
                  fees=referral_rules.fees_by_referral([r.id for r in items]), totals=referral_rules.fee_totals(org_id),
                  referral_partner=referral_rules.is_referral_partner(current_user))


@bp.route("/referrals/<int:referral_id>", methods=["GET", "POST"])
def referral(referral_id: int):
    try:
        item = referral_rules.get_referral(current_user, referral_id)
    except services.NotFound:
        abort(404)
    form = forms.QualifyForm() if current_user.is_vendor else None
    status = 200
    if form is not None and form.is_submitted():
        if form.validate():
            try:
                referral_rules.qualify(current_user, referral_id, form.status.data, form.amount.data, form.note.data or "")
                flash(_("The referral is updated."), "success")
                return redirect_to(url_for("leads.referral", referral_id=referral_id))
            except services.NotFound:
                abort(404)
            except services.LeadError as exc:
                flash(str(exc), "error")
                status = 409
        else:
            status = 422
        db.session.expire_all()
        item = referral_rules.get_referral(current_user, referral_id)
    fee = referral_rules.fees_by_referral([item.id]).get(item.id)
    return render("marketing/leads/referral.html", item=item, form=form, fee=fee, status=status)


@bp.route("/referrals/manage")
@roles_required(*VENDOR_ROLES)
def referral_queue():
    items = referral_rules.referrals_of()
    return render("marketing/leads/referral_queue.html", referrals=items,
                  fees=referral_rules.fees_by_referral([r.id for r in items]))


@bp.route("/referrals/report")
@roles_required(*VENDOR_ROLES)
def referral_report():
    """Referral partners' results, apart from the sales partners' deals (never in one column)."""
    return render("marketing/leads/report.html", rows=referral_rules.referral_report())


@bp.route("/referrals/report.csv")
@roles_required(*VENDOR_ROLES)
def referral_report_csv():
    return csvexport.response("referrals.csv", referral_rules.report_headers(), referral_rules.report_rows())


@bp.route("/manage")
@roles_required(*VENDOR_ROLES)
def manage():
    return redirect(url_for("leads.pool"))
