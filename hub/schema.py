"""Validating YAML with pydantic, in the hub's words: field types and problem messages shared by
program.yml (hub/program/rules.py) and the content loaders (academy, library, badges, pages).

A model derives from `Model` (frozen, a mapping, no unknown key); its fields use the types below,
whose messages read the same everywhere ("must be a whole number, got 'ten'", "must be at least 1,
got 0", "is not a known key (known: title, order)"). `problems(exc)` turns a ValidationError into
(key path, problem) pairs such as ("tiers[2].thresholds.min_quality", "must be between 0 and 10,
got 11"); `validate(annotation, data, path)` raises ContentError naming the file, the keys and the
problems. A validator raises `ValueError("problem")` for the value it checks and
`problem_at(loc, "problem")` for one it finds deeper.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from .content import ContentError

LANGS = ("ru", "en")


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("hub_schema", "{problem}", {"problem": message})


def problem_at(loc: tuple, message: str, value: Any = None) -> ValidationError:
    """A problem at `loc` (relative to what the validator validates), for a validator to raise."""
    return ValidationError.from_exception_data(
        "hub schema", [{"type": _problem(message), "loc": loc, "input": value}])


def _bounds(low, high, value) -> str:
    bound = f"between {low} and {high}" if high is not None else f"at least {low}"
    return f"must be {bound}, got {value}"


def _whole(minimum: int, maximum: int | None, optional: bool = False):
    def check(value):
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise _problem(f"must be a whole number, got {value!r}")
        if value < minimum or (maximum is not None and value > maximum):
            raise _problem(_bounds(minimum, maximum, value))
        return value
    return check


def WholeNumber(minimum: int = 0, maximum: int | None = None, optional: bool = False):  # noqa: N802 - a type
    """An int in [minimum, maximum] (never a bool or a float); `optional` also takes None."""
    return Annotated[int | None if optional else int, BeforeValidator(_whole(minimum, maximum, optional))]


def _as_decimal(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise _problem(f"must be a number, got {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _problem(f"must be a number, got {value!r}") from None
    if not number.is_finite():
        raise _problem(f"must be a number, got {value!r}")
    return number


def _number(low: Decimal, high: Decimal | None, optional: bool):
    def check(value):
        if value is None and optional:
            return None
        number = _as_decimal(value)
        if number < low or (high is not None and number > high):
            raise _problem(_bounds(low, high, value))
        return number
    return check


def Number(low: int | Decimal = 0, high: int | Decimal | None = None, optional: bool = False):  # noqa: N802
    """A Decimal in [low, high]; `optional` also takes a missing or empty value (None)."""
    check = _number(Decimal(low), None if high is None else Decimal(high), optional)
    return Annotated[Decimal | None if optional else Decimal, BeforeValidator(check)]


Percent = Number(0, 100)


def _kopecks(value) -> int:
    number = _as_decimal(value)
    if number < 0:
        raise _problem(_bounds(0, None, value))
    kopecks = number * 100
    if kopecks != kopecks.to_integral_value():
        raise _problem("must be whole kopecks (at most two decimals)")
    return int(kopecks)


# Roubles in the file, integer kopecks in the program: name the field `..._kopecks` with the
# file's `..._rub` as its alias (`Field(alias="first_deal_rub")`).
Roubles = Annotated[int, BeforeValidator(_kopecks)]


def _code(value):
    if not isinstance(value, str) or not value or not all(c.isalnum() or c in "-_" for c in value):
        raise _problem(f"must be a code of letters, digits, '-' or '_', got {value!r}")
    return value


Code = Annotated[str, BeforeValidator(_code)]


def _non_empty_text(value):
    if not isinstance(value, str) or not value.strip():
        raise _problem("must be a non-empty text (both ru and en are required)")
    return value.strip()


T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


def _sequence(non_empty: bool):
    def check(value):
        if not isinstance(value, (list, tuple)) or (non_empty and not value):
            raise _problem("must be a non-empty list" if non_empty else "must be a list (may be empty)")
        return value
    return check


NonEmptyList = Annotated[tuple[T, ...], BeforeValidator(_sequence(True))]
ListOf = Annotated[tuple[T, ...], BeforeValidator(_sequence(False))]


def _mapping(value):
    if not isinstance(value, dict):
        raise _problem("must be a mapping of keys to values")
    return value


MappingOf = Annotated[dict[K, V], BeforeValidator(_mapping)]


def _date(value):
    if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
        raise _problem("must be a date (YYYY-MM-DD)")
    return value


Date = Annotated[date, BeforeValidator(_date)]
OptionalDate = Annotated[date | None, BeforeValidator(_date)]


def _zone(value):
    try:
        ZoneInfo(str(value))
    except Exception:  # noqa: BLE001 - ZoneInfo raises several kinds for a bad name
        raise _problem(f"is not a known time zone: {value!r}") from None
    return str(value)


TimeZone = Annotated[str, BeforeValidator(_zone)]


class Model(BaseModel):
    """Base of every model of a YAML file: frozen, a mapping, and no key it does not know."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    not_a_mapping: ClassVar[str] = "must be a mapping of keys to values"

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data):
        if not isinstance(data, dict):
            raise _problem(cls.not_a_mapping)
        known = [field.alias or name for name, field in cls.model_fields.items()]
        unknown = [key for key in data if key not in known]
        if unknown:
            raise ValidationError.from_exception_data(cls.__name__, [
                {"type": _problem(f"is not a known key (known: {', '.join(known)})"), "loc": (str(key),),
                 "input": data[key]} for key in unknown])
        return data


