"""MDF claim routes: the partner's claim (with proof files) and deal links, the manager's decision,
payment and closing, the proof files (served by hub.files) and the ROI pages. Rules in claims.py."""
from __future__ import annotations

import re
from decimal import Decimal

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import csvexport, files
from ...accounts.models import PARTNER_ROLES, VENDOR_ROLES
from ...extensions import db
from ...web import redirect_to, render, roles_required
from . import bp, claims, forms, roi, services
from .models import MdfClaim, MdfProof, MdfRequest

QUARTER = re.compile(r"^20[0-9]{2}-Q[1-4]$")


@bp.app_template_global("mdf_claim_status")
def _claim_status(value: str) -> str:
    return {"submitted": _("Claim filed"), "more_info": _("More proof asked"), "approved": _("Claim approved"),
            "rejected": _("Claim rejected"), "paid": _("Paid")}.get(value, value)


@bp.app_template_global("mdf_proof_kind")
def _proof_kind(value: str) -> str:
    return forms.proof_kind_label(value)


@files.owner("mdf")
def _proof_file(viewer, key: str) -> files.Served | None:
    """Proof files: "<claim id>/<name>", to the vendor's staff and the claiming organisation."""
    claim_id, _sep, name = key.partition("/")
    if not claim_id.isdigit() or len(claim_id) > 12 or not name:
        return None
    claim = db.session.get(MdfClaim, int(claim_id))
    if claim is None or not (viewer.is_vendor or claim.organisation_id == viewer.organisation_id):
        return None
    proof = db.session.scalar(db.select(MdfProof).where(MdfProof.claim_id == claim.id, MdfProof.name == name))
    if proof is None:
        return None
    return files.Served(sha256=proof.sha256, name=proof.name, content_type=proof.content_type)


def _request(request_id: int) -> MdfRequest:
    try:
        return services.get_request(current_user, request_id)
    except services.NotFound:
        abort(404)


def _claim(claim_id: int) -> MdfClaim:
    try:
        return claims.get_claim(current_user, claim_id)
    except services.NotFound:
        abort(404)


def _deal_choices(item: MdfRequest):
    return [(d.deal_id, f"#{d.deal_id} · {d.product} · {_money(d.amount_kopecks)}") for d in claims.window_deals(item)]


def _money(kopecks: int) -> str:
    from ...i18n import money
    return money(kopecks)


def _claim_page(item, form, status=200):
    return render("marketing/mdf/claim.html", item=item, form=form, rule=claims.PROOFS,
                  deadline=claims.claim_deadline(item), opens=claims.claim_opens(item),
                  attendance=claims.window_attendance(item), status=status)


_FIELD_OF = {"actual_cost": "actual_cost", "claimed": "claimed", "deals": "deals"}


@bp.route("/requests/<int:request_id>/claim", methods=["GET", "POST"])
@roles_required(*PARTNER_ROLES)
def claim(request_id: int):
    item = _request(request_id)
    choices = _deal_choices(item)
    if request.method == "GET":
        return _claim_page(item, forms.ClaimForm(formdata=None, deal_choices=choices))
    form = forms.ClaimForm(deal_choices=choices)
    if not form.validate():
        return _claim_page(item, form, status=422)
    data = claims.ClaimInput(actual_cost_kopecks=form.actual_cost.data, claimed_kopecks=form.claimed.data,
                             note=form.note.data or "", deal_ids=list(form.deals.data or []),
                             attendance=bool(form.attendance.data))
    problems = claims.check_claim(current_user, item, data)
    if problems:
        for name, message in problems.items():
            getattr(form, _FIELD_OF.get(name, "claimed")).errors = [message]
        return _claim_page(item, form, status=422)
    try:
        proofs = claims.store_proofs(form.uploads())
    except files.UploadRefused as error:
        form.file1.errors = [str(error.message)]
        return _claim_page(item, form, status=422)
    if not proofs:
        form.file1.errors = [_("Attach at least one proof file (invoice, photos, act or UPD).")]
        return _claim_page(item, form, status=422)
    try:
        claims.file_claim(current_user, request_id, data, proofs)
    except services.NotFound:
        abort(404)
    except services.MdfError as exc:
        flash(str(exc), "error")
        return _claim_page(item, form, status=409)
    flash(_("Your claim is sent to the vendor's managers."), "success")
    return redirect_to(url_for("mdf.show", request_id=request_id))


@bp.route("/claims/<int:claim_id>/proof", methods=["POST"])
@roles_required(*PARTNER_ROLES)
def more_proof(claim_id: int):
    found = _claim(claim_id)
    form = forms.MoreProofForm()
    if form.validate():
        try:
            proofs = claims.store_proofs(form.uploads())
            claims.add_proof(current_user, claim_id, proofs, form.note.data or "")
        except files.UploadRefused as error:
            flash(str(error.message), "error")
            return _show(found.request_id, proof_form=form, status=422)
        except services.NotFound:
            abort(404)
        except services.MdfError as exc:
            flash(str(exc), "error")
            return _show(found.request_id, proof_form=form, status=409)
        flash(_("The proof is added; the claim is back with the managers."), "success")
        return redirect_to(url_for("mdf.show", request_id=found.request_id))
    return _show(found.request_id, proof_form=form, status=422)


@bp.route("/requests/<int:request_id>/deals", methods=["POST"])
@roles_required(*PARTNER_ROLES)
def link_deals(request_id: int):
    item = _request(request_id)
    form = forms.LinkDealsForm(deal_choices=_deal_choices(item))
    if not form.validate():
        return _show(request_id, deals_form=form, status=422)
    try:
        claims.link_deals(current_user, request_id, list(form.deals.data or []))
    except services.NotFound:
        abort(404)
    except services.MdfError as exc:
        flash(str(exc), "error")
        return _show(request_id, deals_form=form, status=409)
    flash(_("The activity's deals are saved."), "success")
    return redirect_to(url_for("mdf.show", request_id=request_id))


