"""Accounts forms. Database checks live in `validate_<field>` so inline checks and full submits agree."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
import re
from urllib.parse import urlsplit

from flask_wtf.file import FileField
from sqlalchemy import func, select
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .. import inn as inn_numbers
from ..forms import HubForm
from ..extensions import db
from ..program import rules
from .labels import LANGUAGE_NAMES, PARTNER_TYPE_LABELS, ROLE_LABELS, SEGMENT_LABELS, TIMEZONES
from .models import PARTNER_ROLES, VENDOR_ROLES, Organisation, User

PASSWORD_MIN = 10


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _lower(value):
    return value.strip().lower() if isinstance(value, str) else value


def _new_password(label):
    return PasswordField(label, validators=[
        DataRequired(), Length(min=PASSWORD_MIN, message=_l("Use at least %(min)d characters.")),
        Length(max=200)],
        render_kw={"autocomplete": "new-password", "minlength": PASSWORD_MIN})


def _confirm(label):
    return PasswordField(label, validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"})


# Login and reset requests only look the address up, so they do not judge its syntax.
class LoginForm(HubForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)],
                       filters=[_lower], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me logged in on this device"))


class ForgotPasswordForm(HubForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)],
                       filters=[_lower], render_kw={"autocomplete": "email"})


class ResetPasswordForm(HubForm):
    password = _new_password(_l("New password"))
    confirm = _confirm(_l("Repeat the new password"))


class AcceptInvitationForm(HubForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)], filters=[_strip],
                       render_kw={"autocomplete": "name"})
    password = _new_password(_l("Password"))
    confirm = _confirm(_l("Repeat the password"))


class ProfileForm(HubForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)], filters=[_strip],
                       render_kw={"autocomplete": "name"})
    locale = SelectField(_l("Language"), choices=_choices(LANGUAGE_NAMES))
    timezone = SelectField(_l("Time zone"), choices=_choices(TIMEZONES))


class ChangePasswordForm(HubForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)],
                                     render_kw={"autocomplete": "current-password"})
    password = _new_password(_l("New password"))
    confirm = _confirm(_l("Repeat the new password"))

    def __init__(self, user: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user

    def validate_current_password(self, field):
        if not self._user.check_password(field.data or ""):
            raise ValidationError(_l("This is not your current password."))


class EmailChoicesForm(HubForm):
    """Which notification types also reach the user by e-mail: one checkbox per type offered to
    them (`groups` from hub.core.notifications.email_choices); a forged type fails validation."""

    email = SelectMultipleField(_l("Also by e-mail"), choices=[], validate_choice=True)

    def __init__(self, groups, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.email.choices = [(choice.type.key, str(choice.type.label)) for _feature, items in groups
                              for choice in items]
        if kwargs.get("formdata", True) is None:
            self.email.data = [choice.type.key for _feature, items in groups for choice in items if choice.email]


class InviteForm(HubForm):
    """Who may be invited where depends on the inviter: the choices are narrowed in __init__,
    so a forged organisation or role in the POST fails validation like any wrong choice."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[_lower], render_kw={"autocomplete": "off"})
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=120)], filters=[_strip])
    organisation = SelectField(_l("Organisation"), coerce=int)
    role = SelectField(_l("Role"))

    def __init__(self, inviter: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import invitable_roles, invitable_organisations
        self._inviter = inviter
        orgs = invitable_organisations(inviter)
        self._orgs = {org.id: org for org in orgs}
        self.allowed_organisations = frozenset(self._orgs)
        self.organisation.choices = _choices((org.id, org.name) for org in orgs)
        self.role.choices = _choices((role, ROLE_LABELS[role]) for role in invitable_roles(inviter))

    def validate_email(self, field):
        email = field.data
        if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
            raise ValidationError(_l("This address already has an account."))
        from .services import pending_invitation
        if pending_invitation(email) is not None:
            raise ValidationError(_l("An invitation to this address is still pending. Revoke it "
                                     "on the team page to send a new one."))

    def validate_role(self, field):
        org = self._orgs.get(self.organisation.data)
        if org is None:
            return
        allowed = VENDOR_ROLES if org.is_vendor else PARTNER_ROLES
        if field.data not in allowed:
            if org.is_vendor:
                raise ValidationError(_l("People of the vendor can only be channel managers or "
                                         "administrators."))
            raise ValidationError(_l("People of a partner can only be partner members or partner admins."))


class OrganisationForm(HubForm):
    name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    partner_type = SelectField(_l("Partner type"), choices=_choices(PARTNER_TYPE_LABELS.items()))
    segment = SelectField(_l("Relationship"), choices=_choices(SEGMENT_LABELS.items()))
    region = SelectField(_l("Region"))
    tier = SelectField(_l("Tier"))
    inn = StringField(_l("INN (optional)"), validators=[Optional(), Length(max=12)],
                      filters=[lambda v: "".join(v.split()) if isinstance(v, str) else v],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = rules.current()
        self.region.choices = _choices((r.code, str(r.name)) for r in current.regions)
        self.tier.choices = _choices((t.code, str(t.name)) for t in current.tiers)

    def validate_inn(self, field):
        if not field.data:
            return
        if not inn_numbers.is_valid(field.data):
            raise ValidationError(_l("This is not a valid INN: 10 or 12 digits with a correct check digit."))
        if db.session.scalar(select(Organisation.id).where(Organisation.inn == field.data)):
            raise ValidationError(_l("An organisation with this INN already exists."))


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        # WTForms' own message quotes the forged value back; say plainly what is wrong instead.
        known = {str(value) for value, _label in (self.choices or [])}
        if any(value not in known for value in (self.data or [])):
            raise ValidationError(_l("Choose only from the list."))


# A host name of letters (any script: пример.рф), digits and inner dashes, with a top-level domain.
_HOST = re.compile(r"(?=.{1,253}$)(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}")


def _website(value):
    if not isinstance(value, str):
        return value
    value = value.strip()
    if value and "://" not in value:
        value = "https://" + value
    return value


class OrganisationProfileForm(HubForm):
    """The organisation's public face. Lists are closed vocabularies; the logo is checked by hub.files."""

    website = StringField(_l("Website"), validators=[Optional(), Length(max=200)], filters=[_website],
                          render_kw={"autocomplete": "url", "inputmode": "url"})
    description = TextAreaField(_l("About the company"), validators=[Optional(), Length(max=2000)],
                                filters=[_strip], render_kw={"rows": 5})
    expertise = CheckboxesField(_l("Expertise"))
    industries = CheckboxesField(_l("Industries"))
    regions = CheckboxesField(_l("Regions we work in"))
    products = CheckboxesField(_l("Products we work with"))
    languages = CheckboxesField(_l("Languages"))
    logo = FileField(_l("Logo"))
    remove_logo = BooleanField(_l("Remove the current logo"))
    account_manager = SelectField(_l("Account manager"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                                  validators=[Optional()])

    def __init__(self, *args, manager: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        from . import profile
        for facet in profile.FACETS:
            getattr(self, facet).choices = profile.choices(facet)
        self.manager = manager
        if manager:
            self.account_manager.choices = [(None, _l("No dedicated account manager"))] + [
                (u.id, u.name) for u in profile.account_managers()]
        else:
            del self.account_manager

    def validate_website(self, field):
        if not field.data:
            return
        parts = urlsplit(field.data)
        if parts.scheme not in ("http", "https") or not parts.hostname or not _HOST.fullmatch(parts.hostname) \
                or parts.username or parts.password:
            raise ValidationError(_l("Enter the company's web address, e.g. https://example.ru."))

    @classmethod
    def from_organisation(cls, org, **kwargs):
        from . import profile
        data = {"website": org.website, "description": org.description,
                **{facet: org.profile_values(facet) for facet in profile.FACETS}}
        if kwargs.get("manager"):
            data["account_manager"] = org.account_manager_id
        return cls(formdata=None, data=data, **kwargs)

    def to_input(self):
        from . import profile
        return profile.ProfileInput(
            website=self.website.data or None, description=self.description.data or None,
            lists={facet: list(getattr(self, facet).data or []) for facet in profile.FACETS},
            remove_logo=bool(self.remove_logo.data),
            account_manager_id=self.account_manager.data if self.manager else None,
            set_account_manager=self.manager)
