"""Recruitment forms: the public application, the managers' decisions, targets, their CSV import, costs."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from .. import inn as inn_numbers
from ..accounts.forms import CheckboxesField
from ..accounts.labels import PARTNER_TYPE_LABELS, SEGMENT_LABELS
from ..forms import HubForm, MoneyField
from ..program import rules as program_rules
from . import services
from . import targets as target_rules
from .models import STAGES
from .rules import CHECKLIST


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _digits(value):
    return "".join(value.split()) if isinstance(value, str) else value


def _website(value):
    if not isinstance(value, str):
        return value
    value = value.strip()
    if value and "://" not in value:
        value = "https://" + value
    return value


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def stage_label(code: str) -> str:
    return str({"identified": _l("Identified"), "contacted": _l("Contacted"), "interested": _l("Interested"),
                "applied": _l("Applied"), "signed": _l("Signed"), "dropped": _l("Dropped")}.get(code, code))


def status_label(code: str) -> str:
    return str({"submitted": _l("New"), "info_requested": _l("Information asked"), "qualified": _l("Qualified"),
                "approved": _l("Approved"), "declined": _l("Declined")}.get(code, code))


def checklist_label(code: str) -> str:
    return str({"inn_checked": _l("The INN and the company's registration are checked"),
                "website_checked": _l("The website and the company's activity are checked"),
                "fits_segment": _l("The company fits our partner segments and regions"),
                "capacity": _l("The company has sales or implementation people for our products"),
                "call_held": _l("An introductory call has been held")}.get(code, code))


class ApplicationForm(HubForm):
    company = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)], filters=[_strip],
                          render_kw={"autocomplete": "organization"})
    inn = StringField(_l("INN"), validators=[DataRequired(), Length(max=14)], filters=[_digits],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})
    website = StringField(_l("Website"), validators=[Optional(), Length(max=200)], filters=[_website],
                          render_kw={"autocomplete": "url", "inputmode": "url"})
    partner_type = SelectField(_l("Partner type"), choices=_choices(PARTNER_TYPE_LABELS.items()),
                               validators=[InputRequired()])
    regions = CheckboxesField(_l("Regions you work in"), validators=[DataRequired(_l("Choose at least one region."))])
    products = CheckboxesField(_l("Products you want to sell"), validators=[Optional()])
    expected_deals = TextAreaField(_l("Your expected first deals"), validators=[Optional(), Length(max=2000)],
                                   filters=[_strip], render_kw={"rows": 4})
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=200)], filters=[_strip],
                               render_kw={"autocomplete": "name"})
    contact_email = EmailField(_l("Contact e-mail"), validators=[DataRequired(), Email(), Length(max=254)],
                               filters=[_strip], render_kw={"autocomplete": "email"})
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)], filters=[_strip],
                                render_kw={"autocomplete": "tel", "inputmode": "tel"})
    referrer = StringField(_l("Referral code of the partner who recommended us (optional)"),
                           validators=[Optional(), Length(max=80)], filters=[_strip])
    consent = BooleanField(_l("I agree that the vendor stores and processes these data to review the application"),
                           validators=[DataRequired(_l("The application can only be reviewed with your consent."))])
    # A field people never see (hidden) and bots fill in: a filled one means the post is dropped.
    nickname = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=200)],
                           render_kw={"autocomplete": "off", "tabindex": "-1"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = program_rules.current()
        self.regions.choices = [(r.code, str(r.name)) for r in current.regions]
        self.products.choices = [(p.code, str(p.name)) for p in current.products]

    def validate_inn(self, field):
        if not inn_numbers.is_valid(field.data):
            raise ValidationError(_l("This is not a valid INN: 10 or 12 digits with a correct check digit."))
        problem = services.duplicate_problem(inn_numbers.clean(field.data))
        if problem:
            raise ValidationError(problem)

    def validate_website(self, field):
        if field.data and not services.valid_website(field.data):
            raise ValidationError(_l("Enter the address of the company's website, such as https://example.ru."))

    def validate_referrer(self, field):
        if field.data and services.referrer_for(field.data) is None:
            raise ValidationError(_l("No partner has this referral code. Check it, or leave the field empty."))

    def values(self) -> dict:
        return {"company": self.company.data, "inn": self.inn.data, "website": self.website.data or "",
                "partner_type": self.partner_type.data, "regions": ",".join(self.regions.data or []),
                "products": ",".join(self.products.data or []), "expected_deals": self.expected_deals.data or "",
                "contact_name": self.contact_name.data, "contact_email": self.contact_email.data,
                "contact_phone": self.contact_phone.data or ""}


class QualifyForm(HubForm):
    checklist = CheckboxesField(_l("Qualification checklist"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        items = services.rules().checklist or CHECKLIST
        self.checklist.choices = [(code, checklist_label(code)) for code in items]


class ReasonForm(HubForm):
    reason = TextAreaField(_l("Message to the applicant"), validators=[DataRequired(), Length(max=2000)],
                           filters=[_strip], render_kw={"rows": 3})


class ApproveForm(HubForm):
    segment = SelectField(_l("Relationship"), choices=_choices(SEGMENT_LABELS.items()), validators=[InputRequired()])


class AnswerForm(HubForm):
    answer = TextAreaField(_l("Your answer"), validators=[DataRequired(), Length(max=4000)], filters=[_strip],
                           render_kw={"rows": 6})


class TargetForm(HubForm):
    company = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    inn = StringField(_l("INN (optional)"), validators=[Optional(), Length(max=14)], filters=[_digits],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})
    domain = StringField(_l("Website domain (optional)"), validators=[Optional(), Length(max=200)], filters=[_strip])
    segment = SelectField(_l("Relationship"), choices=[SelectChoice(value="", label=_l("Not decided"))]
                          + _choices(SEGMENT_LABELS.items()), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])
    offer = TextAreaField(_l("Short offer"), validators=[Optional(), Length(max=2000)], filters=[_strip],
                          render_kw={"rows": 3})
    stage = SelectField(_l("Stage"), validators=[InputRequired()])
    owner_id = SelectField(_l("Owner"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                           validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = [SelectChoice(value="", label=_l("Not decided"))] + _choices(
            (r.code, str(r.name)) for r in program_rules.current().regions)
        self.stage.choices = _choices((s, stage_label(s)) for s in STAGES)
        self.owner_id.choices = [(None, _l("Nobody yet"))] + [(u.id, u.name) for u in target_rules.owners()]

    def validate_inn(self, field):
        if field.data and not inn_numbers.is_valid(field.data):
            raise ValidationError(_l("This is not a valid INN: 10 or 12 digits with a correct check digit."))

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in target_rules.TARGET_FIELDS}


class ImportForm(HubForm):
    file = FileField(_l("CSV file"), validators=[DataRequired(_l("Choose a CSV file."))])


class CostForm(HubForm):
    period = StringField(_l("Quarter"), validators=[DataRequired(), Length(min=7, max=7)], filters=[_strip])
    campaign = StringField(_l("Campaign"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    amount = MoneyField(_l("Amount, ₽"), validators=[InputRequired()], minimum=1)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)], filters=[_strip])

    def validate_period(self, field):
        if not target_rules.PERIOD.match(field.data or ""):
            raise ValidationError(_l("A quarter such as 2026-Q4."))
