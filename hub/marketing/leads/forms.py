"""Leads forms: a manager's new lead and offer, the partner's answer and deal, a referral and its status."""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ... import inn as inn_numbers
from ...accounts import profile
from ...deals import public as deals
from ...forms import DateField, HubForm, MoneyField, deal_minimum_kopecks, valid_id
from ...i18n import fmt_date
from ...program import rules as program_rules
from . import services
from .models import CONTACTED, LOST, SOURCES, WON


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def source_label(code: str | None) -> str:
    return str({"web": _l("Web form"), "event": _l("Event"), "referral": _l("Referral"),
                "locator": _l("Partner locator"), "other": _l("Other")}.get(code or "", code or "—"))


def _field_problems(form, problems: dict[str, str]) -> bool:
    for name, message in problems.items():
        if name in form._fields and not form[name].errors:
            form[name].errors = list(form[name].errors) + [message]
    return not problems


class ContactFields(HubForm):
    company = StringField(_l("Customer company"), filters=[_strip],
                          validators=[DataRequired(_l("Enter the company's name.")), Length(max=200)])
    inn = StringField(_l("INN (tax number)"), filters=[_strip], validators=[Optional(), Length(max=20)],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})
    contact_name = StringField(_l("Contact name"), filters=[_strip],
                               validators=[DataRequired(_l("Enter the contact person's name.")), Length(max=120)])
    contact_email = EmailField(_l("Contact e-mail"), filters=[_strip], validators=[Optional(), Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), filters=[_strip], validators=[Optional(), Length(max=40)],
                                render_kw={"type": "tel"})

    def contact_values(self) -> dict:
        return {name: self[name].data or "" for name in ("company", "inn", "contact_name", "contact_email",
                                                        "contact_phone")}


