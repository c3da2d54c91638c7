"""The program rules (P5): one YAML file read by the engine and by the public program page.

`load(path)` validates the whole file and raises RulesError naming the file, the key and what
is wrong. Money in the file is in roubles (integers or decimals), held here as integer kopecks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .. import facts

LANGS = ("ru", "en")
TIER_ORDER = ("bronze", "silver", "gold", "platinum")
TOP_LEVEL_KEYS = ("program", "products", "regions", "tiers", "commissions", "deals", "spiff", "retro_bonus",
                  "points", "demotion_grace_days", "territories")


# Defaults of the optional deal limits, so that a program.yml written before they existed still loads.
DEFAULT_AMOUNT_MIN_KOPECKS = 1_000_00  # 1 000 roubles: below any real licence deal
DEFAULT_AMOUNT_MAX_KOPECKS = 10_000_000_000_00  # 10 bn roubles: anything above is a typo
DEFAULT_EXPECTED_CLOSE_MAX_DAYS = 730
# Far below BIGINT (9.2e18) even after multiplying by deals per year in the calculator.
AMOUNT_CEILING_LIMIT_KOPECKS = 10**15


class RulesError(ValueError):
    def __init__(self, path: Path | str, key: str, problem: str):
        self.path, self.key, self.problem = str(path), key, problem
        super().__init__(f"{path}: {key}: {problem}")


@dataclass(frozen=True)
class Text:
    """A bilingual string; `str(text)` picks the current locale."""
    ru: str
    en: str

    def get(self, locale: str | None) -> str:
        return self.en if (locale or "ru").startswith("en") else self.ru

    def __str__(self) -> str:
        from flask_babel import get_locale
        try:
            locale = str(get_locale() or "ru")
        except RuntimeError:  # outside a request
            locale = "ru"
        return self.get(locale)


@dataclass(frozen=True)
class Product:
    code: str
    name: Text
    licence_price_kopecks: int


@dataclass(frozen=True)
class Region:
    code: str
    name: Text


@dataclass(frozen=True)
class Tier:
    code: str
    name: Text
    min_revenue_kopecks: int
    min_certified_people: int
    min_quality: Decimal | None
    benefits: tuple[Text, ...]
    mdf_quarter_kopecks: int
    share_guide: Text


@dataclass(frozen=True)
class RetroBonus:
    min_quarter_revenue_kopecks: int
    percent: Decimal


@dataclass(frozen=True)
class Territory:
    region: str
    partner: str  # organisation slug
    until: date | None


@dataclass(frozen=True)
class Rules:
    path: str
    name: Text
    tagline: Text
    value_points: tuple[Text, ...]
    extra_income: tuple[Text, ...]
    ttfd_target_days: int
    timezone: str
    products: tuple[Product, ...]
    regions: tuple[Region, ...]
    tiers: tuple[Tier, ...]
    commission_percent: dict[str, dict[str, Decimal]]  # product -> tier -> percent
    protection_days: int
    decision_sla_hours: int
    extension_days: int
    spiff_first_deal_kopecks: int
    retro_bonuses: tuple[RetroBonus, ...]
    points: dict[str, int]
    demotion_grace_days: int
    territories: tuple[Territory, ...] = field(default=())
    # Deal input limits (deals.amount_min_rub, deals.amount_max_rub, deals.expected_close_max_days):
    # the ceiling is the one limit of every money field in the hub (hub/forms.py MoneyField).
    amount_min_kopecks: int = DEFAULT_AMOUNT_MIN_KOPECKS
    amount_max_kopecks: int = DEFAULT_AMOUNT_MAX_KOPECKS
    expected_close_max_days: int = DEFAULT_EXPECTED_CLOSE_MAX_DAYS

    def product(self, code: str) -> Product | None:
        return next((p for p in self.products if p.code == code), None)

    def region(self, code: str) -> Region | None:
        return next((r for r in self.regions if r.code == code), None)

    def tier(self, code: str) -> Tier | None:
        return next((t for t in self.tiers if t.code == code), None)

    def rate(self, product: str, tier: str) -> Decimal:
        return self.commission_percent[product][tier]

    def exclusive_partner(self, region: str, on: date) -> str | None:
        for territory in self.territories:
            if territory.region == region and (territory.until is None or on <= territory.until):
                return territory.partner
        return None


# --- validation -------------------------------------------------------------------------------

class _Reader:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, problem: str):
        raise RulesError(self.path, key, problem)

    def mapping(self, data: Any, key: str) -> dict:
        if not isinstance(data, dict):
            self.fail(key, "must be a mapping of keys to values")
        return data

    def get(self, data: dict, name: str, key: str) -> Any:
        if name not in data:
            self.fail(f"{key}.{name}" if key else name, "is missing")
        return data[name]

    def text(self, data: Any, key: str) -> Text:
        data = self.mapping(data, key)
        for lang in LANGS:
            value = data.get(lang)
            if not isinstance(value, str) or not value.strip():
                self.fail(f"{key}.{lang}", "must be a non-empty text (both ru and en are required)")
        return Text(ru=data["ru"].strip(), en=data["en"].strip())

    def texts(self, data: Any, key: str) -> tuple[Text, ...]:
        if not isinstance(data, list) or not data:
            self.fail(key, "must be a non-empty list")
        return tuple(self.text(item, f"{key}[{i}]") for i, item in enumerate(data))

    def integer(self, data: Any, key: str, minimum: int = 0) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail(key, f"must be a whole number, got {data!r}")
        if data < minimum:
            self.fail(key, f"must be at least {minimum}, got {data}")
        return data

    def decimal(self, data: Any, key: str, low: Decimal = Decimal(0), high: Decimal | None = None) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, (int, float, str)):
            self.fail(key, f"must be a number, got {data!r}")
        try:
            value = Decimal(str(data))
        except InvalidOperation:
            self.fail(key, f"must be a number, got {data!r}")
        if not value.is_finite() or value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.fail(key, f"must be {bound}, got {data}")
        return value

    def roubles(self, data: Any, key: str) -> int:
        value = self.decimal(data, key)
        kopecks = value * 100
        if kopecks != kopecks.to_integral_value():
            self.fail(key, "must be whole kopecks (at most two decimals)")
        return int(kopecks)

    def code(self, data: Any, key: str) -> str:
        if not isinstance(data, str) or not data or not all(c.isalnum() or c in "-_" for c in data):
            self.fail(key, f"must be a code of letters, digits, '-' or '_', got {data!r}")
        return data


def load(path: str | Path) -> Rules:
    path = Path(path)
    r = _Reader(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesError(path, "(file)", "does not exist") from None
    except yaml.YAMLError as exc:
        raise RulesError(path, "(file)", f"is not valid YAML: {exc}") from None
    root = r.mapping(raw, "(top level)")
    for name in root:
        if name not in TOP_LEVEL_KEYS:
            # A misspelt optional key (say "teritories") would otherwise be ignored without a word.
            r.fail(str(name), f"is not a known key (known: {', '.join(TOP_LEVEL_KEYS)})")

    program = r.mapping(r.get(root, "program", ""), "program")
    name = r.text(r.get(program, "name", "program"), "program.name")
    tagline = r.text(r.get(program, "tagline", "program"), "program.tagline")
    value_points = r.texts(r.get(program, "value_points", "program"), "program.value_points")
    extra_income = r.texts(r.get(program, "extra_income", "program"), "program.extra_income")
    ttfd = r.integer(r.get(program, "ttfd_target_days", "program"), "program.ttfd_target_days", 1)
    tz = r.get(program, "timezone", "program")
    try:
        from zoneinfo import ZoneInfo
        ZoneInfo(str(tz))
    except Exception:
        r.fail("program.timezone", f"is not a known time zone: {tz!r}")

    products_raw = r.get(root, "products", "")
    if not isinstance(products_raw, list) or not products_raw:
        r.fail("products", "must be a non-empty list")
    products = []
    for i, item in enumerate(products_raw):
        key = f"products[{i}]"
        item = r.mapping(item, key)
        products.append(Product(
            code=r.code(r.get(item, "code", key), f"{key}.code"),
            name=r.text(r.get(item, "name", key), f"{key}.name"),
            licence_price_kopecks=r.roubles(r.get(item, "licence_price_rub", key), f"{key}.licence_price_rub"),
        ))
    _unique(r, "products", [p.code for p in products])

    regions_raw = r.get(root, "regions", "")
    if not isinstance(regions_raw, list) or not regions_raw:
        r.fail("regions", "must be a non-empty list")
    regions = []
    for i, item in enumerate(regions_raw):
        key = f"regions[{i}]"
        item = r.mapping(item, key)
        regions.append(Region(code=r.code(r.get(item, "code", key), f"{key}.code"),
                              name=r.text(r.get(item, "name", key), f"{key}.name")))
    _unique(r, "regions", [x.code for x in regions])

    tiers_raw = r.get(root, "tiers", "")
    if not isinstance(tiers_raw, list):
        r.fail("tiers", "must be a list")
    tiers = []
    for i, item in enumerate(tiers_raw):
        key = f"tiers[{i}]"
        item = r.mapping(item, key)
        code = r.code(r.get(item, "code", key), f"{key}.code")
        thresholds = r.mapping(r.get(item, "thresholds", key), f"{key}.thresholds")
        quality = thresholds.get("min_quality")
        tiers.append(Tier(
            code=code,
            name=r.text(r.get(item, "name", key), f"{key}.name"),
            min_revenue_kopecks=r.roubles(r.get(thresholds, "revenue_12m_rub", f"{key}.thresholds"),
                                          f"{key}.thresholds.revenue_12m_rub"),
            min_certified_people=r.integer(r.get(thresholds, "certified_people", f"{key}.thresholds"),
                                           f"{key}.thresholds.certified_people"),
            min_quality=None if quality is None else r.decimal(
                quality, f"{key}.thresholds.min_quality", Decimal(0), Decimal(10)),
            benefits=r.texts(r.get(item, "benefits", key), f"{key}.benefits"),
            mdf_quarter_kopecks=r.roubles(r.get(item, "mdf_quarter_rub", key), f"{key}.mdf_quarter_rub"),
            share_guide=r.text(r.get(item, "share_guide", key), f"{key}.share_guide"),
        ))
    codes = [t.code for t in tiers]
    _unique(r, "tiers", codes)
    missing = [code for code in TIER_ORDER if code not in codes]
    if missing:
        r.fail("tiers", f"tier {missing[0]!r} is missing (the tiers are {', '.join(TIER_ORDER)})")
    unknown = [code for code in codes if code not in TIER_ORDER]
    if unknown:
        r.fail("tiers", f"unknown tier {unknown[0]!r} (the tiers are {', '.join(TIER_ORDER)})")
    if tuple(codes) != TIER_ORDER:
        r.fail("tiers", f"must list {', '.join(TIER_ORDER)} in that order")
    for i, (low, high) in enumerate(zip(tiers, tiers[1:]), start=1):
        key = f"tiers[{i}].thresholds"
        if high.min_revenue_kopecks < low.min_revenue_kopecks:
            r.fail(f"{key}.revenue_12m_rub", f"must not be lower than the threshold of {low.code}")
        if high.min_certified_people < low.min_certified_people:
            r.fail(f"{key}.certified_people", f"must not be lower than the threshold of {low.code}")
        if low.min_quality is not None and (high.min_quality is None or high.min_quality < low.min_quality):
            r.fail(f"{key}.min_quality", f"must not be lower than the threshold of {low.code}")

    commissions_raw = r.mapping(r.get(root, "commissions", ""), "commissions")
    commission_percent: dict[str, dict[str, Decimal]] = {}
    for product in products:
        key = f"commissions.{product.code}"
        if product.code not in commissions_raw:
            r.fail(key, "is missing: every product needs a rate per tier")
        row = r.mapping(commissions_raw[product.code], key)
        commission_percent[product.code] = {}
        for tier in TIER_ORDER:
            if tier not in row:
                r.fail(f"{key}.{tier}", "is missing")
            commission_percent[product.code][tier] = r.decimal(row[tier], f"{key}.{tier}",
                                                              Decimal(0), Decimal(100))
    for code in commissions_raw:
        if code not in commission_percent:
            r.fail(f"commissions.{code}", "names a product that is not in products")

    deals = r.mapping(r.get(root, "deals", ""), "deals")
    protection_days = r.integer(r.get(deals, "protection_days", "deals"), "deals.protection_days", 1)
    sla_hours = r.integer(r.get(deals, "decision_sla_hours", "deals"), "deals.decision_sla_hours", 1)
    extension_days = r.integer(r.get(deals, "extension_days", "deals"), "deals.extension_days", 1)
    amount_min = DEFAULT_AMOUNT_MIN_KOPECKS
    if "amount_min_rub" in deals:
        amount_min = r.roubles(deals["amount_min_rub"], "deals.amount_min_rub")
        if amount_min < 1:
            r.fail("deals.amount_min_rub", "must be more than zero")
    amount_max = DEFAULT_AMOUNT_MAX_KOPECKS
    if "amount_max_rub" in deals:
        amount_max = r.roubles(deals["amount_max_rub"], "deals.amount_max_rub")
        if amount_max > AMOUNT_CEILING_LIMIT_KOPECKS:
            r.fail("deals.amount_max_rub", f"must be at most {AMOUNT_CEILING_LIMIT_KOPECKS // 100}")
    if amount_max <= amount_min:
        r.fail("deals.amount_max_rub", "must be higher than deals.amount_min_rub")
    close_days = DEFAULT_EXPECTED_CLOSE_MAX_DAYS
    if "expected_close_max_days" in deals:
        close_days = r.integer(deals["expected_close_max_days"], "deals.expected_close_max_days", 1)
        if close_days > 3650:
            r.fail("deals.expected_close_max_days", f"must be at most 3650 (ten years), got {close_days}")

    spiff = r.mapping(r.get(root, "spiff", ""), "spiff")
    spiff_first = r.roubles(r.get(spiff, "first_deal_rub", "spiff"), "spiff.first_deal_rub")

    retro_raw = r.get(root, "retro_bonus", "")
    if not isinstance(retro_raw, list):
        r.fail("retro_bonus", "must be a list (may be empty)")
    retro: list[RetroBonus] = []
    for i, item in enumerate(retro_raw):
        key = f"retro_bonus[{i}]"
        item = r.mapping(item, key)
        step = RetroBonus(
            min_quarter_revenue_kopecks=r.roubles(r.get(item, "quarter_revenue_rub", key),
                                                  f"{key}.quarter_revenue_rub"),
            percent=r.decimal(r.get(item, "percent", key), f"{key}.percent", Decimal(0), Decimal(100)),
        )
        # Steps are listed from the lowest up; a higher step must pay more, or it is a typo.
        if retro and step.min_quarter_revenue_kopecks <= retro[-1].min_quarter_revenue_kopecks:
            r.fail(f"{key}.quarter_revenue_rub", "must be higher than the step before it")
        if retro and step.percent <= retro[-1].percent:
            r.fail(f"{key}.percent", "must be higher than the percent of the step before it")
        retro.append(step)

    points_raw = r.mapping(r.get(root, "points", ""), "points")
    points = {}
    for action in ("deal_approved", "deal_won", "certificate_earned", "event_attended", "accepted_answer"):
        points[action] = r.integer(r.get(points_raw, action, "points"), f"points.{action}")
    for action, value in points_raw.items():
        points.setdefault(action, r.integer(value, f"points.{action}"))

    grace = r.integer(r.get(root, "demotion_grace_days", ""), "demotion_grace_days", 0)

    territories = []
    region_codes = {x.code for x in regions}
    territories_raw = root.get("territories") or []
    if not isinstance(territories_raw, list):
        r.fail("territories", "must be a list (may be empty)")
    for i, item in enumerate(territories_raw):
        key = f"territories[{i}]"
        item = r.mapping(item, key)
        region = r.get(item, "region", key)
        if region not in region_codes:
            r.fail(f"{key}.region", f"is not one of the regions: {region!r}")
        until = item.get("until")
        if until is not None and not isinstance(until, date):
            r.fail(f"{key}.until", "must be a date (YYYY-MM-DD)")
        territories.append(Territory(region=region, partner=r.code(r.get(item, "partner", key), f"{key}.partner"),
                                     until=until))

    return Rules(
        path=str(path), name=name, tagline=tagline, value_points=value_points, extra_income=extra_income,
        ttfd_target_days=ttfd, timezone=str(tz), products=tuple(products), regions=tuple(regions),
        tiers=tuple(tiers), commission_percent=commission_percent, protection_days=protection_days,
        decision_sla_hours=sla_hours, extension_days=extension_days, spiff_first_deal_kopecks=spiff_first,
        retro_bonuses=tuple(sorted(retro, key=lambda b: b.min_quarter_revenue_kopecks)), points=points,
        demotion_grace_days=grace, territories=tuple(territories), amount_min_kopecks=amount_min,
        amount_max_kopecks=amount_max, expected_close_max_days=close_days,
    )


def _unique(r: _Reader, key: str, codes: list[str]) -> None:
    seen = set()
    for code in codes:
        if code in seen:
            r.fail(key, f"code {code!r} appears twice")
        seen.add(code)


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


@facts.provides("money_limits")
def money_limits() -> dict:
    """The limits of every money field (hub/forms.py): the deal minimum and the one ceiling."""
    rules = current()
    return {"ceiling_kopecks": rules.amount_max_kopecks, "deal_minimum_kopecks": rules.amount_min_kopecks}
