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

The field types (WholeNumber, Number, Percent, Roubles, Code, Text, NonEmptyList, ListOf, MappingOf,
Date, TimeZone: hub/schema.py, re-exported here) carry the messages the file's authors read; the
content loaders use the same ones for their YAML. A validator raises
`ValueError("is not one of the regions: 'x'")` for a problem with the value it checks, and
`problem_at(loc, message)` for one it finds deeper (a validator that looks at several values).
Money in the file is in roubles (integers or decimals), held as integer kopecks.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, Field, TypeAdapter, ValidationError, ValidationInfo

# The field types sections use, re-exported: `from ..program.rules import RulesModel, WholeNumber`.
from ..schema import (LANGS, Code, Date, ListOf, MappingOf, Model, NonEmptyList, Number, OptionalDate,  # noqa: F401
                      Percent, Roubles, Text, TimeZone, WholeNumber, describe, key_path,
                      problem_at)

RulesModel = Model
TIER_ORDER = ("bronze", "silver", "gold", "platinum")


# Defaults of the optional deal limits, so that a program.yml written before they existed still loads.
DEFAULT_AMOUNT_MIN_KOPECKS = 1_000_00  # 1 000 roubles: below any real licence deal
DEFAULT_AMOUNT_MAX_KOPECKS = 10_000_000_000_00  # 10 bn roubles: anything above is a typo
DEFAULT_EXPECTED_CLOSE_MAX_DAYS = 730
# Far below BIGINT (9.2e18) even after multiplying by deals per year in the calculator.
AMOUNT_CEILING_LIMIT_KOPECKS = 10**15


class RulesError(ValueError):
    """The rules file is not usable; `key` and `problem` are the first problem, `problems` all of them."""

    def __init__(self, path: Path | str, key: str, problem: str, more: list[tuple[str, str]] | tuple = ()):
        self.path, self.key, self.problem = str(path), key, problem
        self.problems = [(key, problem), *more]
        super().__init__("\n".join(f"{path}: {k}: {p}" for k, p in self.problems))


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
            raise ValueError(f"code {item.code!r} appears twice")
        seen.add(item.code)
    return items


def _tiers_in_order(tiers: tuple[Tier, ...]) -> tuple[Tier, ...]:
    codes = [t.code for t in tiers]
    _unique_codes(tiers)
    missing = [code for code in TIER_ORDER if code not in codes]
    if missing:
        raise ValueError(f"tier {missing[0]!r} is missing (the tiers are {', '.join(TIER_ORDER)})")
    unknown = [code for code in codes if code not in TIER_ORDER]
    if unknown:
        raise ValueError(f"unknown tier {unknown[0]!r} (the tiers are {', '.join(TIER_ORDER)})")
    if tuple(codes) != TIER_ORDER:
        raise ValueError(f"must list {', '.join(TIER_ORDER)} in that order")
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
    from flask.globals import _cv_request
    holder = current_app.extensions["program_rules"]
    # One look at the file per request: a deal list asks for the rules once per row (labels,
    # products), and a stat() each time was a tenth of the page.
    request_ctx = _cv_request.get(None)
    if request_ctx is not None:
        seen = request_ctx.__dict__.get("_hub_rules")
        if seen is not None and seen[0] is holder:
            return seen[1]
    path = Path(holder["path"])
    mtime = path.stat().st_mtime if path.exists() else None
    if mtime != holder["mtime"]:
        holder["mtime"] = mtime
        try:
            holder["rules"] = load(path)
        except RulesError as exc:
            current_app.logger.error("program rules not reloaded, the previous ones stay in force: %s", exc)
    if request_ctx is not None:
        request_ctx.__dict__["_hub_rules"] = (holder, holder["rules"])
    return holder["rules"]

