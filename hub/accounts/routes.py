"""Accounts views: thin — parse, validate the form, call a service, render or redirect."""
from __future__ import annotations

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..core import notifications
from ..extensions import db, limiter
from ..i18n import LANGUAGES, locale_code
from ..web import choice_arg, int_arg, page_number, public, redirect_to, render, roles_required, safe_next
from . import bp, services, sessions
from .. import files
from . import profile as org_profile
from .forms import (AcceptInvitationForm, ChangePasswordForm, EmailChoicesForm, ForgotPasswordForm, InviteForm,
                    LoginForm, OrganisationForm, OrganisationProfileForm, ProfileForm, ResetPasswordForm)
from .labels import PARTNER_TYPE_LABELS, SEGMENT_LABELS
from .models import ADMIN, MANAGER, PARTNER_ADMIN, VENDOR_ROLES, Organisation


def _login_rate() -> str:
    return current_app.config["LOGIN_RATE_PER_ADDRESS"]


def _status(form) -> int:
    return 422 if form.errors else 200


def _apply(form, error: services.AccountsError) -> None:
    """Put a service's refusal next to the field it concerns (or on the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    else:
        form.form_errors.append(str(error.message))


# --- log in / out ---------------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_rate, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect_to(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.LoginLocked:
            form.password.errors.append(
                _("Too many wrong passwords. This account is locked for a few minutes; "
                  "you can also reset the password."))
        else:
            if user is None:
                form.password.errors.append(_("Wrong e-mail or password."))
            else:
                sessions.log_in(user, remember=form.remember.data)
                return redirect_to(safe_next(request.args.get("next"), url_for("core.home")))
    return render("accounts/login.html", block="login_form", form=form, status=_status(form))


@bp.route("/logout", methods=["POST"])
def logout():
    sessions.log_out()
    flash(_("You have logged out."), "info")
    return redirect_to(url_for("program.page"))


@bp.route("/logout/everywhere", methods=["POST"])
def logout_everywhere():
    services.sign_out_everywhere(current_user._get_current_object())
    sessions.log_out()
    flash(_("You have been signed out on every device. Log in again to continue."), "info")
    return redirect_to(url_for("accounts.login"))


# --- password reset -------------------------------------------------------------------------------

@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(_login_rate, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        # The same answer whether or not the address has an account.
        flash(_("If an account uses this address, we have sent it a link to choose a new password. "
                "The link works for one hour."), "info")
        return redirect_to(url_for("accounts.login"))
    return render("accounts/forgot_password.html", block="forgot_form", form=form, status=_status(form))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        services.find_reset(token)
    except services.AccountsError as error:
        return render("accounts/link_invalid.html", status=410, message=error.message,
                      title=_("Password reset"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.AccountsError as error:
            return render("accounts/link_invalid.html", status=410, message=error.message,
                          title=_("Password reset"))
        sessions.log_out()
        flash(_("Your password has been changed. Log in with the new one."), "success")
        return redirect_to(url_for("accounts.login"))
    return render("accounts/reset_password.html", block="reset_form", form=form, token=token,
                  status=_status(form))


# --- profile --------------------------------------------------------------------------------------

def _profile_forms(submitted: str | None = None):
    """The forms of the profile page; only the submitted one reads the request."""
    user = current_user._get_current_object()
    profile = (ProfileForm(prefix="profile") if submitted == "profile"
               else ProfileForm(prefix="profile", formdata=None, obj=user))
    if submitted != "profile" and profile.locale.data not in LANGUAGES:
        profile.locale.data = locale_code()
    password = (ChangePasswordForm(user, prefix="pw") if submitted == "password"
                else ChangePasswordForm(user, prefix="pw", formdata=None))
    groups = notifications.email_choices(user)
    choices = (EmailChoicesForm(groups, prefix="mail") if submitted == "email"
               else EmailChoicesForm(groups, prefix="mail", formdata=None))
    return profile, password, choices, groups


def _profile_page(block: str, status: int, profile, password, choices, groups):
    return render("accounts/profile.html", block=block, form=profile, password_form=password,
                  choices_form=choices, email_groups=groups, open_sessions=sessions.open_sessions(current_user),
                  status=status)


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    forms = _profile_forms("profile" if request.method == "POST" else None)
    form = forms[0]
    if request.method == "POST" and form.validate():
        locale = form.locale.data if form.locale.data in LANGUAGES else None
        services.update_profile(current_user, form.name.data, locale, form.timezone.data)
        flash(_("Your profile has been saved."), "success")
        return redirect_to(url_for("accounts.profile"))
    return _profile_page("profile_form", _status(form), *forms)


@bp.route("/profile/password", methods=["POST"])
def change_password():
    forms = _profile_forms("password")
    password_form = forms[1]
    if password_form.validate():
        try:
            ended = services.change_password(current_user, password_form.current_password.data,
                                             password_form.password.data, keep_session=current_user.session_key)
        except services.AccountsError as error:
            _apply(password_form, error)
        else:
            flash(_("Your password has been changed."), "success")
            if ended:
                flash(ngettext("You have been signed out on %(num)d other device.",
                               "You have been signed out on %(num)d other devices.", ended), "info")
            return redirect_to(url_for("accounts.profile"))
    return _profile_page("password_form", _status(password_form), *forms)


@bp.route("/profile/notifications", methods=["POST"])
def email_choices():
    forms = _profile_forms("email")
    choices = forms[2]
    if choices.validate():
        services.save_email_choices(current_user, choices.email.data or [])
        flash(_("Your e-mail choices have been saved."), "success")
        return redirect_to(url_for("accounts.profile", _anchor="email-choices"))
    return _profile_page("email_choices", _status(choices), *forms)


# --- invitations and team -------------------------------------------------------------------------

@bp.route("/invitations/new", methods=["GET", "POST"])
@roles_required(PARTNER_ADMIN, MANAGER, ADMIN)
def invite():
    form = InviteForm(current_user._get_current_object())
    if request.method == "GET":
        wanted = int_arg("organisation")
        form.organisation.data = wanted if wanted in form.allowed_organisations else current_user.organisation_id
    if request.method == "POST" and form.validate():
        organisation = db.session.get(Organisation, form.organisation.data)
        try:
            services.invite(current_user._get_current_object(), form.email.data, form.role.data,
                            organisation, name=form.name.data)
        except services.AccountsError as error:
            _apply(form, error)
        else:
            flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
            target = (url_for("accounts.organisation", org_id=organisation.id)
                      if current_user.is_manager and organisation.id != current_user.organisation_id
                      else url_for("accounts.team"))
            return redirect_to(target)
    return render("accounts/invite.html", block="invite_form", form=form, status=_status(form))


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@roles_required(PARTNER_ADMIN, MANAGER, ADMIN)
def revoke_invitation(invitation_id: int):
    invitation = services.visible_invitation(current_user, invitation_id)
    if invitation is None:
        abort(404)
    try:
        services.revoke_invitation(current_user, invitation)
    except services.AccountsError as error:
        flash(str(error.message), "error")
    else:
        flash(_("The invitation to %(email)s has been revoked.", email=invitation.email), "success")
    target = (url_for("accounts.organisation", org_id=invitation.organisation_id)
              if current_user.is_manager and invitation.organisation_id != current_user.organisation_id
              else url_for("accounts.team"))
    return redirect_to(safe_next(request.form.get("next"), target))


@bp.route("/invitations/accept/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    try:
        invitation = services.find_invitation(token)
    except services.AccountsError as error:
        return render("accounts/link_invalid.html", status=410, message=error.message,
                      title=_("Invitation"))
    form = AcceptInvitationForm()
    if request.method == "GET" and invitation.name:
        form.name.data = invitation.name
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.name.data, form.password.data, locale=locale_code())
        except services.AccountsError as error:
            return render("accounts/link_invalid.html", status=410, message=error.message,
                          title=_("Invitation"))
        sessions.log_in(user)
        flash(_("Welcome to Partner Hub, %(name)s!", name=user.name), "success")
        return redirect_to(url_for("core.home"))
    return render("accounts/accept_invitation.html", block="accept_form", form=form, invitation=invitation,
                  token=token, status=_status(form))


@bp.route("/team")
@roles_required(PARTNER_ADMIN, MANAGER, ADMIN)
def team():
    organisation = current_user.organisation
    users, invitations = services.team(organisation.id)
    return render("accounts/team.html", block="team", organisation=organisation, users=users,
                  invitations=invitations)


# --- organisations (vendor side) ------------------------------------------------------------------

@bp.route("/organisations")
@roles_required(*VENDOR_ROLES)
def organisations():
    from ..program import rules
    current = rules.current()
    filters = {
        "partner_type": choice_arg("partner_type", PARTNER_TYPE_LABELS) or None,
        "segment": choice_arg("segment", SEGMENT_LABELS) or None,
        "region": choice_arg("region", {r.code for r in current.regions}) or None,
        "tier": choice_arg("tier", {t.code for t in current.tiers}) or None,
        "text": (request.args.get("q") or "").strip()[:100] or None,
    }
    page = services.organisations_page(page_number(), current_app.config["PAGE_SIZE"], **filters)
    args = {k if k != "text" else "q": v for k, v in filters.items() if v}
    return render("accounts/organisations.html", block="results", page=page, filters=filters, args=args,
                  rules=current, type_labels=PARTNER_TYPE_LABELS, segment_labels=SEGMENT_LABELS)


@bp.route("/organisations/new", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def new_organisation():
    form = OrganisationForm()
    if request.method == "POST" and form.validate():
        org = services.create_organisation(
            current_user._get_current_object(), form.name.data, form.partner_type.data, form.segment.data,
            form.region.data, form.tier.data, form.inn.data or None)
        flash(_("Organisation %(name)s created. Invite its first people now.", name=org.name), "success")
        return redirect_to(url_for("accounts.organisation", org_id=org.id))
    return render("accounts/organisation_new.html", block="organisation_form", form=form,
                  status=_status(form))


def _visible_organisation(org_id: int) -> Organisation:
    """Managers see every organisation; a partner only its own (another's answers 404)."""
    org = db.session.get(Organisation, org_id)
    if org is None or not org_profile.can_view(current_user, org):
        abort(404)
    return org


@bp.route("/organisation")
def my_organisation():
    """The viewer's own organisation page (the FAQ sends partners here for their manager's contacts)."""
    return redirect_to(url_for("accounts.organisation", org_id=current_user.organisation_id))


@bp.route("/organisations/<int:org_id>")
def organisation(org_id: int):
    org = _visible_organisation(org_id)
    show_team = current_user.is_manager or (current_user.is_partner_admin and org.id == current_user.organisation_id)
    users, invitations = services.team(org.id) if show_team else ([], [])
    return render("accounts/organisation.html", block="team", organisation=org, users=users,
                  invitations=invitations, show_team=show_team, can_edit=org_profile.can_edit(current_user, org),
                  missing=org_profile.missing(org), channel_team=[] if org.account_manager_id else
                  org_profile.channel_team(), profile=org_profile)


@bp.route("/organisations/<int:org_id>/profile", methods=["GET", "POST"])
def organisation_profile(org_id: int):
    org = _visible_organisation(org_id)
    if not org_profile.can_edit(current_user, org):
        abort(403)
    manager = current_user.is_manager
    if request.method == "GET":
        form = OrganisationProfileForm.from_organisation(org, manager=manager)
    else:
        form = OrganisationProfileForm(manager=manager)
        if form.validate():
            try:
                org_profile.save(org, form.to_input(), form.logo.data, current_user._get_current_object())
            except files.UploadRefused as error:
                form.logo.errors = list(form.logo.errors or []) + [str(error.message)]
            else:
                flash(_("The organisation profile has been saved."), "success")
                return redirect_to(url_for("accounts.organisation", org_id=org.id))
    return render("accounts/organisation_profile.html", form=form, organisation=org, profile=org_profile,
                  missing=org_profile.missing(org), status=_status(form))
