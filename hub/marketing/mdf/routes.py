"""MDF routes: parse -> form -> service -> render. The rules live in services.py."""
from __future__ import annotations

import re

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.models import VENDOR_ROLES, Organisation, PARTNER_ROLES
from ...extensions import db
from ...web import choice_arg, page_number, redirect_to, render, roles_required
from . import bp, forms, services
from .models import APPROVED, CHANGES, DECLINED, OPEN

QUEUE_LISTS = ("requests", "claims", "decided")
QUEUE_OVERVIEW_ROWS = 20  # the overview's rows per list; "all" opens the list page by page
QUEUE_PER_PAGE = 50
DECIDED = (APPROVED, DECLINED, CHANGES)

QUARTER = re.compile(r"^20[0-9]{2}-Q[1-4]$")


@bp.app_template_global("mdf_activity")
def _activity(value: str) -> str:
    return forms.activity_label(value)


@bp.app_template_global("mdf_status")
def _status(value: str) -> str:
    return {"submitted": _("Submitted"), "awaiting_second": _("Awaiting a second approver"),
            "changes_requested": _("Changes asked"), "approved": _("Approved"),
            "declined": _("Declined"), "closed": _("Closed"), "released": _("Released")}.get(value, value)


@bp.app_template_global("mdf_kind")
def _kind(value: str) -> str:
    return {"credit": _("Allocation"), "commit": _("Committed"), "payable": _("Payable"), "paid": _("Paid"),
            "release": _("Released"), "expire": _("Expired"), "adjust": _("Adjustment")}.get(value, value)


@bp.app_template_global("mdf_reason")
def _reason(entry) -> str:
    """The hub's own reasons are stored as fixed keys and shown in the reader's language; a manager's
    adjustment reason is shown as written; an accrued credit says how it was computed."""
    accrual = services.Accrual.parse(entry.reason)
    if accrual is not None:
        return _accrual_text(accrual)
    return {"tier allocation": _("the tier's allocation"), "quarter ended": _("the quarter ended"),
            "approved": _("request approved"), "claim approved": _("claim approved"),
            "claim paid": _("claim paid"), "request closed": _("request closed"),
            "claim deadline passed": _("the claim deadline passed")}.get(entry.reason or "", entry.reason or "")


@bp.app_template_global("mdf_accrual")
def _accrual_text(accrual) -> str:
    from ...i18n import money
    from ...program import rules as program_rules
    tier = program_rules.current().tier(accrual.tier)
    text = _("%(percent)s %% of deal #%(deal)s won for %(amount)s (tier %(tier)s)", percent=accrual.percent,
             deal=accrual.deal_id, amount=money(accrual.won_kopecks), tier=str(tier.name) if tier else accrual.tier)
    return text


def _request_or_404(request_id: int):
    try:
        return services.get_request(current_user, request_id)
    except services.NotFound:
        abort(404)


@bp.route("/")
@roles_required(*PARTNER_ROLES)
def index():
    org = current_user.organisation
    services.credit_now(org, services.quarter_of(services.today()))
    return render("marketing/mdf/index.html", balances=services.balances(org.id),
                  requests=services.list_requests(org.id), allocation=services.allocation_rule(org))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*PARTNER_ROLES)
def new():
    form = forms.RequestForm()
    if request.method == "POST":
        if not form.validate():
            return render("marketing/mdf/new.html", form=form, status=422)
        try:
            created = services.submit(current_user, form.values())
        except services.MdfError as exc:
            flash(str(exc), "error")
            return render("marketing/mdf/new.html", form=form, status=422)
        flash(_("Your request is sent to the vendor's managers."), "success")
        return redirect_to(url_for("mdf.show", request_id=created.id))
    return render("marketing/mdf/new.html", form=form)


@bp.route("/requests/<int:request_id>")
def show(request_id: int):
    from .claim_routes import _show
    return _show(request_id)


