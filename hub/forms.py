"""The base of every form in the hub, and the generic bounds of its fields.

`HubForm` (use it instead of FlaskForm) adds, for every field of every form:
- a value that holds a NUL byte or is not valid UTF-8 (hub/inputs.py) becomes an error next to
  its field, and the field's data is emptied so that nothing, not even a "check as you type" query,
  passes it to the database;
- a single-valued field sent twice (`a=1&a=2`) is an error next to the field;
- on a GET of `...?_draft=<token>` (the address a login after an expired session comes back to,
  hub/drafts.py) the form fills itself with what was typed before, never a password or a file.

`DateField` here accepts only dates in a sane window (DATE_MIN..DATE_MAX unless a field narrows it)
and says so next to the field; features add their own business rules on top. `valid_id()` reads
an id sent by a form (1 .. MAX_ID, what an Integer column holds on PostgreSQL).

`MoneyField` is the one money field: deals, the calculators and MDF parse roubles one way
(`parse_roubles`, Babel's `parse_decimal` for the reader's language), with one ceiling from the
program rules. The limits come through the `money_limits` fact (hub/facts.py), which the deals'
rules section provides: this module imports no feature, so any feature's forms can import it.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Callable

from babel import Locale
from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from flask import flash, has_request_context, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FieldList, FileField, MultipleFileField, PasswordField, SelectMultipleField, StringField
from wtforms import DateField as _WTFormsDateField
from wtforms.validators import StopValidation

from . import drafts, facts
from .i18n import locale_code, money
from .inputs import MAX_ID, is_bad, unguarded

DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)

BAD_TEXT = _l("This field contains characters that cannot be stored (a NUL byte, or text that is not "
              "valid UTF-8). Retype it.")
DUPLICATED = _l("This field was sent more than once. Reload the page and send the form again.")
RESTORED = _l("What you typed before logging in is back in the form. Check it and send it again.")

_MULTI = (SelectMultipleField, MultipleFileField, FieldList)
_NEVER_RESTORED = (PasswordField, FileField, MultipleFileField)


def _refuse(_form):
    raise StopValidation()  # the message is already among the field's process errors


def _empty(field):
    if isinstance(field, BooleanField):
        return False
    if isinstance(field, _MULTI):
        return []
    return None


class HubForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            # Read every value, bad ones included: this form reports them next to their fields.
            return unguarded(super().wrap_formdata(form, formdata))

    def __init__(self, formdata=_Auto, **kwargs):
        super().__init__(formdata=formdata, **kwargs)
        if formdata is _Auto or formdata is None:
            self._restore_draft()

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data, extra_filters, **kwargs)
        self.input_problems: dict[str, str] = {}
        for field in self:
            field.__dict__.pop("pre_validate", None)
            raw = getattr(field, "raw_data", None) or []
            if any(is_bad(value) for value in raw):
                problem = BAD_TEXT
            elif len(raw) > 1 and not isinstance(field, _MULTI):
                problem = DUPLICATED
            else:
                continue
            field.data = _empty(field)
            field.raw_data = []
            # Shown next to the field even when the view never validates (a GET filter, a live check);
            # validate() starts again from process_errors, and the field's own checks are skipped.
            field.process_errors = [problem]
            field.errors = [problem]
            field.pre_validate = _refuse
            self.input_problems[field.name] = str(problem)

    def _restore_draft(self) -> None:
        if not has_request_context() or request.method != "GET" or drafts.PARAM not in request.args:
            return
        draft = drafts.restore()
        if draft is None:
            return
        names = {f.name for f in self if not isinstance(f, _NEVER_RESTORED)}
        kept = MultiDict([(k, v) for k, v in draft.items(multi=True) if k in names])
        if not kept:
            return
        self.process(formdata=kept)
        if not request.environ.get("hub.draft_flashed"):
            request.environ["hub.draft_flashed"] = True
            flash(str(RESTORED), "info")


class DateField(_WTFormsDateField):
    """A date within [earliest, latest] (the hub's window by default); outside it, a message next to
    the field and no further checks (which might compute with an absurd date)."""

    def __init__(self, label=None, validators=None, earliest: date = DATE_MIN, latest: date = DATE_MAX,
                 **kwargs):
        render_kw = dict(kwargs.pop("render_kw", None) or {})
        render_kw.setdefault("min", earliest.isoformat())
        render_kw.setdefault("max", latest.isoformat())
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.earliest, self.latest = earliest, latest

    def pre_validate(self, form):
        if self.data is not None and not (self.earliest <= self.data <= self.latest):
            message = _("Enter a date between %(start)s and %(end)s.",
                        start=format_date(self.earliest, "medium"), end=format_date(self.latest, "medium"))
            self.data = None
            raise StopValidation(message)


def valid_id(value) -> int | None:
    """An id as a form sends it (digits only, 1 .. MAX_ID), or None."""
    text = value.strip() if isinstance(value, str) else ""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


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
        # Every value stays in raw_data, so that HubForm sees a field sent twice.
        self.raw_data = [valuelist[0].strip(), *valuelist[1:]]
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
