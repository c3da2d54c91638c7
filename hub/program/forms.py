from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import ValidationError

from ..forms import HubForm
from .rules import Rules

MAX_LICENCES = 100_000
MAX_DEALS = 10_000
MAX_AMOUNT_KOPECKS = 100_000_000_000 * 100  # 100 bn roubles: anything above is a typo
_SPACES = re.compile(r"[\s\u00a0\u202f_']")
_DIGITS = re.compile(r"[0-9]+")
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?")


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


class RoublesField(StringField):
    """An amount in roubles typed as a person would ("1 500 000", "99,90"), kept as kopecks."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.kopecks: int | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.kopecks = None
        text = _SPACES.sub("", self.data or "").replace(",", ".")
        if not text:
            return
        if not _AMOUNT.fullmatch(text):
            raise ValueError(_l("Enter an amount in roubles, for example 1 500 000."))
        kopecks = Decimal(text) * 100
        if kopecks != kopecks.to_integral_value():
            raise ValueError(_l("At most two digits after the decimal point."))
        if kopecks > MAX_AMOUNT_KOPECKS:
            raise ValueError(_l("That amount is too large."))
        self.kopecks = int(kopecks)


class CalculatorForm(HubForm):
    """The earnings calculator: a GET form (no state changes, so no CSRF token)."""

    class Meta:
        csrf = False

    product = SelectField(_l("Product"))
    tier = SelectField(_l("Your tier"))
    licences = WholeNumberField(_l("Licences per deal"), maximum=MAX_LICENCES)
    deal_amount = RoublesField(_l("Or the licence amount of a deal, ₽"))
    deals_per_year = WholeNumberField(_l("Deals per year"), maximum=MAX_DEALS)
    implementation = RoublesField(_l("Your implementation revenue per deal, ₽"))
    first_deal = BooleanField(_l("It includes our first deal (SPIFF)"))

    def __init__(self, rules: Rules, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.product.choices = [(p.code, str(p.name)) for p in rules.products]
        self.tier.choices = [(t.code, str(t.name)) for t in rules.tiers]

    def validate_licences(self, field):
        if field.errors or self.deal_amount.process_errors:
            return
        if field.number is None and self.deal_amount.kopecks is None:
            raise ValidationError(_l("Enter the number of licences or a deal amount."))

    def validate_deal_amount(self, field):
        if field.kopecks == 0:
            raise ValidationError(_l("The amount must be more than zero."))

    def validate_deals_per_year(self, field):
        if field.number is None and not field.errors:
            raise ValidationError(_l("Enter how many deals a year you expect."))