@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
@roles_required(*PARTNER_ROLES)
def edit(request_id: int):
    item = _request_or_404(request_id)
    if item.status != CHANGES:
        abort(409)
    if request.method == "POST":
        form = forms.RequestForm()
        if not form.validate():
            return render("marketing/mdf/new.html", form=form, item=item, status=422)
        try:
            services.resubmit(current_user, request_id, form.values())
        except services.NotFound:
            abort(404)
        except services.MdfError as exc:
            flash(str(exc), "error")
            return render("marketing/mdf/new.html", form=form, item=item, status=409)
        flash(_("Your request is sent again."), "success")
        return redirect_to(url_for("mdf.show", request_id=request_id))
    form = forms.RequestForm(formdata=None, data={
        "activity": item.activity, "title": item.title, "starts_on": item.starts_on, "ends_on": item.ends_on,
        "share_percent": item.share_percent, "expected_leads": item.expected_leads})
    return render("marketing/mdf/new.html", form=form, item=item)


@bp.route("/manage")
@roles_required(*VENDOR_ROLES)
def queue():
    """The managers' three lists: the first rows of each, or one of them in full, page by page."""
    from . import claims
    show = choice_arg("show", QUEUE_LISTS)
    number = page_number()
    if not show and number != 1:
        abort(404)
    per_page = QUEUE_PER_PAGE if show else QUEUE_OVERVIEW_ROWS
    lists = {"requests": lambda: services.requests_page(OPEN, number, per_page),
             "claims": lambda: claims.queue_page(number, per_page),
             "decided": lambda: services.requests_page(DECIDED, number, per_page)}
    pages = {name: build() for name, build in lists.items() if show in ("", name)}
    if show and number > pages[show].pages:
        abort(404)
    return render("marketing/mdf/queue.html", show=show, pages=pages)


@bp.route("/manage/requests/<int:request_id>", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def review(request_id: int):
    item = _request_or_404(request_id)
    form = forms.DecisionForm()
    from .claim_routes import _show
    if not form.validate():
        return _show(item.id, form=form, status=422)
    try:
        if form.decision.data == "approve":
            services.approve(current_user, request_id)
        elif form.decision.data == "partial":
            if form.amount.data is None:
                form.amount.errors = [_("Enter the approved amount.")]
                raise services.MdfError(_("Enter the approved amount."))
            services.approve(current_user, request_id, form.amount.data)
        else:
            services.send_back(current_user, request_id, form.decision.data, form.reason.data or "")
    except services.NotFound:
        abort(404)
    except services.MdfError as exc:
        flash(str(exc), "error")
        return _show(request_id, form=form, status=409)
    flash(_("Decision saved."), "success")
    return redirect_to(url_for("mdf.show", request_id=request_id))


@bp.route("/manage/organisations/<int:organisation_id>", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def ledger(organisation_id: int):
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        abort(404)
    form = forms.AdjustForm(formdata=request.form if request.method == "POST" else None,
                            data={"quarter": services.quarter_of(services.today()), "token": forms.AdjustForm.new_token()})
    status = 200
    if request.method == "POST":
        if form.validate():
            if not QUARTER.match(form.quarter.data or ""):
                form.quarter.errors = [_("A quarter such as 2026-Q4.")]
            else:
                amount = form.amount.data * (-1 if form.direction.data == "remove" else 1)
                try:
                    services.adjust(current_user, org.id, form.quarter.data, amount, form.reason.data,
                                    token=form.token.data)
                    flash(_("Adjustment saved."), "success")
                    return redirect_to(url_for("mdf.ledger", organisation_id=org.id))
                except services.MdfError as exc:
                    flash(str(exc), "error")
        status = 422
        if form.token.errors:  # a form without its token (or a forged one): a fresh one to send again
            form.token.data = forms.AdjustForm.new_token()
            flash(_("This form is out of date: check it and send it again."), "error")
    return render("marketing/mdf/ledger.html", org=org, form=form, status=status,
                  balances=services.balances(org.id), entries=services.entries(org.id),
                  requests=services.list_requests(org.id))
