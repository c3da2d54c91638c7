"""Key-partner care routes: parse -> form -> service -> render. The rules live in services.py.

Anything of another organisation answers 404 (services.NotFound); a visible thing the viewer may
not change answers 403 (services.Forbidden); refused input re-renders the form with the message
next to the field (422) or, for a button, a flash message."""
from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.models import PARTNER_ROLES, VENDOR_ROLES
from ...web import choice_arg, page_number, redirect_to, render, roles_required
from . import bp, forms, services


@bp.app_template_test("care_overdue")
def _overdue(item) -> bool:
    return services.is_overdue(item)


def _viewer():
    return current_user._get_current_object()


def _or_404(func, *args):
    try:
        return func(_viewer(), *args)
    except services.NotFound:
        abort(404)


# --- the partner's page and the managers' list ---------------------------------------------------

@bp.route("/")
def index():
    if current_user.is_vendor:
        at_risk_only = choice_arg("risk", ("1",)) == "1"
        scored = services.key_partner_health()
        at_risk = [s for s in scored if s.at_risk]
        page = services.health_page(at_risk if at_risk_only else scored, page_number())
        if page.page > page.pages:
            abort(404)
        return render("community/care/partners.html", page=page, at_risk_only=at_risk_only,
                      total=len(scored), at_risk_total=len(at_risk), args={"risk": "1"} if at_risk_only else {})
    return _organisation_page(current_user.organisation)


@bp.route("/partners/<int:org_id>")
def organisation(org_id: int):
    return _organisation_page(_or_404(services.visible_org, org_id))


def _organisation_page(org):
    key = services.is_key(org)
    health = services.health_of([org])[0] if key else None
    return render("community/care/organisation.html", organisation=org, key=key, health=health,
                  card=services.manager_card(org), qbrs=services.qbrs_of(org.id),
                  notes_visible=services.can_read_notes(_viewer(), org.id))


# --- QBRs ------------------------------------------------------------------------------------------

