"""Library routes: parse -> service -> render. Visibility and counting live in services.py."""
from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from .. import files
from ..accounts.models import VENDOR_ROLES
from ..extensions import htmx
from ..i18n import locale_code
from ..web import choice_arg, page_number, redirect_to, render, roles_required
from . import bp, services
from .forms import AttachmentForm, ItemForm, RoiForm


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


@files.owner("library")
def _library_file(viewer, key: str) -> files.Served | None:
    """Library files: "<slug>/<name>", to whoever may see the item (tier rule); a download counts."""
    slug, _sep, name = key.partition("/")
    found = services.visible_file(viewer, slug, name) if name else None
    if found is None:
        return None
    item, file = found
    return files.Served(sha256=file.sha256, name=file.name, content_type=file.content_type,
                        on_served=lambda: services.record_use(item, viewer, services.DOWNLOAD, file=file))


@bp.route("/<slug>/files/<name>")
def download(slug: str, name: str):
    """The library's own address for its files; served by hub.files under the library's rule."""
    return files.serve("library", f"{slug}/{name}")


# --- managers: the files of an item created in the hub ----------------------------------------------

def _managed_item(slug: str):
    item = services.visible_item(current_user, slug)
    if item is None:
        abort(404)
    return item


def _file_forms(item, failed_id: int | None = None, failed=None):
    forms = {}
    for file in item.files:
        if failed is not None and file.id == failed_id:
            forms[file.id] = failed
        else:
            forms[file.id] = AttachmentForm(prefix=f"f{file.id}", formdata=None, obj=file)
    return forms


def _files_page(item, add_form=None, failed_id=None, failed=None, status=200):
    return render("library/files.html", item=item, add_form=add_form or AttachmentForm(prefix="new", formdata=None),
                  file_forms=_file_forms(item, failed_id, failed), rule=services.ATTACHMENTS,
                  can_manage=services.can_manage_files(item), status=status)


def _not_here(item):
    flash(_("This item's files come from content/library/%(slug)s; change them there.", slug=item.slug), "error")
    return redirect_to(url_for("library.files_page", slug=item.slug))


def _upload_error(form, error) -> None:
    form.file.errors = list(form.file.errors or []) + [str(error.message)]


@bp.route("/<slug>/files", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def files_page(slug: str):
    item = _managed_item(slug)
    if request.method == "GET":
        return _files_page(item)
    form = AttachmentForm(prefix="new")
    if not services.can_manage_files(item):
        return _not_here(item)
    if form.validate():
        try:
            row = services.add_file(item, form.file.data, form.to_input(), current_user)
        except files.UploadRefused as error:
            _upload_error(form, error)
        else:
            flash(_("File %(name)s added.", name=row.name), "success")
            return redirect_to(url_for("library.files_page", slug=item.slug))
    return _files_page(item, add_form=form, status=422)


@bp.route("/<slug>/files/<int:file_id>/update", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def update_file(slug: str, file_id: int):
    item = _managed_item(slug)
    file = services.item_file(item, file_id)
    if file is None:
        abort(404)
    if not services.can_manage_files(item):
        return _not_here(item)
    form = AttachmentForm(prefix=f"f{file.id}")
    if form.validate():
        try:
            if form.file.data and form.file.data.filename:
                file = services.replace_file(item, file, form.file.data, form.to_input(), current_user)
                flash(_("File replaced: %(name)s.", name=file.name), "success")
            else:
                services.rename_file(item, file, form.to_input(), current_user)
                flash(_("File titles saved."), "success")
        except files.UploadRefused as error:
            _upload_error(form, error)
        else:
            return redirect_to(url_for("library.files_page", slug=item.slug))
    return _files_page(item, failed_id=file.id, failed=form, status=422)


@bp.route("/<slug>/files/<int:file_id>/remove", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def remove_file(slug: str, file_id: int):
    item = _managed_item(slug)
    file = services.item_file(item, file_id)
    if file is None:
        abort(404)
    if not services.can_manage_files(item):
        return _not_here(item)
    name = file.name
    services.remove_file(item, file, current_user)
    flash(_("File %(name)s removed.", name=name), "success")
    return redirect_to(url_for("library.files_page", slug=item.slug))


@bp.app_template_filter("filesize")
def _filesize(size: int) -> str:
    from babel.numbers import format_decimal
    from flask_babel import gettext as _
    if size < 1024:
        return _("%(num)s B", num=size)
    if size < 1024 * 1024:
        return _("%(num)s KB", num=format_decimal(round(size / 1024), locale=locale_code()))
    return _("%(num)s MB", num=format_decimal(round(size / 1024 / 1024, 1), locale=locale_code()))