class Text(Model):
    """A bilingual text; `str(text)` picks the current locale."""
    not_a_mapping: ClassVar[str] = "must be a text in both languages: {ru: ..., en: ...}"
    ru: Annotated[str, BeforeValidator(_non_empty_text)] = Field(default=None, validate_default=True)
    en: Annotated[str, BeforeValidator(_non_empty_text)] = Field(default=None, validate_default=True)

    def get(self, locale: str | None) -> str:
        return self.en if (locale or "ru").startswith("en") else self.ru

    def __str__(self) -> str:
        from flask_babel import get_locale
        try:
            locale = str(get_locale() or "ru")
        except RuntimeError:  # outside a request
            locale = "ru"
        return self.get(locale)


_MESSAGES = {
    "missing": "is missing",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "dict_type": "must be a mapping of keys to values",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "string_type": "must be a text, got {input!r}",
    "bool_type": "must be true or false, got {input!r}",
    "bool_parsing": "must be true or false, got {input!r}",
    "extra_forbidden": "is not a known key",
}


def key_path(loc: tuple) -> str:
    """('tiers', 2, 'thresholds', 'min_quality') -> 'tiers[2].thresholds.min_quality'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part != "[key]":
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def describe(error: dict) -> str:
    """A pydantic error in the words of the rest of the hub's messages."""
    if error["type"] == "hub_schema":
        return error["ctx"]["problem"]
    if error["type"] == "value_error":  # a validator's `raise ValueError("is not ...")`
        return error["msg"].removeprefix("Value error, ")
    template = _MESSAGES.get(error["type"])
    if template:
        return template.format(input=error.get("input"))
    message = error["msg"]
    return "must be " + message[len("Input should be "):] if message.startswith("Input should be ") else message


SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _slug(value):
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # an option id written as 1, 2, 3
    if not isinstance(value, str) or not SLUG.fullmatch(value):
        raise _problem(f"must be a slug (lower-case letters, digits, dashes), got {value!r}")
    return value


Slug = Annotated[str, BeforeValidator(_slug)]
OptionalSlug = Annotated[str | None, BeforeValidator(lambda value: None if value is None else _slug(value))]


def _bool(value):
    if not isinstance(value, bool):
        raise _problem(f"must be true or false, got {value!r}")
    return value


Bool = Annotated[bool, BeforeValidator(_bool)]


def _line(limit: int | None):
    def check(value):
        if not isinstance(value, str) or not value.strip():
            raise _problem("must be a non-empty text")
        if limit is not None and len(value.strip()) > limit:
            raise _problem(f"is longer than {limit} characters")
        return value.strip()
    return check


def Line(limit: int | None = None):  # noqa: N802 - a type, used as one
    """One non-empty text (stripped), at most `limit` characters."""
    return Annotated[str, BeforeValidator(_line(limit))]


def problems(exc: ValidationError, prefix: tuple = ()) -> list[tuple[str, str]]:
    return [(key_path((*prefix, *error["loc"])), describe(error)) for error in exc.errors()]


_ADAPTERS: dict[Any, TypeAdapter] = {}


def adapter(annotation: Any) -> TypeAdapter:
    try:
        return _ADAPTERS[annotation]
    except KeyError:
        made = _ADAPTERS[annotation] = TypeAdapter(annotation)
        return made


def validate(annotation: Any, data: Any, path: Path | str, context: dict | None = None, where: str = ""):
    """`data` (read from the file at `path`) as `annotation`; ContentError naming every problem
    ("front matter: minutes: must be at least 1, got 0" with where="front matter")."""
    try:
        return adapter(annotation).validate_python(data, context=context)
    except ValidationError as exc:
        found = "; ".join(f"{key}: {problem}" for key, problem in problems(exc))
        raise ContentError(path, f"{where}: {found}" if where else found) from None


_LIMITED: dict[int, type] = {}


def LimitedText(limit: int) -> type:  # noqa: N802 - a type, used as one
    """A bilingual Text whose ru and en are each at most `limit` characters."""
    if limit not in _LIMITED:
        class Limited(Text):
            @model_validator(mode="after")
            def _short_enough(self):
                for lang in LANGS:
                    if len(getattr(self, lang)) > limit:
                        raise problem_at((lang,), f"is longer than {limit} characters")
                return self

        Limited.__name__ = f"TextOf{limit}"
        _LIMITED[limit] = Limited
    return _LIMITED[limit]


def one_of(values: tuple[str, ...]):
    """A value from `values`: "unknown value 'x' (known: a, b)"."""
    def check(value):
        if value not in values:
            raise _problem(f"unknown value {value!r} (known: {', '.join(values)})")
        return value
    return Annotated[str, BeforeValidator(check)]