class LeadForm(ContactFields):
    region = SelectField(_l("Region"), validate_choice=False, validators=[Optional()])
    segment = SelectField(_l("Segment (industry)"), validate_choice=False, validators=[Optional()])
    product = SelectField(_l("Product interest"), validate_choice=False, validators=[Optional()])
    source = SelectField(_l("Source"), validate_choice=False, validators=[InputRequired()])
    notes = TextAreaField(_l("Notes"), filters=[_strip], validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = program_rules.current()
        self.region.choices = _choices([("", _l("Not known"))] + [(r.code, str(r.name)) for r in current.regions])
        self.segment.choices = _choices([("", _l("Not known"))] + profile.choices("industries"))
        self.product.choices = _choices([("", _l("Not known"))] + [(p.code, str(p.name)) for p in current.products])
        self.source.choices = _choices([(s, source_label(s)) for s in SOURCES if s != "locator"])

    def values(self) -> dict:
        out = self.contact_values()
        out.update(region=self.region.data or None, segment=self.segment.data or None,
                   product=self.product.data or None, source=self.source.data, notes=self.notes.data or "")
        return out

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return _field_problems(self, services.lead_problems(self.values())) and ok


class OfferForm(HubForm):
    organisation_id = RadioField(_l("Offer to"), validate_choice=False, coerce=str,
                                 validators=[InputRequired(_l("Choose a partner."))])

    def set_choices(self, suggestions) -> None:
        self.organisation_id.choices = _choices([(str(s.organisation.id), s.organisation.name) for s in suggestions])

    def validate_organisation_id(self, field):
        if valid_id(field.data) is None:
            raise ValidationError(_l("Choose a partner."))


class AnswerForm(HubForm):
    """Only the CSRF token: accepting needs no input."""


class DeclineForm(HubForm):
    reason = TextAreaField(_l("Why do you decline?"), filters=[_strip],
                           validators=[DataRequired(_l("Give a reason for declining.")), Length(max=2000)])


class ConvertForm(HubForm):
    """The deal registration's missing fields, prefilled: one click registers the deal."""
    inn = StringField(_l("INN (tax number)"), filters=[_strip], validators=[Optional(), Length(max=20)],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})
    domain = StringField(_l("Web domain"), filters=[_strip], validators=[Optional(), Length(max=253)])
    product = SelectField(_l("Product"), validate_choice=False, validators=[InputRequired(_l("Choose a product."))])
    amount = MoneyField(_l("Amount, RUB"), minimum=deal_minimum_kopecks,
                        validators=[InputRequired(_l("Enter the amount in roubles."))])
    expected_close_date = DateField(_l("Expected close date"),
                                    validators=[InputRequired(_l("Enter the expected close date."))])

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or deals.program_today()
        current = program_rules.current()
        self.product.choices = _choices([(p.code, str(p.name)) for p in current.products])
        first, last = deals.expected_close_window(self.today)
        self.expected_close_date.description = _l("Between %(first)s and %(last)s.", first=fmt_date(first),
                                                  last=fmt_date(last))
        self.expected_close_date.render_kw = {"min": first.isoformat(), "max": last.isoformat()}
        self.expected_close_date.earliest, self.expected_close_date.latest = first, last

    @classmethod
    def for_lead(cls, lead, today: date | None = None):
        today = today or deals.program_today()
        current = program_rules.current()
        product = lead.product if lead.product and current.product(lead.product) else current.products[0].code
        # Ten licences as a starting figure; the partner corrects it before registering.
        amount = max(int(current.product(product).licence_price_kopecks) * 10, deal_minimum_kopecks())
        return cls(formdata=None, today=today, data={"inn": lead.inn or "", "product": product, "amount": amount,
                                                     "expected_close_date": today + timedelta(days=60)})

    def validate_inn(self, field):
        if field.data and not inn_numbers.is_valid(inn_numbers.clean(field.data)):
            raise ValidationError(_l("This INN is not valid: check the digits."))

    def validate_expected_close_date(self, field):
        message = deals.expected_close_problem(field.data, self.today) if field.data else None
        if message:
            raise ValidationError(message)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.inn.data or "").strip() and not (self.domain.data or "").strip():
            self.inn.errors = list(self.inn.errors) + [_l("Give the INN or the web domain (at least one).")]
            ok = False
        return ok


class ReferralForm(ContactFields):
    need = TextAreaField(_l("What do they need?"), filters=[_strip], validators=[Optional(), Length(max=4000)])
    consent = BooleanField(_l("The contact agreed to be contacted by the vendor"),
                           validators=[DataRequired(_l("Confirm that the contact agreed to be contacted."))])

    def values(self) -> dict:
        out = self.contact_values()
        out.update(need=self.need.data or "", consent=bool(self.consent.data))
        return out

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        problems = services.contact_problems(self.values())
        if not (self.contact_email.data or "").strip() and not (self.contact_phone.data or "").strip():
            problems.setdefault("contact_email", str(_l("Give the contact's e-mail or phone (at least one).")))
        return _field_problems(self, problems) and ok


def referral_status_label(code: str) -> str:
    return str({"new": _l("New"), "contacted": _l("Contacted"), "won": _l("Won"), "lost": _l("Lost")}.get(code, code))


class QualifyForm(HubForm):
    status = SelectField(_l("New status"), validate_choice=False, validators=[InputRequired()])
    amount = MoneyField(_l("Amount the customer bought for, RUB (when won)"), minimum=deal_minimum_kopecks,
                        validators=[Optional()])
    note = TextAreaField(_l("Note"), filters=[_strip], validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = _choices([(s, referral_status_label(s)) for s in (CONTACTED, WON, LOST)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.status.data not in (CONTACTED, WON, LOST):
            self.status.errors = list(self.status.errors) + [_l("Choose a status from the list.")]
            ok = False
        if self.status.data == WON and self.amount.data is None and not self.amount.errors:
            self.amount.errors = [_l("Enter the amount the customer bought for.")]
            ok = False
        return ok
