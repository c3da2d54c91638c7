"""Co-branded material routes: parse -> form -> service -> render. The rules live in services.py."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

from flask import abort, current_app, flash, make_response, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ... import csvexport, files
from ...accounts.models import PARTNER_ROLES, VENDOR_ROLES
from ...i18n import locale_code
from ...web import redirect_to, render, roles_required
from . import bp, catalogue, forms, render as pieces, services
from .catalogue import ASSET_TYPES
from .models import OPEN


@bp.app_template_global("cobrand_status")
def _status(value: str) -> str:
    return {"new": _("New"), "in_progress": _("In progress"), "delivered": _("Delivered"),
            "declined": _("Declined")}.get(value, value)


@bp.app_template_global("cobrand_kind")
def _kind(value: str) -> str:
    return {"one-pager": _("One-pager"), "brochure": _("Brochure"), "banner": _("E-mail banner"),
            "invitation": _("Event invitation")}.get(value, value)


@bp.app_template_global("cobrand_overdue")
def _overdue(item) -> bool:
    return services.is_overdue(item)


@bp.app_template_global("cobrand_title")
def _title(item) -> str:
    return services.title_of(item)


def _lang() -> str:
    return "en" if locale_code().startswith("en") else "ru"


def _template_or_404(slug: str) -> catalogue.Template:
    template = catalogue.get(slug)
    if template is None:
        abort(404)
    return template


def _stamp_form() -> forms.StampForm:
    if request.args:
        return forms.StampForm(formdata=request.args)
    return forms.StampForm(formdata=None, data={"lang": _lang(), **services.default_contacts(current_user)})


# The download link carries the contacts the preview validated, signed: one opaque argument `s`
# that nobody can alter (a changed or broken one gets a 400 page, never a PDF with unchecked text).
def _sign(values: dict) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(values, ensure_ascii=False, sort_keys=True).encode()).decode()
    return f"{payload}.{_mac(payload)}"


def _mac(payload: str) -> str:
    key = f"cobrand-stamp:{current_app.secret_key}".encode()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:32]


def _unsign(token: str) -> dict | None:
    payload, _dot, mac = (token or "").rpartition(".")
    if not payload or len(token) > 8000 or not hmac.compare_digest(mac, _mac(payload)):
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except (ValueError, TypeError):
        return None
    return values if isinstance(values, dict) else None


def _request_or_404(request_id: int):
    try:
        return services.get_request(current_user, request_id)
    except services.NotFound:
        abort(404)


# --- the catalogue (partners) ----------------------------------------------------------------------

@bp.route("/")
@roles_required(*PARTNER_ROLES)
def index():
    return render("marketing/cobrand/index.html", templates=list(catalogue.templates().values()), lang=_lang(),
                  requests=services.list_requests(current_user.organisation_id, limit=50))


@bp.route("/t/<slug>")
@roles_required(*PARTNER_ROLES)
def show(slug: str):
    template = _template_or_404(slug)
    form = _stamp_form()
    valid = form.validate() if request.args else True
    status = 200 if valid else 422
    preview = None
    lang = form.language()
    if valid:
        preview = pieces.fragment(template, services.stamp_for(current_user, form.contacts()), lang)
    response = render("marketing/cobrand/show.html", block="preview", status=status, piece=template, form=form,
                      preview=preview, lang=lang, download_args={"s": _sign(form.query())} if valid else {},
                      has_logo=bool(current_user.organisation.logo_sha256))
    return response  # Vary: HX-Request comes from hub/web.py for every response


@bp.route("/t/<slug>/pdf")
@roles_required(*PARTNER_ROLES)
def pdf(slug: str):
    template = _template_or_404(slug)
    if request.args:
        values = _unsign(request.args.get("s", ""))
        form = forms.StampForm(formdata=MultiDict(values)) if values is not None else None
        if form is None or not form.validate():
            return render("core/error.html", status=400, code=400,
                          message=_("This download link is not valid: open the preview again and download from there."))
    else:
        form = _stamp_form()
    lang = form.language()
    data = services.download_pdf(current_user, template, form.contacts(), lang)
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    name = f"{template.slug}-{current_user.organisation.slug}-{lang}.pdf"
    response.headers["Content-Disposition"] = files.content_disposition(name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/assets/<folder>/<name>")
def asset(folder: str, name: str):
    """The templates' stylesheets and images for the preview (nothing else under content/cobrand/)."""
    path = catalogue.asset_path(f"{folder}/{name}")
    if path is None:
        abort(404)
    response = send_file(path, mimetype=ASSET_TYPES[path.suffix.lower()], max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- custom requests (partners) --------------------------------------------------------------------

@bp.route("/requests/new", methods=["GET", "POST"])
@roles_required(*PARTNER_ROLES)
def new_request():
    if request.method == "POST":
        form = forms.RequestForm()
        if not form.validate():
            return render("marketing/cobrand/new_request.html", form=form, status=422)
        try:
            item = services.submit_request(current_user, form.values(), request.files.get("logo"))
        except files.UploadRefused as exc:
            form.logo.errors = [str(exc.message)]
            return render("marketing/cobrand/new_request.html", form=form, status=422)
        except services.CobrandError as exc:
            flash(str(exc), "error")
            return render("marketing/cobrand/new_request.html", form=form, status=422)
        flash(_("Your request is sent to the vendor's marketing team."), "success")
        return redirect_to(url_for("cobrand.show_request", request_id=item.id))
    slug = request.args.get("template", "")
    form = forms.RequestForm(formdata=None, data={"template": slug if catalogue.get(slug) else ""})
    return render("marketing/cobrand/new_request.html", form=form)


@bp.route("/requests/<int:request_id>")
def show_request(request_id: int):
    item = _request_or_404(request_id)
    return render("marketing/cobrand/request.html", item=item, decision=None, delivery=None)


@bp.route("/requests/<int:request_id>/file")
def request_file(request_id: int):
    _request_or_404(request_id)
    return files.serve(services.DELIVERY_OWNER, str(request_id))


@bp.route("/requests/<int:request_id>/logo")
def request_logo(request_id: int):
    _request_or_404(request_id)
    return files.serve(services.REQUEST_LOGO_OWNER, str(request_id))


# --- managers ----------------------------------------------------------------------------------------

@bp.route("/manage")
@roles_required(*VENDOR_ROLES)
def queue():
    return render("marketing/cobrand/queue.html", open_requests=services.list_requests(statuses=OPEN),
                  done=services.list_requests(statuses=("delivered", "declined"), limit=50),
                  per_template=services.downloads_per_template(), templates=catalogue.templates(), lang=_lang(),
                  sla_days=services.rules().sla_days)


@bp.route("/manage/requests/<int:request_id>")
@roles_required(*VENDOR_ROLES)
def manage_request(request_id: int):
    item = _request_or_404(request_id)
    return render("marketing/cobrand/request.html", item=item, decision=forms.DecisionForm(formdata=None),
                  delivery=forms.DeliverForm(formdata=None))


@bp.route("/manage/requests/<int:request_id>/decision", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def decide(request_id: int):
    item = _request_or_404(request_id)
    form = forms.DecisionForm()
    delivery = forms.DeliverForm(formdata=None)
    if not form.validate():
        return render("marketing/cobrand/request.html", item=item, decision=form, delivery=delivery, status=422)
    try:
        if form.decision.data == "in_progress":
            services.start(current_user, request_id)
        else:
            if not (form.reason.data or "").strip():
                form.reason.errors = [_("Say why the request is declined.")]
                return render("marketing/cobrand/request.html", item=item, decision=form, delivery=delivery,
                              status=422)
            services.decline(current_user, request_id, form.reason.data)
    except services.NotFound:
        abort(404)
    except services.CobrandError as exc:
        flash(str(exc), "error")
        return render("marketing/cobrand/request.html", item=_request_or_404(request_id), decision=form,
                      delivery=delivery, status=409)
    flash(_("Saved."), "success")
    return redirect_to(url_for("cobrand.manage_request", request_id=request_id))


@bp.route("/manage/requests/<int:request_id>/deliver", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def deliver(request_id: int):
    item = _request_or_404(request_id)
    form = forms.DeliverForm()
    decision = forms.DecisionForm(formdata=None)
    form.validate()
    try:
        services.deliver(current_user, request_id, request.files.get("file"))
    except files.UploadRefused as exc:
        form.file.errors = [str(exc.message)]
        return render("marketing/cobrand/request.html", item=item, decision=decision, delivery=form, status=422)
    except services.NotFound:
        abort(404)
    except services.CobrandError as exc:
        flash(str(exc), "error")
        return render("marketing/cobrand/request.html", item=_request_or_404(request_id), decision=decision,
                      delivery=form, status=409)
    flash(_("Delivered: the partner is notified."), "success")
    return redirect_to(url_for("cobrand.manage_request", request_id=request_id))


@bp.route("/manage/downloads")
@roles_required(*VENDOR_ROLES)
def downloads():
    return render("marketing/cobrand/downloads.html", rows=services.download_report(limit=500),
                  templates=catalogue.templates(), lang=_lang())


@bp.route("/manage/downloads.csv")
@roles_required(*VENDOR_ROLES)
def downloads_csv():
    templates, lang = catalogue.templates(), _lang()

    def title(slug):
        return templates[slug].title_in(lang) if slug in templates else slug
    rows = services.download_report()
    return csvexport.response("cobrand-downloads.csv",
                              [_("Template"), _("Organisation"), _("Downloads"), _("Last download")],
                              ((title(r.template), r.organisation, r.downloads, r.last_at) for r in rows))
