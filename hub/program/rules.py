"""The program rules (P5): one YAML file, `content/program.yml`, read by the engine and the public page.

The file is made of top-level sections, each validated by a pydantic model its owner declares.
This module owns the core every feature shares: `program`, `products`, `regions`, `tiers` and the
published economics `commissions`, `spiff` and `retro_bonus` (the program page and the calculator
show them, the rewards engine pays by them). A feature declares its own sections in its package —
hub/deals/rules.py (`deals`, `territories`), hub/rewards/rules.py (`points`,
`demotion_grace_days`) — so a new feature adds its section without touching hub/program:

    # hub/events/rules.py, imported by hub/events/__init__.py
    from ..program.rules import RulesModel, WholeNumber, rules_section

    @rules_section("events")
    class EventRules(RulesModel):
        offer_hold_hours: WholeNumber(1)
        reminder_days: WholeNumber(0) = 1

    rules.current().events.offer_hold_hours          # where it is read

`register_section(key, annotation)` does the same for a section that is not a mapping (a number, a
list). `load(path)` validates the file against every registered section, in registration order (the
core first), and raises RulesError naming the file, the key path (`tiers[2].thresholds.min_quality`)
and the problem, for every problem found; a key no section claims is an error too (a misspelt
optional section would otherwise be ignored without a word). A section that checks another one
(territories name regions) says `needs=("regions",)` and reads it with `earlier(info, "regions")`
in its validators; it is skipped while what it needs is broken, so one mistake gives one message.

The field types below (WholeNumber, Number, Percent, Roubles, Code, Text, NonEmptyList, ListOf,
MappingOf, Date, TimeZone) carry the messages the file's authors read. A validator raises
`ValueError("is not one of the regions: 'x'")` for a problem with the value it checks, and
`problem_at(loc, message)` for one it finds deeper (a validator that looks at several values).
Money in the file is in roubles (integers or decimals), held as integer kopecks.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

import yaml
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError,
                      ValidationInfo, model_validator)
from pydantic_core import PydanticCustomError

LANGS = ("ru", "en")
TIER_ORDER = ("bronze", "silver", "gold", "platinum")


class RulesError(ValueError):
    """The rules file is not usable; `key` and `problem` are the first problem, `problems` all of them."""

    def __init__(self, path: Path | str, key: str, problem: str, more: list[tuple[str, str]] | tuple = ()):
        self.path, self.key, self.problem = str(path), key, problem
        self.problems = [(key, problem), *more]
        super().__init__("\n".join(f"{path}: {k}: {p}" for k, p in self.problems))


# --- field types and how problems are reported ------------------------------------------------

def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("program_rules", "{problem}", {"problem": message})


def problem_at(loc: tuple, message: str, value: Any = None) -> ValidationError:
    """A problem at `loc` (relative to what the validator validates), for a validator to raise."""
    return ValidationError.from_exception_data(
        "program rules", [{"type": _problem(message), "loc": loc, "input": value}])


def _bounds(low, high, value) -> str:
    bound = f"between {low} and {high}" if high is not None else f"at least {low}"
    return f"must be {bound}, got {value}"


def _whole(minimum: int, maximum: int | None):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _problem(f"must be a whole number, got {value!r}")
        if value < minimum or (maximum is not None and value > maximum):
            raise _problem(_bounds(minimum, maximum, value))
        return value
    return check


def WholeNumber(minimum: int = 0, maximum: int | None = None):  # noqa: N802 - a type, used as one
    return Annotated[int, BeforeValidator(_whole(minimum, maximum))]


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


class RulesModel(BaseModel):
    """Base of every section model: frozen, a mapping, and no key it does not know."""

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


class Text(RulesModel):
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
    if error["type"] == "program_rules":
        return error["ctx"]["problem"]
    if error["type"] == "value_error":  # a validator's `raise ValueError("is not ...")`
        return error["msg"].removeprefix("Value error, ")
    template = _MESSAGES.get(error["type"])
    if template:
        return template.format(input=error.get("input"))
    message = error["msg"]
    return "must be " + message[len("Input should be "):] if message.startswith("Input should be ") else message


# --- the section registry ---------------------------------------------------------------------

@dataclass(frozen=True)
class Section:
    key: str
    adapter: TypeAdapter
    required: bool
    default: Any
    needs: tuple[str, ...]


_SECTIONS: dict[str, Section] = {}


def register_section(key: str, annotation: Any, *, required: bool = True, default: Any = None,
                     needs: tuple[str, ...] = ()) -> None:
    """Declare the top-level `key` of program.yml, validated as `annotation` (a pydantic model or any
    type pydantic validates). `default` (as it would be written in the file) stands in when an
    optional section is absent. Registering the same key again replaces it."""
    _SECTIONS[key] = Section(key, TypeAdapter(annotation), required, default, tuple(needs))


def rules_section(key: str, *, required: bool = True, default: Any = None, needs: tuple[str, ...] = ()):
    """Class decorator: the model validates the section `key` (see register_section)."""
    def decorator(model):
        register_section(key, model, required=required, default=default, needs=needs)
        return model
    return decorator


def section_keys() -> list[str]:
    return list(_SECTIONS)


def earlier(info: ValidationInfo, key: str) -> Any:
    """A section validated before this one (declare it in `needs`)."""
    return (info.context or {})["sections"][key]


# --- the core sections --------------------------------------------------------------------------

class ProgramInfo(RulesModel):
    name: Text
    tagline: Text
    value_points: NonEmptyList[Text]
    extra_income: NonEmptyList[Text]
    ttfd_target_days: WholeNumber(1)
    timezone: TimeZone


class Product(RulesModel):
    code: Code
    name: Text
    licence_price_kopecks: Roubles = Field(alias="licence_price_rub")


class Region(RulesModel):
    code: Code
    name: Text


class Thresholds(RulesModel):
    revenue_12m_kopecks: Roubles = Field(alias="revenue_12m_rub")
    certified_people: WholeNumber(0)
    min_quality: Number(0, 10, optional=True) = None


class Tier(RulesModel):
    code: Code
    name: Text
    thresholds: Thresholds
    benefits: NonEmptyList[Text]
    mdf_quarter_kopecks: Roubles = Field(alias="mdf_quarter_rub")
    share_guide: Text

    @property
    def min_revenue_kopecks(self) -> int:
        return self.thresholds.revenue_12m_kopecks

    @property
    def min_certified_people(self) -> int:
        return self.thresholds.certified_people

    @property
    def min_quality(self) -> Decimal | None:
        return self.thresholds.min_quality


class Spiff(RulesModel):
    first_deal_kopecks: Roubles = Field(alias="first_deal_rub")


class RetroBonus(RulesModel):
    min_quarter_revenue_kopecks: Roubles = Field(alias="quarter_revenue_rub")
    percent: Percent


def _unique_codes(items: tuple) -> tuple:
    seen = set()
    for item in items:
        if item.code in seen:
            raise _problem(f"code {item.code!r} appears twice")
        seen.add(item.code)
    return items


def _tiers_in_order(tiers: tuple[Tier, ...]) -> tuple[Tier, ...]:
    codes = [t.code for t in tiers]
    _unique_codes(tiers)
    missing = [code for code in TIER_ORDER if code not in codes]
    if missing:
        raise _problem(f"tier {missing[0]!r} is missing (the tiers are {', '.join(TIER_ORDER)})")
    unknown = [code for code in codes if code not in TIER_ORDER]
    if unknown:
        raise _problem(f"unknown tier {unknown[0]!r} (the tiers are {', '.join(TIER_ORDER)})")
    if tuple(codes) != TIER_ORDER:
        raise _problem(f"must list {', '.join(TIER_ORDER)} in that order")
    for i, (low, high) in enumerate(zip(tiers, tiers[1:]), start=1):
        below = f"must not be lower than the threshold of {low.code}"
        if high.min_revenue_kopecks < low.min_revenue_kopecks:
            raise problem_at((i, "thresholds", "revenue_12m_rub"), below)
        if high.min_certified_people < low.min_certified_people:
            raise problem_at((i, "thresholds", "certified_people"), below)
        if low.min_quality is not None and (high.min_quality is None or high.min_quality < low.min_quality):
            raise problem_at((i, "thresholds", "min_quality"), below)
    return tiers


def _steps_going_up(steps: tuple[RetroBonus, ...]) -> tuple[RetroBonus, ...]:
    # Steps are listed from the lowest up; a higher step must pay more, or it is a typo.
    for i, (low, high) in enumerate(zip(steps, steps[1:]), start=1):
        if high.min_quarter_revenue_kopecks <= low.min_quarter_revenue_kopecks:
            raise problem_at((i, "quarter_revenue_rub"), "must be higher than the step before it")
        if high.percent <= low.percent:
            raise problem_at((i, "percent"), "must be higher than the percent of the step before it")
    return steps


Commissions = MappingOf[str, MappingOf[str, Percent]]


def _commissions_cover_products(rates: dict, info: ValidationInfo) -> dict:
    products = [p.code for p in earlier(info, "products")]
    for code in products:
        if code not in rates:
            raise problem_at((code,), "is missing: every product needs a rate per tier")
        for tier in TIER_ORDER:
            if tier not in rates[code]:
                raise problem_at((code, tier), "is missing")
        for tier in rates[code]:
            if tier not in TIER_ORDER:
                raise problem_at((code, tier), f"is not a tier (the tiers are {', '.join(TIER_ORDER)})")
    for code in rates:
        if code not in products:
            raise problem_at((code,), "names a product that is not in products")
    return rates


register_section("program", ProgramInfo)
register_section("products", Annotated[NonEmptyList[Product], AfterValidator(_unique_codes)])
register_section("regions", Annotated[NonEmptyList[Region], AfterValidator(_unique_codes)])
register_section("tiers", Annotated[ListOf[Tier], AfterValidator(_tiers_in_order)])
register_section("commissions", Annotated[Commissions, AfterValidator(_commissions_cover_products)],
                 needs=("products",))
register_section("spiff", Spiff)
register_section("retro_bonus", Annotated[ListOf[RetroBonus], AfterValidator(_steps_going_up)])


# --- the validated file -----------------------------------------------------------------------

class Rules:
    """The program as the file says: `rules.<section>` for every registered section (the validated
    model, or value), plus the core's shortcuts below."""

    def __init__(self, path: str, sections: dict[str, Any]):
        self.path = path
        self._sections = dict(sections)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._sections[name]
        except KeyError:
            raise AttributeError(f"the program rules have no section {name!r}") from None

    def section(self, key: str) -> Any:
        return self._sections[key]

    # the program section, flat: what the pages print most
    @property
    def name(self) -> Text:
        return self.program.name

    @property
    def tagline(self) -> Text:
        return self.program.tagline

    @property
    def value_points(self) -> tuple[Text, ...]:
        return self.program.value_points

    @property
    def extra_income(self) -> tuple[Text, ...]:
        return self.program.extra_income

    @property
    def ttfd_target_days(self) -> int:
        return self.program.ttfd_target_days

    @property
    def timezone(self) -> str:
        return self.program.timezone

    @property
    def commission_percent(self) -> dict[str, dict[str, Decimal]]:
        """product -> tier -> percent."""
        return self.commissions

    @property
    def spiff_first_deal_kopecks(self) -> int:
        return self.spiff.first_deal_kopecks

    @property
    def retro_bonuses(self) -> tuple[RetroBonus, ...]:
        return self.retro_bonus

    def product(self, code: str) -> Product | None:
        return next((p for p in self.products if p.code == code), None)

    def region(self, code: str) -> Region | None:
        return next((r for r in self.regions if r.code == code), None)

    def tier(self, code: str) -> Tier | None:
        return next((t for t in self.tiers if t.code == code), None)

    def rate(self, product: str, tier: str) -> Decimal:
        return self.commissions[product][tier]