@bp.route("/manage/claims/<int:claim_id>", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def decide_claim(claim_id: int):
    found = _claim(claim_id)
    form = forms.ClaimDecisionForm()
    if not form.validate():
        return _show(found.request_id, claim_form=form, status=422)
    try:
        if form.decision.data == "approve":
            claims.approve_claim(current_user, claim_id)
        else:
            if not (form.reason.data or "").strip():
                form.reason.errors = [_("Give a reason.")]
                return _show(found.request_id, claim_form=form, status=422)
            claims.send_back_claim(current_user, claim_id, form.decision.data, form.reason.data)
    except services.NotFound:
        abort(404)
    except services.MdfError as exc:
        flash(str(exc), "error")
        return _show(found.request_id, claim_form=form, status=409)
    flash(_("Decision saved."), "success")
    return redirect_to(url_for("mdf.show", request_id=found.request_id))


@bp.route("/manage/claims/<int:claim_id>/paid", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def mark_paid(claim_id: int):
    found = _claim(claim_id)
    form = forms.PaidForm()
    if not form.validate():
        return _show(found.request_id, paid_form=form, status=422)
    try:
        claims.mark_paid(current_user, claim_id, form.paid_on.data, form.reference.data)
    except services.NotFound:
        abort(404)
    except services.MdfError as exc:
        form.paid_on.errors = [str(exc)]
        return _show(found.request_id, paid_form=form, status=409)
    flash(_("Marked paid."), "success")
    return redirect_to(url_for("mdf.show", request_id=found.request_id))


@bp.route("/manage/requests/<int:request_id>/close", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def close(request_id: int):
    _request(request_id)
    form = forms.CloseForm()
    if not form.validate():
        return _show(request_id, close_form=form, status=422)
    try:
        claims.close_request(current_user, request_id, form.reason.data)
    except services.NotFound:
        abort(404)
    except services.MdfError as exc:
        flash(str(exc), "error")
        return _show(request_id, close_form=form, status=409)
    flash(_("The request is closed; the committed amount is back in the balance."), "success")
    return redirect_to(url_for("mdf.show", request_id=request_id))


def _show(request_id: int, status: int = 200, **overrides):
    """The request page with its claim section (forms for whoever may act now)."""
    item = _request(request_id)
    claim_now = claims.current_claim(item.id)
    vendor = current_user.is_vendor
    context = {
        "item": item, "claim": claim_now, "history": claims.claims_of(item.id),
        "deadline": claims.claim_deadline(item) if item.approved_kopecks else None,
        "opens": claims.claim_opens(item), "today": services.today(),
        "linked": claims.linked_deals(item.id), "rule": claims.PROOFS,
        "balance": services.balance(item.organisation_id, item.quarter),
        "form": forms.DecisionForm(formdata=None) if vendor else None,
        "claim_form": forms.ClaimDecisionForm(formdata=None) if vendor else None,
        "paid_form": forms.PaidForm(formdata=None, data={"paid_on": services.today()}) if vendor else None,
        "close_form": forms.CloseForm(formdata=None) if vendor else None,
        "proof_form": None if vendor else forms.MoreProofForm(formdata=None),
        "deals_form": None,
    }
    if not vendor and item.status in ("approved", "closed", "released"):
        linked_ids = [d.deal_id for d in context["linked"]]
        context["deals_form"] = forms.LinkDealsForm(formdata=None, deal_choices=_deal_choices(item),
                                                    data={"deals": linked_ids})
    context.update(overrides)
    return render("marketing/mdf/show.html", status=status, **context)


# --- ROI ---------------------------------------------------------------------------------------------

def _quarter_arg() -> str | None:
    value = request.args.get("quarter", "")
    return value if QUARTER.match(value) else None


def _roi_rows():
    org_id = None if current_user.is_vendor else current_user.organisation_id
    return roi.activities(org_id, _quarter_arg())


@bp.route("/roi")
@roles_required(*PARTNER_ROLES, *VENDOR_ROLES)
def roi_page():
    rows = _roi_rows()
    quarter = _quarter_arg()
    bad_quarter = bool(request.args.get("quarter")) and quarter is None
    use = roi.utilisation_by_tier(quarter) if current_user.is_vendor else roi.utilisation_of(current_user.organisation_id)
    return render("marketing/mdf/roi.html", rows=rows, total=roi.total(rows), quarter=quarter,
                  by_org=roi.rollup(rows, "organisation") if current_user.is_vendor else [],
                  by_quarter=roi.rollup(rows, "quarter"), use=use, quarters=roi.quarters(),
                  bad_quarter=bad_quarter, status=422 if bad_quarter else 200)


def _ratio(value: float | None):
    return Decimal(str(value)) if value is not None else ""


@bp.route("/roi.csv")
@roles_required(*PARTNER_ROLES, *VENDOR_ROLES)
def roi_csv():
    rows = _roi_rows()
    headers = [_("Activity"), _("Organisation"), _("Quarter"), _("MDF spent, RUB"), _("Paid, RUB"), _("Deals"),
               _("Pipeline, RUB"), _("Won, RUB"), _("Pipeline per rouble"), _("Won per rouble")]
    return csvexport.response("mdf-roi.csv", headers, (
        (r.label, r.organisation, r.quarter, csvexport.Roubles(r.spent), csvexport.Roubles(r.paid), r.deals,
         csvexport.Roubles(r.pipeline), csvexport.Roubles(r.won), _ratio(r.pipeline_per_rouble),
         _ratio(r.won_per_rouble)) for r in rows))
