"""Directory routes: parse -> form -> service -> render. The rules live in services.py.

Partners' directory (logged in): /directory/, an organisation, a listed person, the organisation's
listing settings (its admin, or a manager) and the viewer's own listing. Public locator (no login):
/directory/locator, a partner's locator page with the contact form, the thanks page."""
from __future__ import annotations

import os

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.labels import tier_label
from ...accounts.models import Organisation
from ...extensions import db, limiter
from ...web import choice_arg, page_number, public, redirect_to, render
from . import bp, forms, services


def _contact_rate() -> str:
    # Per client address, like /recruitment/apply. LOCATOR_CONTACT_RATE (tests), else HUB_LOCATOR_CONTACT_RATE.
    return (current_app.config.get("LOCATOR_CONTACT_RATE")
            or os.environ.get("HUB_LOCATOR_CONTACT_RATE", "10 per hour"))


def _filters() -> services.Filters:
    values = {}
    for name in ("region", "product", "industry", "expertise", "tier", "language"):
        values[name] = choice_arg(name, [code for code, _label in services.filter_choices(name)])
    values["q"] = (request.args.get("q") or "").strip()[:services.LIMITS["q"]]
    return services.Filters(**values)


def _choices() -> dict[str, list[tuple[str, str]]]:
    return {name: services.filter_choices(name) for name in ("region", "product", "industry", "expertise",
                                                             "tier", "language")}


def _list(template: str, public_list: bool):
    filters = _filters()
    page = services.search(filters, public=public_list, page=page_number())
    # One URL, page or results block: the app's after-request hook adds `Vary: HX-Request`.
    return render(template, block="results", filters=filters, page=page, choices=_choices(),
                  args=filters.args(), tier_label=tier_label)


# --- the partners' directory ------------------------------------------------------------------------

@bp.route("/")
def index():
    return _list("community/directory/index.html", False)


@bp.route("/organisations/<int:org_id>")
def organisation(org_id: int):
    try:
        card = services.organisation_card(org_id, public=False)
    except services.NotFound:
        abort(404)
    org = card.organisation
    return render("community/directory/organisation.html", card=card, tier_label=tier_label,
                  certifications=services.certifications(org_id=org.id),
                  can_edit=services.can_edit_settings(current_user, org))


@bp.route("/people/<int:user_id>")
def person(user_id: int):
    try:
        user, person_row, card = services.listed_person(user_id)
    except services.NotFound:
        abort(404)
    return render("community/directory/person.html", person=user, listing=person_row, card=card,
                  certifications=services.certifications(user_id=user.id), badges=services.person_badges(user.id))


@bp.route("/organisations/<int:org_id>/settings", methods=["GET", "POST"])
def settings(org_id: int):
    org = db.session.get(Organisation, org_id)
    if org is None or (not current_user.is_vendor and org.id != current_user.organisation_id):
        abort(404)  # another organisation's settings: not even whether it exists
    if not services.can_edit_settings(current_user, org):
        abort(403)
    row = services.settings_of(org)
    form = forms.SettingsForm(obj=row) if request.method == "GET" else forms.SettingsForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            services.save_settings(current_user._get_current_object(), org, in_directory=form.in_directory.data,
                                   in_locator=form.in_locator.data)
            flash(_("The directory settings have been saved."), "success")
            return redirect_to(url_for("directory.settings", org_id=org.id))
        status = 422
    return render("community/directory/settings.html", form=form, organisation=org, status=status)


@bp.route("/me", methods=["GET", "POST"])
def me():
    if not current_user.is_partner:
        abort(403)
    row = services.person_of(current_user)
    form = forms.PersonForm(obj=row) if request.method == "GET" else forms.PersonForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                services.save_person(current_user._get_current_object(), listed=form.listed.data,
                                     job_title=form.job_title.data or "")
            except services.DirectoryError as exc:
                form.job_title.errors = list(form.job_title.errors) + [exc.message]
            else:
                flash(_("Your directory listing has been saved."), "success")
                return redirect_to(url_for("directory.me"))
        status = 422
    return render("community/directory/me.html", form=form, listed=row.listed, status=status)


# --- the public locator ------------------------------------------------------------------------------

@bp.route("/locator")
@public
def locator():
    return _list("community/directory/locator.html", True)


def _partner_page(org_id: int, form, status: int = 200):
    try:
        card = services.organisation_card(org_id, public=True)
    except services.NotFound:
        abort(404)
    return render("community/directory/locator_partner.html", block="contact_form", card=card, form=form,
                  tier_label=tier_label, certifications=services.certifications(org_id=org_id), status=status)


@bp.route("/locator/<int:org_id>")
@public
def locator_partner(org_id: int):
    return _partner_page(org_id, forms.ContactForm(formdata=None))


@bp.route("/locator/<int:org_id>/contact", methods=["POST"])
@public
@limiter.limit(_contact_rate, methods=["POST"])
def contact(org_id: int):
    form = forms.ContactForm()
    if form.validate():
        if form.nickname.data:
            current_app.logger.info("directory: honeypot filled, locator enquiry dropped")
            return redirect_to(url_for("directory.thanks", org_id=org_id))
        try:
            services.contact(org_id, form.values())
        except services.NotFound:
            abort(404)
        except services.DirectoryError as exc:
            field = getattr(form, exc.field or "", None)
            if field is not None:
                field.errors = list(field.errors) + [exc.message]
            else:
                form.form_errors.append(exc.message)
        else:
            return redirect_to(url_for("directory.thanks", org_id=org_id))
    return _partner_page(org_id, form, status=422)


@bp.route("/locator/<int:org_id>/thanks")
@public
def thanks(org_id: int):
    try:
        card = services.organisation_card(org_id, public=True)
    except services.NotFound:
        abort(404)
    return render("community/directory/thanks.html", organisation=card.organisation)