def load(path: str | Path) -> Rules:
    """Read and validate the file against the registered sections (the features register theirs
    when their packages are imported: create_app imports them all, see hub/features.py)."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesError(path, "(file)", "does not exist") from None
    except UnicodeDecodeError:
        raise RulesError(path, "(file)", "is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise RulesError(path, "(file)", f"is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise RulesError(path, "(top level)", "must be a mapping of keys to values")
    for name in raw:
        if name not in _SECTIONS:
            raise RulesError(path, str(name), f"is not a known key (known: {', '.join(_SECTIONS)})")

    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for section in _SECTIONS.values():
        if section.key not in raw and section.required:
            problems.append((section.key, "is missing"))
            continue
        if any(need not in values for need in section.needs):
            continue  # what it checks against is broken (and reported) already
        data = raw[section.key] if section.key in raw else section.default
        try:
            values[section.key] = section.adapter.validate_python(data, context={"sections": values})
        except ValidationError as exc:
            problems.extend((key_path((section.key, *error["loc"])), describe(error)) for error in exc.errors())
    if problems:
        raise RulesError(path, *problems[0], more=problems[1:])
    return Rules(str(path), values)


def current() -> Rules:
    """The rules the running app loaded, re-read when the file changes.

    A file broken while the app runs does not take the site down: the last valid rules stay in
    force and the error is logged once (`flask --app hub content load` reports it too). A broken
    file at start-up, on the other hand, stops the app (see hub._init_rules).
    """
    from flask import current_app
    holder = current_app.extensions["program_rules"]
    path = Path(holder["path"])
    mtime = path.stat().st_mtime if path.exists() else None
    if mtime != holder["mtime"]:
        holder["mtime"] = mtime
        try:
            holder["rules"] = load(path)
        except RulesError as exc:
            current_app.logger.error("program rules not reloaded, the previous ones stay in force: %s", exc)
    return holder["rules"]
