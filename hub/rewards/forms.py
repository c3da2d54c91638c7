"""Rewards forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation, ValidationError

from ..forms import DateField, HubForm, MoneyField, valid_id
from ..accounts.models import PARTNER_TYPES
from ..program import rules as program_rules
from ..program.rules import TIER_ORDER
from .models import APPROVED, PAID


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def _tier_choices(blank: bool):
    rules = program_rules.current()
    choices = [(t.code, str(t.name)) for t in rules.tiers]
    return _choices(([("", _l("All tiers"))] if blank else []) + choices)


METRIC_CHOICES = (("revenue", _l("Won revenue")), ("points", _l("Points")), ("deals", _l("Deals won")))
PERIOD_CHOICES = (("month", _l("This month")), ("quarter", _l("This quarter")), ("year", _l("This year")),
                  ("all", _l("All time")))


def metric_label(metric: str) -> str:
    return str(dict(METRIC_CHOICES).get(metric, metric))


def partner_type_label(code: str) -> str:
    labels = {"integrator": _l("Integrators"), "distributor": _l("Distributors"), "agent": _l("Agents"),
              "dealer": _l("Dealers")}
    return str(labels.get(code, code))


class LeaderboardForm(HubForm):
    """The leaderboard's filters: a GET form (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    metric = SelectField(_l("Ranked by"), choices=_choices(METRIC_CHOICES), default="revenue",
                         validators=[Optional()])
    period = SelectField(_l("Period"), choices=_choices(PERIOD_CHOICES), default="month", validators=[Optional()])
    partner_type = SelectField(_l("Partner type"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])
    tier = SelectField(_l("Tier"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = program_rules.current()
        self.partner_type.choices = _choices([("", _l("All types"))] + [(t, partner_type_label(t)) for t in PARTNER_TYPES])
        self.region.choices = _choices([("", _l("All regions"))] + [(r.code, str(r.name)) for r in rules.regions])
        self.tier.choices = _tier_choices(blank=True)


class OverrideForm(HubForm):
    tier = SelectField(_l("Tier"), validators=[InputRequired()])
    until = DateField(_l("Until (inclusive)"), validators=[InputRequired(message=_l("Enter the end date."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give a reason for the override.")),
                                                     Length(max=1000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = _tier_choices(blank=False)

    def validate_tier(self, field):
        if field.data not in TIER_ORDER:
            raise ValidationError(_l("Choose a tier from the list."))


class LineActionForm(HubForm):
    line_id = HiddenField(validators=[InputRequired()])
    action = HiddenField(validators=[InputRequired()])

    def validate_action(self, field):
        if field.data not in (APPROVED, PAID):
            raise ValidationError(_l("Unknown action."))

    def validate_line_id(self, field):
        if valid_id(field.data) is None:
            raise ValidationError(_l("Unknown line."))


# --- individual terms (R5) ---------------------------------------------------------------------

class PercentField(StringField):
    """A percentage as typed ("18", "18,5"), held as a Decimal in `.data` (None when empty); a
    negative, absurd or unreadable value gets a message next to the field."""

    def __init__(self, label=None, validators=None, high=100, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off"}
        render_kw.update(kwargs.pop("render_kw", None) or {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.high = high
        self._problem = None

    def process_formdata(self, valuelist):
        from .terms import parse_percent
        self._problem = None
        if not valuelist:
            return
        self.raw_data = [valuelist[0].strip(), *valuelist[1:]]
        if not self.raw_data[0]:
            self.data = None
            return
        self.data = parse_percent(valuelist[0])
        if self.data is None:
            self._problem = _l("Enter a percentage as a number from 0 to 100, for example 18 or 18.5 "
                               "(at most three decimals).")

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format(self.data, "f") if self.data is not None else ""

    def pre_validate(self, form):
        if self._problem is not None:
            raise StopValidation(str(self._problem))
        if self.data is not None and self.data > self.high:
            raise StopValidation(str(_l("A percentage cannot be more than 100.")))


def _product_choices():
    return _choices([(p.code, str(p.name)) for p in program_rules.current().products])


class _TermForm(HubForm):
    valid_from = DateField(_l("First day"), validators=[InputRequired(message=_l("Enter the first day."))])
    valid_to = DateField(_l("Last day (inclusive)"), validators=[InputRequired(message=_l("Enter the last day."))])
    reason = TextAreaField(_l("Reason (the partner sees it)"),
                           validators=[DataRequired(message=_l("Give the reason for the individual term.")),
                                       Length(max=1000)])

    def validate_valid_to(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("The last day must not be before the first day."))


class RateTermForm(_TermForm):
    product = SelectField(_l("Product"), validators=[InputRequired()])
    percent = PercentField(_l("Commission rate, %"),
                           validators=[InputRequired(message=_l("Enter the rate in percent."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.product.choices = _product_choices()


class PlanTermForm(_TermForm):
    target = MoneyField(_l("Quarterly target of won revenue, ₽"),
                        validators=[InputRequired(message=_l("Enter the quarterly target."))], minimum=1)
    bonus = MoneyField(_l("Bonus when reached, ₽"), validators=[Optional()], minimum=1)
    bonus_percent = PercentField(_l("or the bonus as a percentage of the quarter's revenue"), validators=[Optional()])

    def validate_bonus_percent(self, field):
        if field.data is not None and field.data <= 0:
            raise ValidationError(_l("A bonus percentage must be above zero."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.bonus.errors and not self.bonus_percent.errors:
            if (self.bonus.data is None) == (self.bonus_percent.data is None):
                self.bonus.errors = list(self.bonus.errors) + [
                    str(_l("Enter the bonus either in roubles or as a percentage, not both."))]
                ok = False
        return ok


class RevokeTermForm(HubForm):
    reason = StringField(_l("Reason for revoking the term"),
                         validators=[DataRequired(message=_l("Give the reason for revoking the term.")),
                                     Length(max=1000)])


class ApproveTermForm(HubForm):
    """The second approval: the term is in the URL; the form carries the CSRF token."""
