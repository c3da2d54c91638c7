"""Deal forms: one class per form, used for full submits and for the inline (htmx) checks alike."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from .. import inn as inn_numbers
from ..forms import DateField, HubForm, MoneyField, ceiling_kopecks, deal_minimum_kopecks
from ..forms import example as money_example
from ..i18n import fmt_date, money
from ..program import rules as program_rules
from . import services
from ..normalize import normalise_company, normalise_domain


def amount_hint() -> str:
    return _l("In roubles, from %(min)s to %(max)s, e.g. %(example)s.", min=money(deal_minimum_kopecks()),
              max=money(ceiling_kopecks()), example=money_example())


def inn_error(value: str | None):
    """The message for an INN the hub refuses, None when it is empty or valid."""
    if not inn_numbers.clean(value):
        return None
    problem = inn_numbers.problem(value)
    if problem == inn_numbers.LENGTH:
        return _l("An INN has 10 digits (company) or 12 digits (individual).")
    if problem == inn_numbers.PLACEHOLDER:
        return _l("This INN is a placeholder (one digit repeated): enter the customer's real INN.")
    if problem == inn_numbers.CHECKSUM:
        return _l("This INN is not valid: check the digits.")
    return None


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def _product_choices():
    rules = program_rules.current()
    return _choices([("", _l("Choose a product"))] + [(p.code, str(p.name)) for p in rules.products])


def _region_choices():
    rules = program_rules.current()
    return _choices([("", _l("Choose a region"))] + [(r.code, str(r.name)) for r in rules.regions])


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RegisterDealForm(HubForm):
    customer_name = StringField(_l("Customer company"), filters=[_strip],
                                validators=[DataRequired(_l("Enter the customer's company name.")), Length(max=200)])
    inn = StringField(_l("INN (tax number)"), filters=[_strip], validators=[Optional(), Length(max=20)],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})
    domain = StringField(_l("Web domain"), filters=[_strip], validators=[Optional(), Length(max=253)],
                         render_kw={"autocomplete": "off", "placeholder": "example.ru"})
    contact_name = StringField(_l("Contact name"), filters=[_strip],
                               validators=[DataRequired(_l("Enter the contact person's name.")), Length(max=120)])
    contact_email = EmailField(_l("Contact e-mail"), filters=[_strip],
                               validators=[DataRequired(_l("Enter the contact's e-mail.")),
                                           Email(_l("Enter a valid e-mail address.")), Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), filters=[_strip], validators=[Optional(), Length(max=40)],
                                render_kw={"type": "tel", "autocomplete": "off"})
    product = SelectField(_l("Product"), validators=[InputRequired(_l("Choose a product."))],
                          validate_choice=False)
    amount = MoneyField(_l("Amount, RUB"), minimum=deal_minimum_kopecks,
                        validators=[InputRequired(_l("Enter the amount in roubles."))],
                        render_kw={"placeholder": "1 500 000,00"})
    expected_close_date = DateField(_l("Expected close date"),
                                    validators=[InputRequired(_l("Enter the expected close date."))])
    region = SelectField(_l("Region"), validators=[InputRequired(_l("Choose a region."))], validate_choice=False)
    notes = TextAreaField(_l("Notes"), filters=[_strip], validators=[Optional(), Length(max=4000)])

    # Fields that the live check (/deals/check) watches; the rest are validated on change.
    CUSTOMER_FIELDS = ("customer_name", "inn", "domain")

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or services.program_today()
        self.product.choices = _product_choices()
        self.region.choices = _region_choices()
        self.amount.description = amount_hint()
        first, last = services.expected_close_window(self.today)
        self.expected_close_date.description = _l("Between %(first)s and %(last)s.", first=fmt_date(first),
                                                  last=fmt_date(last))
        self.expected_close_date.render_kw = {"min": first.isoformat(), "max": last.isoformat()}
        # The field's own window: a date outside it is refused next to the field, naming it.
        self.expected_close_date.earliest, self.expected_close_date.latest = first, last

    def validate_customer_name(self, field):
        if field.data and not normalise_company(field.data):
            raise ValidationError(_l("Enter the company's name, not only its legal form."))

    def validate_inn(self, field):
        message = inn_error(field.data)
        if message:
            raise ValidationError(message)

    def validate_domain(self, field):
        if field.data and normalise_domain(field.data) is None:
            raise ValidationError(_l("This is not a valid web domain, e.g. example.ru."))

    def validate_contact_phone(self, field):
        if field.data and not re.fullmatch(r"\+?[0-9 ()\-]{5,40}", field.data):
            raise ValidationError(_l("Use digits, spaces, brackets, dashes and a leading +."))

    def validate_product(self, field):
        if field.data and program_rules.current().product(field.data) is None:
            raise ValidationError(_l("Choose a product from the list."))

    def validate_region(self, field):
        if field.data and program_rules.current().region(field.data) is None:
            raise ValidationError(_l("Choose a region from the list."))

    def validate_expected_close_date(self, field):
        message = services.expected_close_problem(field.data, self.today) if field.data else None
        if message:
            raise ValidationError(message)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.inn.data or "").strip() and not (self.domain.data or "").strip():
            self.inn.errors = list(self.inn.errors) + [_l("Give the INN or the web domain (at least one).")]
            ok = False
        return ok

    def validate_one(self, name: str) -> bool:
        """Validate a single field (the inline htmx check): its validators and its validate_<name>."""
        inline = getattr(self.__class__, f"validate_{name}", None)
        return self[name].validate(self, [inline] if inline else [])

    def to_input(self) -> services.DealInput:
        return services.DealInput(
            customer_name=self.customer_name.data, inn=inn_numbers.clean(self.inn.data) or None,
            domain=self.domain.data or None, contact_name=self.contact_name.data,
            contact_email=self.contact_email.data, contact_phone=self.contact_phone.data or None,
            product=self.product.data, amount_kopecks=self.amount.data,
            expected_close_date=self.expected_close_date.data, region=self.region.data,
            notes=self.notes.data or None)


class CheckCustomerForm(HubForm):
    """The stand-alone conflict check page (GET): the three customer fields of the register form."""

    class Meta:
        csrf = False

    customer_name = StringField(_l("Customer company"), filters=[_strip], validators=[Optional()])
    inn = StringField(_l("INN (tax number)"), filters=[_strip], validators=[Optional()],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})
    domain = StringField(_l("Web domain"), filters=[_strip], validators=[Optional()],
                         render_kw={"autocomplete": "off", "placeholder": "example.ru"})


class ApproveForm(HubForm):
    """Only the CSRF token: approving needs no input."""


class RejectForm(HubForm):
    reason = TextAreaField(_l("Reason for rejection"), filters=[_strip],
                           validators=[DataRequired(_l("Give the reason for the rejection.")), Length(max=2000)])


class WonForm(HubForm):
    final_amount = MoneyField(_l("Final amount, RUB"), minimum=deal_minimum_kopecks,
                              validators=[InputRequired(_l("Give the final amount of the won deal."))])
    closed_on = DateField(_l("Won on"), validators=[InputRequired(_l("Give the date the deal was won."))])

    def __init__(self, *args, deal=None, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or services.program_today()
        self.deal = deal
        self.final_amount.description = amount_hint()
        if deal is not None:
            first, last = services.won_date_window(deal, self.today)
            self.closed_on.description = _l(
                "The day the customer signed: between the registration date (%(first)s) and today (%(last)s).",
                first=fmt_date(first), last=fmt_date(last))
            self.closed_on.render_kw = {"min": first.isoformat(), "max": last.isoformat()}
            self.closed_on.earliest, self.closed_on.latest = first, last

    def validate_closed_on(self, field):
        message = services.won_date_problem(self.deal, field.data, self.today) if field.data else None
        if message:
            raise ValidationError(message)


class LostForm(HubForm):
    lost_reason = TextAreaField(_l("Why was it lost? (optional)"), filters=[_strip],
                           validators=[Optional(), Length(max=2000)])


class ExtensionRequestForm(HubForm):
    extension_reason = TextAreaField(_l("Why do you need more time?"), filters=[_strip],
                           validators=[DataRequired(_l("Give the reason for the extension.")), Length(max=2000)])


class ExtensionDecisionForm(HubForm):
    decision = RadioField(_l("Decision"), choices=_choices([("grant", _l("Grant")), ("refuse", _l("Refuse"))]),
                          validators=[InputRequired(_l("Choose to grant or refuse."))])


STATUS_CHOICES = _choices([
    ("", _l("All statuses")), ("submitted", _l("Submitted")), ("approved", _l("Approved")),
    ("rejected", _l("Rejected")), ("won", _l("Won")), ("lost", _l("Lost")), ("expired", _l("Expired")),
    (services.CONFLICT, _l("Conflicts")),
])
PERIOD_CHOICES = _choices([
    ("", _l("Any time")), ("week", _l("Last 7 days")), ("month", _l("Last 30 days")),
    ("quarter", _l("Last 3 months")), ("year", _l("Last 12 months")),
])


class DealFilterForm(HubForm):
    """The deal list's filters: a GET form (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Customer, INN or domain"), filters=[_strip], validators=[Optional(), Length(max=200)],
                    render_kw={"type": "search"})
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, validators=[Optional()])
    period = SelectField(_l("Period"), choices=PERIOD_CHOICES, validators=[Optional()])
    date_from = DateField(_l("Submitted from"), validators=[Optional()])
    date_to = DateField(_l("Submitted to"), validators=[Optional()])
    org = StringField(_l("Partner"), filters=[_strip], validators=[Optional(), Length(max=200)],
                      render_kw={"type": "search"})

    def to_filters(self, manager: bool) -> services.DealFilters:
        def ok(field):
            return field.data if not field.errors else None
        return services.DealFilters(
            status=ok(self.status) or "", period=ok(self.period) or "", date_from=ok(self.date_from),
            date_to=ok(self.date_to), q=ok(self.q) or "", org=(ok(self.org) or "") if manager else "")