@bp.route("/partners/<int:org_id>/qbrs/new", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def qbr_new(org_id: int):
    org = _or_404(services.visible_org, org_id)
    form = forms.QbrForm()
    if request.method == "POST":
        if not form.validate():
            return render("community/care/qbr_form.html", form=form, organisation=org, status=422)
        try:
            qbr = services.schedule_qbr(_viewer(), org, form.values())
        except services.CareError as exc:
            flash(str(exc), "error")
            return render("community/care/qbr_form.html", form=form, organisation=org, status=409)
        flash(_("The review is scheduled; the partner's admins are told."), "success")
        return redirect_to(url_for("care.qbr", qbr_id=qbr.id))
    return render("community/care/qbr_form.html", form=form, organisation=org)


@bp.route("/qbrs/<int:qbr_id>/edit", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def qbr_edit(qbr_id: int):
    qbr = _or_404(services.get_qbr, qbr_id)
    if request.method == "POST":
        form = forms.QbrForm()
        if not form.validate():
            return render("community/care/qbr_form.html", form=form, organisation=qbr.organisation, qbr=qbr,
                          status=422)
        services.update_qbr(_viewer(), qbr, form.values())
        flash(_("The review is saved."), "success")
        return redirect_to(url_for("care.qbr", qbr_id=qbr.id))
    form = forms.QbrForm(formdata=None, data={"meeting_on": qbr.meeting_on, "agenda": qbr.agenda, "notes": qbr.notes})
    return render("community/care/qbr_form.html", form=form, organisation=qbr.organisation, qbr=qbr)


def _qbr_page(qbr, item_form=None, status: int = 200):
    viewer = _viewer()
    can_add = services.can_add_items(viewer, qbr.organisation_id)
    if can_add and item_form is None:
        item_form = forms.ActionItemForm(formdata=None, people=services.owners(qbr.organisation_id))
    return render("community/care/qbr.html", block="items", qbr=qbr, item_form=item_form if can_add else None,
                  notes_visible=services.can_read_notes(viewer, qbr.organisation_id), done_form=forms.DoneForm(),
                  can_tick=lambda item: services.can_tick(viewer, item), status=status)


@bp.route("/qbrs/<int:qbr_id>")
def qbr(qbr_id: int):
    return _qbr_page(_or_404(services.get_qbr, qbr_id))


@bp.route("/qbrs/<int:qbr_id>/items", methods=["POST"])
def item_new(qbr_id: int):
    qbr = _or_404(services.get_qbr, qbr_id)
    if not services.can_add_items(_viewer(), qbr.organisation_id):
        abort(403)
    form = forms.ActionItemForm(people=services.owners(qbr.organisation_id))
    if not form.validate():
        return _qbr_page(qbr, form, status=422)
    try:
        services.add_item(_viewer(), qbr, form.values())
    except services.CareError as exc:
        form.owner.errors = [str(exc)]
        return _qbr_page(qbr, form, status=422)
    flash(_("The action item is added."), "success")
    return redirect_to(url_for("care.qbr", qbr_id=qbr.id) + "#items")


@bp.route("/items/<int:item_id>/done", methods=["POST"])
def item_done(item_id: int):
    item = _or_404(services.get_item, item_id)
    form = forms.DoneForm()
    if not form.validate():
        abort(400)
    try:
        services.set_done(_viewer(), item, form.done.data == "1")
    except services.Forbidden:
        abort(403)
    qbr = services.get_qbr(_viewer(), item.qbr_id)
    if request.headers.get("HX-Request") == "true":
        return _qbr_page(qbr)
    flash(_("Marked as done.") if item.done_at else _("Marked as not done."), "success")
    return redirect_to(url_for("care.qbr", qbr_id=qbr.id) + "#items")


# --- betas -----------------------------------------------------------------------------------------

@bp.route("/betas")
def betas():
    viewer = _viewer()
    signed = set() if viewer.is_vendor else services.signed_up_betas(viewer.organisation_id)
    return render("community/care/betas.html", betas=services.betas_for(viewer), signed=signed,
                  today=services.today())


@bp.route("/betas/new", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def beta_new():
    form = forms.BetaForm()
    if request.method == "POST":
        if not form.validate():
            return render("community/care/beta_form.html", form=form, status=422)
        try:
            beta = services.publish_beta(_viewer(), form.values())
        except services.CareError as exc:
            form.signup_closes_on.errors = [str(exc)]
            return render("community/care/beta_form.html", form=form, status=422)
        flash(_("The beta is published."), "success")
        return redirect_to(url_for("care.beta", beta_id=beta.id))
    return render("community/care/beta_form.html", form=form)


def _beta_page(beta, feedback_form=None, status: int = 200):
    viewer = _viewer()
    mine = None if viewer.is_vendor else services.signup_of(beta.id, viewer.organisation_id)
    return render("community/care/beta.html", beta=beta, mine=mine, today=services.today(),
                  signups=services.signups_of(beta.id) if viewer.is_vendor else [],
                  signup_form=forms.SignupForm(),
                  feedback_form=feedback_form or forms.FeedbackForm(formdata=None,
                                                                    data={"feedback": mine.feedback if mine else ""}),
                  status=status)


@bp.route("/betas/<int:beta_id>")
def beta(beta_id: int):
    return _beta_page(_or_404(services.get_beta, beta_id))


@bp.route("/betas/<int:beta_id>/signup", methods=["POST"])
@roles_required(*PARTNER_ROLES)
def beta_signup(beta_id: int):
    item = _or_404(services.get_beta, beta_id)
    if not forms.SignupForm().validate():
        abort(400)
    try:
        services.sign_up(_viewer(), item)
    except services.Forbidden:
        abort(403)
    except services.CareError as exc:
        flash(str(exc), "error")
        return _beta_page(item, status=409)
    flash(_("Your organisation is signed up for the beta."), "success")
    return redirect_to(url_for("care.beta", beta_id=item.id))


@bp.route("/betas/<int:beta_id>/feedback", methods=["POST"])
@roles_required(*PARTNER_ROLES)
def beta_feedback(beta_id: int):
    item = _or_404(services.get_beta, beta_id)
    form = forms.FeedbackForm()
    if not form.validate():
        return _beta_page(item, form, status=422)
    try:
        services.leave_feedback(_viewer(), item, form.feedback.data)
    except services.CareError as exc:
        form.feedback.errors = [str(exc)]
        return _beta_page(item, form, status=409)
    flash(_("Thank you: your feedback is sent to the vendor."), "success")
    return redirect_to(url_for("care.beta", beta_id=item.id))


# --- announcements -------------------------------------------------------------------------------

@bp.route("/announcements")
def announcements():
    return render("community/care/announcements.html", announcements=services.announcements_for(_viewer()))


@bp.route("/announcements/new", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def announcement_new():
    form = forms.AnnouncementForm()
    if request.method == "POST":
        if not form.validate():
            return render("community/care/announcement_form.html", form=form, status=422)
        try:
            row = services.publish_announcement(_viewer(), form.values())
        except services.CareError as exc:
            form.tiers.errors = [str(exc)]
            return render("community/care/announcement_form.html", form=form, status=422)
        flash(_("The announcement is published and sent."), "success")
        return redirect_to(url_for("care.announcement", announcement_id=row.id))
    return render("community/care/announcement_form.html", form=form)


@bp.route("/announcements/<int:announcement_id>")
def announcement(announcement_id: int):
    return render("community/care/announcement.html", item=_or_404(services.get_announcement, announcement_id))


@bp.app_template_global("care_component_label")
def _component_label(key: str) -> str:
    return {"revenue": _("Revenue trend"), "certifications": _("Certifications"), "activity": _("Activity"),
            "events": _("Events attended"), "nps": _("Partner NPS"), "actions": _("Action items")}.get(key, key)


@bp.app_template_global("care_rules")
def _rules():
    return services.rules()


@bp.app_template_global("care_tiers")
def _tiers(row) -> str:
    from ...accounts.labels import tier_label
    return ", ".join(tier_label(t) for t in row.tier_list)
