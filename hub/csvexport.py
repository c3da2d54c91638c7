"""CSV exports, one way for every table the hub exports (deals, commission statements, and the
insights, MDF and event tables to come).

What a reader gets: UTF-8 with a BOM (Excel otherwise reads Cyrillic as mojibake); `;` between
cells for Russian readers (Russian Excel splits on `;` because `,` is its decimal mark) and `,`
for English ones; headers and statuses in the reader's language (the caller passes translated
labels); decimals with the reader's decimal mark and no grouping, so the spreadsheet takes them as
numbers; dates and times in the program's time zone as `YYYY-MM-DD [HH:MM]`, which Excel and
LibreOffice read in both languages.

Formula injection (OWASP "CSV Injection"): a text cell that starts with `=`, `+`, `-`, `@`, a tab
or a carriage return would be run by the spreadsheet as a formula; such cells get a leading `'`.
Only text is escaped: numbers the hub formats itself (negative amounts included) are not text.

    return csvexport.response("deals.csv", [_("Customer"), _("Amount, RUB")],
                              ((d.customer_name, csvexport.Roubles(d.amount_kopecks)) for d in deals))
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Iterator, Sequence
from zoneinfo import ZoneInfo

from flask import Response, stream_with_context
from flask_babel import gettext as _

from .i18n import locale_code
from .program import rules as program_rules

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 500


@dataclass(frozen=True)
class Roubles:
    """An amount of integer kopecks, written as roubles with two decimals ("1500000,50")."""
    kopecks: int | None


def escape(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


def _locale() -> str:
    try:
        return locale_code()
    except RuntimeError:  # outside a request: the program's language
        return "ru"


def delimiter(locale: str) -> str:
    return ";" if locale.startswith("ru") else ","


def _zone() -> ZoneInfo:
    return ZoneInfo(program_rules.current().timezone)


class Formatter:
    """Turns Python values into cell text for one locale and zone."""

    def __init__(self, locale: str, zone: ZoneInfo):
        self.mark = "," if locale.startswith("ru") else "."
        self.zone = zone
        self.yes, self.no = _("yes"), _("no")

    def decimal(self, value: Decimal) -> str:
        return format(value, "f").replace(".", self.mark)

    def __call__(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return self.yes if value else self.no
        if isinstance(value, Roubles):
            if value.kopecks is None:
                return ""
            return self.decimal((Decimal(value.kopecks) / 100).quantize(Decimal("0.01")))
        if isinstance(value, int):
            return str(value)
        if isinstance(value, Decimal):
            return self.decimal(value.normalize())
        if isinstance(value, datetime):
            return value.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, date):
            return value.isoformat()
        return escape(str(value))


def generate(headers: Sequence, rows: Iterable[Sequence], locale: str | None = None,
             zone: ZoneInfo | None = None, chunk: int = CHUNK_ROWS) -> Iterator[str]:
    """The CSV text in pieces (BOM, header row, then `chunk` rows at a time), for streaming."""
    locale = locale or _locale()
    cell = Formatter(locale, zone or _zone())
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter(locale), lineterminator="\r\n")
    writer.writerow([escape(str(h)) for h in headers])
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, 1):
        writer.writerow([cell(value) for value in row])
        if n % chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def text(headers: Sequence, rows: Iterable[Sequence], locale: str | None = None,
         zone: ZoneInfo | None = None) -> str:
    """The whole CSV as one string (tests, small exports)."""
    return "".join(generate(headers, rows, locale, zone))


def response(filename: str, headers: Sequence, rows: Iterable[Sequence]) -> Response:
    """A streamed download. The rows are produced while the response is sent, inside the
    request's context (its session and locale); `filename` is ASCII."""
    out = Response(stream_with_context(generate(headers, rows)), mimetype="text/csv")
    out.headers["Content-Type"] = "text/csv; charset=utf-8"
    out.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return out
