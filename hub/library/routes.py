"""Library routes: parse -> service -> render. Visibility and counting live in services.py."""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import abort, flash, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from ..accounts.models import VENDOR_ROLES
from ..extensions import htmx
from ..i18n import locale_code
from ..web import choice_arg, page_number, redirect_to, render, roles_required
from . import bp, services
from .forms import ItemForm, RoiForm


@bp.app_template_global("library_value_label")
def _value_label(facet: str, value: str) -> str:
    return services.value_label(facet, value)


@bp.app_template_global("library_facet_label")
def _facet_label(facet: str) -> str:
    return str(services.FACET_LABELS[facet])


@bp.app_template_global("library_tier_label")
def _tier_label(tier: str) -> str:
    return services.tier_label(tier)


@bp.route("/")
def index():
    """Search and browse. The pushed URL (htmx) is this same address: a reload shows the full page."""
    # Facet values and the page come from the hub's own links: anything else is refused, not guessed.
    page_number()
    for facet in services.SEARCH_FACETS:
        choice_arg(facet, services.facet_values(facet))
    params = services.parse_search(request.args)
    found = services.search_library(current_user, params, locale=locale_code())
    return render("library/index.html", block="results", params=params, found=found,
                  facets=services.SEARCH_FACETS)


# --- calculators (L4) ----------------------------------------------------------------------------

ROI_DEFAULTS = MultiDict({"licences": "50", "price": "36000", "implementation": "900000", "savings": "320000"})


@bp.route("/calculators/roi")
def roi():
    """Customer ROI and payback: a full page for a plain GET, the result block for htmx."""
    form = RoiForm(formdata=request.args if request.args else ROI_DEFAULTS)
    result = services.roi(form.to_input()) if form.validate() else None
    fragment = bool(htmx) and not htmx.boosted and not htmx.history_restore_request
    return render("library/roi.html", block="roi_result", status=200 if result else 422, form=form,
                  result=result, oob=fragment)


# --- managers: create, edit, preview, usage --------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def new():
    form = ItemForm()
    if request.method == "GET":
        form.published.data = services.today()
    if form.validate_on_submit():
        item = services.save_item(None, form.to_input(), current_user)
        flash(_("Item created."), "success")
        return redirect_to(url_for("library.show", slug=item.slug))
    return render("library/edit.html", form=form, item=None, status=422 if form.errors else 200)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def edit(slug: str):
    item = services.visible_item(current_user, slug, with_files=False)
    if item is None:
        abort(404)
    form = ItemForm.from_item(item) if request.method == "GET" else ItemForm(current_slug=item.slug)
    if form.validate_on_submit():
        item = services.save_item(item, form.to_input(), current_user)
        flash(_("Item saved."), "success")
        return redirect_to(url_for("library.show", slug=item.slug))
    return render("library/edit.html", form=form, item=item, status=422 if form.errors else 200)


@bp.route("/preview/<lang>", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def preview(lang: str):
    """The sanitised HTML of the Markdown typed so far (htmx swaps it in beside the text area)."""
    if lang not in ("ru", "en"):
        abort(404)
    text = request.form.get(f"body_{lang}", "")[:50_000]
    return render("library/_preview.html", html=Markup(services.preview(text)), lang=lang)


@bp.route("/usage")
@roles_required(*VENDOR_ROLES)
def usage():
    most, least = services.usage_report()
    return render("library/usage.html", most=most, least=least)


@bp.route("/<slug>")
def show(slug: str):
    item = services.visible_item(current_user, slug)
    if item is None:
        abort(404)
    services.record_use(item, current_user, services.VIEW)
    return render("library/show.html", item=item)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(name: str) -> str:
    """attachment with a plain ASCII fallback and the exact name as RFC 5987 filename*."""
    fallback = _UNSAFE.sub("_", name).strip("._") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@bp.route("/<slug>/files/<name>")
def download(slug: str, name: str):
    found = services.visible_file(current_user, slug, name)
    if found is None:
        abort(404)
    item, file, path = found
    services.record_use(item, current_user, services.DOWNLOAD, file=file)
    response = send_file(path, mimetype=file.content_type, conditional=True, etag=file.sha256,
                         max_age=0)
    response.headers["Content-Type"] = file.content_type  # exactly as stored (send_file would add a charset)
    response.headers["Content-Disposition"] = content_disposition(file.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_filter("filesize")
def _filesize(size: int) -> str:
    from babel.numbers import format_decimal
    from flask_babel import gettext as _
    if size < 1024:
        return _("%(num)s B", num=size)
    if size < 1024 * 1024:
        return _("%(num)s KB", num=format_decimal(round(size / 1024), locale=locale_code()))
    return _("%(num)s MB", num=format_decimal(round(size / 1024 / 1024, 1), locale=locale_code()))
