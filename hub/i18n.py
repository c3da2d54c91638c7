"""Languages (P3): choosing the locale and formatting dates and money for it."""
from __future__ import annotations

import contextvars
import functools
from contextlib import contextmanager
from types import SimpleNamespace
from datetime import date, datetime
from decimal import Decimal
from typing import Iterator
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel.numbers import format_currency as _format_currency
import flask_babel
from babel.numbers import parse_pattern
from flask import current_app, has_request_context, request
from flask.globals import _cv_app
from flask_babel import force_locale, format_date, format_datetime, format_time, get_locale
from flask_login import current_user

LANGUAGES = ("ru", "en")
LANG_COOKIE = "hub_lang"


def select_locale() -> str:
    """The user's profile, else the footer switch (a cookie), else the browser, else Russian."""
    if not has_request_context():  # CLI jobs and threads: the default locale (or force_locale)
        return None
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "ru"


def select_timezone() -> str | None:
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated:
        return current_user.timezone
    return None


def locale_code() -> str:
    return str(get_locale() or "ru")


# The zone of the person spoken to (see speaking_to); None: the viewer's, as Flask-Babel chooses.
_zone: contextvars.ContextVar[str | None] = contextvars.ContextVar("speaking_to_zone", default=None)


@contextmanager
def speaking_to(locale: str | None, timezone: str | None) -> Iterator[None]:
    """Translate and format for someone other than the viewer: the recipient of a notification or
    an e-mail, who may read another language in another zone than the person whose action sent it.

    Unknown or missing values fall back to HUB_DEFAULT_LOCALE / HUB_TIMEZONE.
    """
    config = current_app.config
    locale = locale if locale in LANGUAGES else config.get("BABEL_DEFAULT_LOCALE", "ru")
    token = _zone.set(timezone or config.get("BABEL_DEFAULT_TIMEZONE", "UTC"))
    try:
        with force_locale(locale):
            yield
    finally:
        _zone.reset(token)


# --- speed: Flask-Babel's per-call context lookup ---------------------------------------------------
# Every gettext, lazy string and date filter asks Flask-Babel for "the current context" two or three
# times; its lookup goes through the `g` proxy (bool, hasattr, getattr: ~10 us a time), and a deal
# list makes ~150 such calls, 7-8 ms per page. The same namespace reached through the app context's
# context variable costs a tenth of that. Flask-Babel keeps its per-request state (locale, zone,
# translations cache key) in that namespace, so force_locale, refresh() and the selectors behave
# exactly as before. Pinned version (requirements.lock): the test in tests/core/test_speed.py fails
# if an upgrade renames the function.

def _babel_context() -> SimpleNamespace | None:
    ctx = _cv_app.get(None)
    if ctx is None:
        return None
    space = ctx.g.__dict__
    found = space.get("_flask_babel")
    if found is None:
        found = space["_flask_babel"] = SimpleNamespace()
    return found


if hasattr(flask_babel, "_get_current_context"):
    flask_babel._get_current_context = _babel_context


@functools.lru_cache(maxsize=None)
def _money_patterns(code: str):
    """Per locale, parsed once: the whole-roubles pattern and the one with kopecks."""
    locale = Locale.parse(code)
    text = locale.currency_formats["standard"].pattern.replace("\u00a4#", "\u00a4\u00a0#")
    return locale, parse_pattern(text.replace(".00", "")), parse_pattern(text)


def money(kopecks: int | None, currency: str = "RUB") -> str:
    """Integer kopecks per locale: «1 234 567 ₽» / «RUB 1,234,567»; kopecks shown only when present."""
    if kopecks is None:
        return ""
    locale, whole, with_kopecks = _money_patterns(locale_code())
    amount = Decimal(kopecks) / 100
    pattern = whole if kopecks % 100 == 0 else with_kopecks
    return _format_currency(amount, currency, locale=locale, format=pattern, currency_digits=False)


def kopecks_to_input(kopecks: int | None) -> str:
    """A plain number for a form field (no grouping), e.g. 1500000.5 -> '1500000.50'."""
    if kopecks is None:
        return ""
    whole, frac = divmod(kopecks, 100)
    return f"{whole}" if frac == 0 else f"{whole}.{frac:02d}"


def fmt_date(value: date | datetime | None, style: str = "medium") -> str:
    """A date per locale («5 дек. 2026 г.», "Dec 5, 2026"); a datetime is first moved to the zone."""
    if value is None:
        return ""
    zone = _zone.get()
    if zone and isinstance(value, datetime):
        return babel_dates.format_date(value.astimezone(ZoneInfo(zone)).date(), style, locale=locale_code())
    return format_date(value, style)


def fmt_time(value: datetime | None, style: str = "short") -> str:
    if value is None:
        return ""
    zone = _zone.get()
    if zone:
        return babel_dates.format_time(value, style, tzinfo=ZoneInfo(zone), locale=locale_code())
    return format_time(value, style)


def fmt_datetime(value: datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    zone = _zone.get()
    if zone:
        return babel_dates.format_datetime(value, style, tzinfo=ZoneInfo(zone), locale=locale_code())
    return format_datetime(value, style)


def install(app) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date"] = fmt_date
    app.jinja_env.filters["datetime"] = fmt_datetime
    app.jinja_env.globals["locale_code"] = locale_code
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
