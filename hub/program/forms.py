from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Optional, ValidationError

from ..forms import HubForm, MoneyField, deal_minimum_kopecks
from .rules import Rules

MAX_LICENCES = 100_000
MAX_DEALS = 10_000
_SPACES = re.compile(r"[\s\u00a0\u202f_']")
_DIGITS = re.compile(r"[0-9]+")


class WholeNumberField(StringField):
    """A positive whole number; spaces between digit groups are allowed ("1 000")."""

    def __init__(self, label=None, validators=None, minimum=1, maximum=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum
        self.number: int | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.number = None
        text = _SPACES.sub("", self.data or "")
        if not text:
            return
        if not _DIGITS.fullmatch(text):
            raise ValueError(_l("Enter a whole number, for example 12."))
        self.number = int(text)

    def pre_validate(self, form):
        if self.number is None:
            return
        if self.number < self.minimum:
            raise ValidationError(_l("Must be at least %(min)s.", min=self.minimum))
        if self.maximum is not None and self.number > self.maximum:
            raise ValidationError(_l("Must be at most %(max)s.", max=f"{self.maximum:,}".replace(",", " ")))


class CalculatorForm(HubForm):
    """The earnings calculator: a GET form (no state changes, so no CSRF token)."""

    class Meta:
        csrf = False

    product = SelectField(_l("Product"))
    tier = SelectField(_l("Your tier"))
    licences = WholeNumberField(_l("Licences per deal"), maximum=MAX_LICENCES)
    deal_amount = MoneyField(_l("Or the licence amount of a deal, ₽"), validators=[Optional()],
                             minimum=deal_minimum_kopecks)
    deals_per_year = WholeNumberField(_l("Deals per year"), maximum=MAX_DEALS)
    implementation = MoneyField(_l("Your implementation revenue per deal, ₽"), validators=[Optional()])
    first_deal = BooleanField(_l("It includes our first deal (SPIFF)"))

    def __init__(self, rules: Rules, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.product.choices = [(p.code, str(p.name)) for p in rules.products]
        self.tier.choices = [(t.code, str(t.name)) for t in rules.tiers]

    def validate_licences(self, field):
        if field.errors or self.deal_amount.unreadable:
            return
        if field.number is None and self.deal_amount.data is None:
            raise ValidationError(_l("Enter the number of licences or a deal amount."))

    def validate_deals_per_year(self, field):
        if field.number is None and not field.errors:
            raise ValidationError(_l("Enter how many deals a year you expect."))
