"""Deal routes: parse -> form -> service -> render. The rules live in services.py."""
from __future__ import annotations

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import csvexport
from ..accounts.models import PARTNER_ROLES, VENDOR_ROLES
from ..extensions import db, htmx, limiter
from ..web import page_number, redirect_to, refuse_invalid, render, roles_required, safe_next
from . import bp, services
from .forms import (ApproveForm, CheckCustomerForm, DealFilterForm, ExtensionDecisionForm, ExtensionRequestForm,
                    LostForm, RegisterDealForm, RejectForm, WonForm)
from .models import Deal
from ..normalize import display_domain

PER_PAGE = 25
CHECK = "check"  # the register form's "check the customer" button


@bp.app_template_global("deal_product_name")
def _product_name(code: str) -> str:
    return services.product_name(code)


@bp.app_template_global("deal_region_name")
def _region_name(code: str) -> str:
    return services.region_name(code)


@bp.app_template_global("deal_status_label")
def _status_label(status: str) -> str:
    return services.status_label(status)


@bp.app_template_global("deal_sla_text")
def _sla_text(item) -> str:
    return services.sla_text(item)


@bp.app_template_global("deal_action_label")
def _action_label(action: str) -> str:
    return services.action_label(action)


@bp.app_template_global("deal_conflict_blocks")
def _conflict_blocks(deal) -> bool:
    return services.conflict_blocks(deal)


@bp.app_template_global("deal_display_domain")
def _display_domain(value: str | None) -> str:
    return display_domain(value)


@bp.app_template_global("deal_matched_labels")
def _matched_labels(kinds: list[str]) -> str:
    names = {"name": _("company name"), "inn": _("INN"), "domain": _("web domain")}
    return ", ".join(names[k] for k in kinds if k in names)


@bp.app_template_filter("deal_isodate")
def _isodate(value: str | None):
    from datetime import date
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- lists -------------------------------------------------------------------------------------

def _filters() -> tuple[DealFilterForm, services.DealFilters]:
    form = DealFilterForm(request.args)
    form.validate()
    return form, form.to_filters(current_user.is_manager)


@bp.route("/")
def index():
    form, filters = _filters()
    page = services.list_deals(current_user, filters, page_number(), PER_PAGE, tz=current_user.timezone)
    return render("deals/index.html", block="results", form=form, page=page, args=filters.as_args())


@bp.route("/export.csv")
@roles_required(*VENDOR_ROLES)
def export():
    form, filters = _filters()
    refuse_invalid(form)  # before streaming starts: an error later would cut the file off
    return csvexport.response("deals.csv", services.export_headers(),
                              services.export_rows(current_user, filters, tz=current_user.timezone))


@bp.route("/queue")
@roles_required(*VENDOR_ROLES)
def queue():
    page = services.manager_queue(page_number(), PER_PAGE)
    return render("deals/queue.html", block="queue", page=page, reject_form=RejectForm(),
                  approve_form=ApproveForm(), decision_form=ExtensionDecisionForm())


# --- registering -------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@roles_required(*PARTNER_ROLES)
def new():
    form = RegisterDealForm()
    if request.method == "POST" and request.form.get("action") == CHECK:
        # "Check the customer" without JavaScript: the same form comes back with what was typed and
        # the conflict check's answer; nothing is validated or saved yet.
        check = services.check_customer(form.customer_name.data, form.inn.data, form.domain.data,
                                        current_user.organisation_id)
        return render("deals/new.html", form=form, check=check)
    if request.method == "POST":
        duplicate = None
        if form.validate():
            try:
                deal = services.register_deal(current_user, form.to_input())
            except services.DuplicateRegistration as exc:
                duplicate = exc.deal_id
            except services.DealError as exc:
                flash(str(exc), "error")
            else:
                if deal.is_conflict:
                    flash(_("Deal registered, but this customer is already registered by another "
                            "registration: it is kept as a conflict for the channel manager to decide."), "warning")
                else:
                    flash(_("Deal registered. The customer is held for you while the channel manager "
                            "decides (protection pending)."), "success")
                return redirect_to(url_for("deals.show", deal_id=deal.id))
        check = services.check_customer(form.customer_name.data, form.inn.data, form.domain.data,
                                        current_user.organisation_id)
        # 422 like every refused form: htmx swaps it in (hx-boost), a 409 it would not.
        return render("deals/new.html", form=form, check=check, duplicate=duplicate, status=422)
    return render("deals/new.html", form=form, check=services.CheckResult())


@bp.route("/new/field/<name>")
@roles_required(*PARTNER_ROLES)
def validate_field(name: str):
    """Inline validation of one register-form field (htmx, on change)."""
    form = RegisterDealForm(request.args, meta={"csrf": False})
    if name not in form or name == "csrf_token":
        abort(404)
    filled = name in form.input_problems or any(form[name].raw_data or ())
    ok = form.validate_one(name) if filled else True
    return render_template("deals/_register_field.html", form=form, name=name), 200 if ok else 422


@bp.route("/check")
@limiter.limit("600 per minute")
def check():
    """The live conflict check (htmx block), also a plain page of its own."""
    form = CheckCustomerForm(request.args)
    result = services.check_customer(form.customer_name.data, form.inn.data, form.domain.data,
                                     None if current_user.is_manager else current_user.organisation_id)
    return render("deals/check.html", block="conflict_status", form=form, check=result)


# --- one deal ----------------------------------------------------------------------------------

