"""Russian taxpayer numbers (INN): the one place the hub checks them.

The checksum is python-stdnum's `stdnum.ru.inn` (10 digits for a legal entity, 12 for an
individual) rather than a hand-written copy. On top of the checksum the hub refuses numbers that
are one digit repeated (`0000000000` passes the checksum): people type them as placeholders, and
as a deal's customer key a placeholder would become a claim that every other placeholder shares.

Import it from anywhere (accounts, deals, the demo): it imports nothing of the hub.
"""
from __future__ import annotations

import re

from stdnum.exceptions import ValidationError as _StdnumError
from stdnum.ru import inn as _inn

# Problems `problem()` reports; forms and services turn them into their own messages.
LENGTH = "length"
CHECKSUM = "checksum"
PLACEHOLDER = "placeholder"

_SEPARATORS = re.compile(r"[\s\u00a0\u202f-]")


def clean(value: str | None) -> str:
    """The number without the spaces and dashes people paste it with ('' for nothing)."""
    if not value:
        return ""
    return _SEPARATORS.sub("", value)


def problem(value: str | None) -> str | None:
    """What is wrong with an INN (LENGTH, CHECKSUM or PLACEHOLDER), None when it is valid."""
    number = clean(value)
    if not (number.isascii() and number.isdigit() and len(number) in (10, 12)):
        return LENGTH
    if len(set(number)) == 1:
        return PLACEHOLDER
    try:
        _inn.validate(number)
    except _StdnumError:
        return CHECKSUM
    return None


def is_valid(value: str | None) -> bool:
    return problem(value) is None


def company(body9: str) -> str:
    """A legal entity's INN from its first nine digits (region, tax office, record): the check
    digit appended. For generated data (the demo); real numbers are validated, never built."""
    if len(body9) != 9 or not body9.isdigit():
        raise ValueError("nine digits expected")
    return body9 + _inn.calc_company_check_digit(body9)


def personal(body10: str) -> str:
    """An individual's (sole trader's) INN from its first ten digits: both check digits appended."""
    if len(body10) != 10 or not body10.isdigit():
        raise ValueError("ten digits expected")
    return body10 + _inn.calc_personal_check_digits(body10)
