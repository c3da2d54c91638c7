"""Form fields every feature shares. The money field lives here so that deals, the calculators and
MDF parse roubles one way, with one ceiling from the program rules.

The limits come through the `money_limits` fact (hub/facts.py), which the program rules provide
(hub/program/rules.py): this module imports no feature, so any feature's forms can import it.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Callable

from babel import Locale
from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import StopValidation

from . import facts
from .i18n import locale_code, money

# Used only when no provider answers (a bare app without the program rules, some unit tests).
DEFAULT_CEILING_KOPECKS = 10_000_000_000_00
DEFAULT_DEAL_MINIMUM_KOPECKS = 1_000_00

# Grouping people type between digits: spaces of every width, apostrophes, underscores.
_GROUPING = re.compile(r"[\s\u00a0\u202f'_]")
_CURRENCY = re.compile(r"(?:₽|руб\.?|р\.|rub|rur)$", re.IGNORECASE)
# What may remain once grouping and the currency are gone: ASCII digits and the two marks. Babel
# alone would also take exponents, signs and other scripts' digits ("1e5", "-5", "١٢").
_NUMBER = re.compile(r"[0-9][0-9.,]*")
_OTHER_MARK = re.compile(r"([0-9]+)[.,]([0-9]{1,2})")


class MoneyError(ValueError):
    """Text that is not an amount of roubles (the message is for the user)."""


def _locale() -> Locale:
    try:
        return Locale.parse(locale_code())
    except RuntimeError:  # outside a request and an app: the program's language
        return Locale.parse("ru")


def parse_roubles(text: str | None, locale: Locale | str | None = None) -> int | None:
    """Roubles as a person types them in their language -> integer kopecks (None for nothing).

    Russian: «1 500 000,50», «1500000,50»; English: "1,500,000.50", "1500000.50". Spaces group
    digits in both. A lone decimal mark of the other language followed by one or two digits
    ("1500000.50" in Russian, "99,90" in English) cannot be a thousands separator, so it is read as
    the decimal mark too. Signs, exponents, letters and more than two decimals raise MoneyError.
    """
    locale = Locale.parse(locale) if isinstance(locale, str) else (locale or _locale())
    value = _GROUPING.sub("", text or "")
    value = _CURRENCY.sub("", value)
    if not value:
        return None
    if not _NUMBER.fullmatch(value):
        raise MoneyError(_l("Enter an amount in roubles, for example %(example)s.", example=example(locale)))
    try:
        amount = parse_decimal(value, locale=locale, strict=True)
    except NumberFormatError:
        match = _OTHER_MARK.fullmatch(value)
        if match is None:
            raise MoneyError(_l("Enter an amount in roubles, for example %(example)s.",
                                example=example(locale))) from None
        amount = Decimal(f"{match.group(1)}.{match.group(2)}")
    kopecks = amount * 100
    if kopecks != kopecks.to_integral_value():
        raise MoneyError(_l("Use at most two decimals (kopecks)."))
    return int(kopecks)


def example(locale: Locale | None = None) -> str:
    """1 500 000,50 as the locale writes it: the example in hints and messages."""
    locale = locale or _locale()
    return format_decimal(Decimal("1500000.50"), format="#,##0.00", locale=locale)


def kopecks_text(kopecks: int, locale: Locale | None = None) -> str:
    """Kopecks as the field shows them to be edited: «1 500 000» / «1 500 000,50» in Russian."""
    locale = locale or _locale()
    amount = Decimal(kopecks) / 100
    return format_decimal(amount, format="#,##0" if kopecks % 100 == 0 else "#,##0.00", locale=locale)


def _limits() -> dict:
    return facts.get("money_limits", default=None) or {
        "ceiling_kopecks": DEFAULT_CEILING_KOPECKS, "deal_minimum_kopecks": DEFAULT_DEAL_MINIMUM_KOPECKS}


def ceiling_kopecks() -> int:
    """The one upper limit of every money field: `deals.amount_max_rub` in content/program.yml."""
    return _limits()["ceiling_kopecks"]


def deal_minimum_kopecks() -> int:
    """The smallest deal amount: `deals.amount_min_rub` in content/program.yml."""
    return _limits()["deal_minimum_kopecks"]


class MoneyField(StringField):
    """An amount in roubles, held as integer kopecks in `.data` (None when left empty).

    `minimum` (kopecks, or a function giving them, e.g. `deal_minimum_kopecks`) is the smallest
    amount accepted; the ceiling is always the program's. Empty input is left to the validators
    (`InputRequired` or `Optional`; not `DataRequired`, which would take 0 ₽ for nothing).
    """

    def __init__(self, label=None, validators=None, minimum: int | Callable[[], int] = 0, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off"}
        render_kw.update(kwargs.pop("render_kw", None) or {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.minimum = minimum
        self._problem = None

    def process_formdata(self, valuelist):
        self._problem = None
        if not valuelist:
            return
        # Blank is empty: InputRequired then says so, instead of passing on "   " with no amount.
        self.raw_data = [valuelist[0].strip()]
        try:
            self.data = parse_roubles(valuelist[0])
        except MoneyError as exc:
            self.data = None
            self._problem = exc.args[0]

    @property
    def unreadable(self) -> bool:
        """The text could not be read as an amount (its message comes with validation)."""
        return self._problem is not None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return kopecks_text(self.data) if isinstance(self.data, int) else ""

    def pre_validate(self, form):
        if self._problem is not None:
            raise StopValidation(str(self._problem))
        if self.data is None:
            return
        low = self.minimum() if callable(self.minimum) else self.minimum
        high = ceiling_kopecks()
        if self.data < low:
            if low <= 1:
                raise StopValidation(str(_l("The amount must be more than zero.")))
            raise StopValidation(str(_l("The amount must be at least %(min)s.", min=money(low))))
        if self.data > high:
            raise StopValidation(str(_l("The amount must be at most %(max)s.", max=money(high))))