def _deal_or_404(deal_id: int) -> Deal:
    deal = services.visible_deal(current_user, deal_id)
    if deal is None:
        abort(404)
    return deal


def _forms(deal: Deal, actions: set[str], **given) -> dict:
    forms = {
        services.APPROVE: ApproveForm, services.REJECT: RejectForm, services.MARK_WON: WonForm,
        services.MARK_LOST: LostForm, services.REQUEST_EXTENSION: ExtensionRequestForm,
        services.DECIDE_EXTENSION: ExtensionDecisionForm,
    }
    built = {}
    for action in actions:
        if action in given:
            built[action] = given[action]
        elif action == services.MARK_WON:
            form = WonForm(formdata=None, deal=deal)
            form.final_amount.data = deal.amount_kopecks
            form.closed_on.data = services.program_today()
            built[action] = form
        else:
            built[action] = forms[action](formdata=None)
    return built


def _show(deal: Deal, status: int = 200, **given_forms):
    actions = services.available_actions(current_user, deal)
    conflict_holder = None
    if deal.conflict_with_id:
        conflict_holder = db.session.get(Deal, deal.conflict_with_id)
    sla = services.queue_item(deal) if (deal.status == services.SUBMITTED or services.extension_pending(deal)) else None
    return render("deals/show.html", deal=deal, actions=actions, forms=_forms(deal, actions, **given_forms),
                  timeline=services.timeline(deal), conflict_holder=conflict_holder, sla=sla,
                  status=status)


@bp.route("/<int:deal_id>")
def show(deal_id: int):
    return _show(_deal_or_404(deal_id))


def _queue_row(deal: Deal, status: int = 200, message: str | None = None, form=None):
    """The manager's queue row after an inline (htmx) action."""
    db.session.refresh(deal)
    item = services.queue_item(deal)
    body = render_template("deals/_queue_row.html", item=item, message=message,
                           done=deal.status != services.SUBMITTED and not services.extension_pending(deal),
                           reject_form=form if isinstance(form, RejectForm) else RejectForm(formdata=None),
                           approve_form=ApproveForm(formdata=None), decision_form=ExtensionDecisionForm(formdata=None))
    return body, status


def _act(deal_id: int, action: str, form, perform, done_message):
    """`form` is the action's form, or a function building it for the deal (its rules depend on it)."""
    deal = _deal_or_404(deal_id)
    if not services.role_allows(current_user, action, deal):
        abort(403)
    if callable(form) and not hasattr(form, "validate"):
        form = form(deal)
    in_queue = bool(htmx) and htmx.target == f"queue-row-{deal.id}"
    if not form.validate():
        if in_queue:
            return _queue_row(deal, 422, form=form)
        return _show(deal, status=422, **{action: form})
    try:
        perform(deal, form)
    except services.NotPermitted:
        abort(403)
    except services.DealError as exc:
        if in_queue:
            return _queue_row(deal, 422, message=str(exc), form=form)
        flash(str(exc), "error")
        return redirect_to(url_for("deals.show", deal_id=deal_id))
    message = done_message(deal)
    if in_queue:
        return _queue_row(deal, message=message)
    flash(message, "success")
    return redirect_to(safe_next(request.form.get("next"), url_for("deals.show", deal_id=deal_id)))


@bp.route("/<int:deal_id>/approve", methods=["POST"])
def approve(deal_id: int):
    return _act(deal_id, services.APPROVE, ApproveForm(),
                lambda deal, form: services.approve(deal, current_user),
                lambda deal: _("Approved: «%(customer)s» is protected until %(date)s.",
                               customer=deal.customer_name, date=services.date_text(deal.protected_until)))


@bp.route("/<int:deal_id>/reject", methods=["POST"])
def reject(deal_id: int):
    return _act(deal_id, services.REJECT, RejectForm(),
                lambda deal, form: services.reject(deal, current_user, form.reason.data),
                lambda deal: _("Rejected: «%(customer)s».", customer=deal.customer_name))


@bp.route("/<int:deal_id>/won", methods=["POST"])
def won(deal_id: int):
    return _act(deal_id, services.MARK_WON, lambda deal: WonForm(deal=deal),
                lambda deal, form: services.mark_won(deal, current_user, form.final_amount.data,
                                                     form.closed_on.data),
                lambda deal: _("Marked won: «%(customer)s».", customer=deal.customer_name))


@bp.route("/<int:deal_id>/lost", methods=["POST"])
def lost(deal_id: int):
    return _act(deal_id, services.MARK_LOST, LostForm(),
                lambda deal, form: services.mark_lost(deal, current_user, form.lost_reason.data),
                lambda deal: _("Marked lost: «%(customer)s».", customer=deal.customer_name))


@bp.route("/<int:deal_id>/extension", methods=["POST"])
def extension(deal_id: int):
    return _act(deal_id, services.REQUEST_EXTENSION, ExtensionRequestForm(),
                lambda deal, form: services.request_extension(deal, current_user, form.extension_reason.data),
                lambda deal: _("Extension requested. The channel manager will decide."))


@bp.route("/<int:deal_id>/extension/decision", methods=["POST"])
def extension_decision(deal_id: int):
    return _act(deal_id, services.DECIDE_EXTENSION, ExtensionDecisionForm(),
                lambda deal, form: services.decide_extension(deal, current_user, form.decision.data == "grant"),
                lambda deal: (_("Extension granted: protected until %(date)s.",
                                date=services.date_text(deal.protected_until))
                              if deal.extension_decision == services.GRANTED else _("Extension refused.")))
