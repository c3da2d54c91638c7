"""The KPIs' arithmetic (SPEC I1, I3) over the read model (models.py): never a scan of the deals.

Every figure is computed per group of one dimension — the relationship type (Organisation.segment:
referral / sales / strategic) or the partner type — and never summed across the groups: the seeds
ask that reports never lump referral, sales and strategic partners into one column. The only
program-wide figure is CACp, because recruitment costs are entered per campaign, not per relationship
type; the page says so next to it.

A page asks for a fixed number of queries: the partners (one), the period's facts per organisation
(one), the organisations active in the 90 days before the period's end (one), those that won in the
previous period (one), the recruitment costs (one), the read model's age (one); the trend adds one
query for its months and one per point for activity (at most TREND_POINTS). page_figures keeps the
result per state of the read model, so a repeated view costs one query.
"""
from __future__ import annotations

import bisect
import math
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from ... import memo
from ...accounts.models import PARTNER, PARTNER_TYPES, SEGMENTS, Organisation
from ...extensions import db
from ...program import rules as program_rules
from .models import ATTENDED, MDF_APPROVED, MDF_PAID, NPS, SUBMITTED, WON, KpiFact, KpiPartner
from .rules import TIER_GUIDE

MONTH, QUARTER, YEAR = "month", "quarter", "year"
PERIOD_KINDS = (MONTH, QUARTER, YEAR)
DIMENSIONS = {"segment": SEGMENTS, "partner_type": PARTNER_TYPES}
EARLIEST_YEAR = 2000
ACTIVITY_DAYS = 90
TREND_POINTS = {MONTH: 12, QUARTER: 8, YEAR: 5}
TIERS = ("platinum", "gold", "silver", "bronze")
_KEYS = {MONTH: re.compile(r"^(\d{4})-(\d{2})$"), QUARTER: re.compile(r"^(\d{4})-Q([1-4])$"),
         YEAR: re.compile(r"^(\d{4})$")}


class PeriodError(ValueError):
    def __init__(self, message, field: str = "at"):
        super().__init__(str(message))
        self.message = message
        self.field = field


# --- periods ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # exclusive

    @property
    def key(self) -> str:
        if self.kind == MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def previous(self) -> "Period":
        return period_of(self.kind, self.start - timedelta(days=1))

    def following(self) -> "Period":
        return period_of(self.kind, self.end)

    def months(self) -> list[str]:
        out, day = [], self.start
        while day < self.end:
            out.append(f"{day.year}-{day.month:02d}")
            day = _add_months(day, 1)
        return out


def _add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def period_of(kind: str, day: date) -> Period:
    if kind == MONTH:
        start = date(day.year, day.month, 1)
        return Period(kind, start, _add_months(start, 1))
    if kind == QUARTER:
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(kind, start, _add_months(start, 3))
    if kind == YEAR:
        return Period(kind, date(day.year, 1, 1), date(day.year + 1, 1, 1))
    raise ValueError(kind)


def today() -> date:
    return datetime.now(ZoneInfo(program_rules.current().timezone)).date()


def parse_period(kind: str | None, key: str | None, now: date | None = None) -> Period:
    """The period a picker asked for: kind month / quarter / year, key 2026-11 / 2026-Q4 / 2026
    (absent: the current one). Outside EARLIEST_YEAR .. the current period, or malformed: PeriodError."""
    now = now or today()
    kind = kind or QUARTER
    if kind not in PERIOD_KINDS:
        raise PeriodError(_l("Choose a month, a quarter or a year."), "period")
    current = period_of(kind, now)
    if not key:
        return current
    match = _KEYS[kind].match(key.strip())
    if not match:
        example = {MONTH: "2026-11", QUARTER: "2026-Q4", YEAR: "2026"}[kind]
        raise PeriodError(_l("Write the period like %(example)s.", example=example))
    year = int(match.group(1))
    if kind == MONTH:
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(_l("A month is 01 to 12."))
        first = date(year, month, 1) if year >= 1 else None
    elif kind == QUARTER:
        first = date(year, (int(match.group(2)) - 1) * 3 + 1, 1) if year >= 1 else None
    else:
        first = date(year, 1, 1) if year >= 1 else None
    if first is None or year < EARLIEST_YEAR or first > current.start:
        raise PeriodError(_l("Choose a period from %(first)s up to the current one (%(current)s).",
                             first=EARLIEST_YEAR, current=current.key))
    return period_of(kind, first)


def history(period: Period, points: int | None = None) -> list[Period]:
    """The `points` periods ending with `period`, oldest first (none before EARLIEST_YEAR)."""
    out = [period]
    for _ in range((points or TREND_POINTS[period.kind]) - 1):
        earlier = out[-1].previous()
        if earlier.start.year < EARLIEST_YEAR:
            break
        out.append(earlier)
    return out[::-1]


# --- reading the read model ------------------------------------------------------------------------

@dataclass(frozen=True)
class Partner:
    id: int
    segment: str | None
    partner_type: str | None
    tier: str
    signed_on: date
    first_deal_on: date | None


@dataclass
class Agg:
    count: int = 0
    amount: int = 0
    promoters: int = 0
    detractors: int = 0
    large: int = 0


def _day(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return moment.astimezone(zone).date() if moment is not None else None


def partners() -> list[Partner]:
    """Every partner organisation with its groups, tier, signing day and first deal (one query)."""
    zone = ZoneInfo(program_rules.current().timezone)
    rows = db.session.execute(
        select(Organisation.id, Organisation.segment, Organisation.partner_type, Organisation.tier,
               Organisation.created_at, KpiPartner.signed_at, KpiPartner.first_deal_at)
        .outerjoin(KpiPartner, KpiPartner.organisation_id == Organisation.id)
        .where(Organisation.kind == PARTNER).order_by(Organisation.id)).all()
    return [Partner(i, seg, ptype, tier or "bronze", _day(signed or created, zone), _day(first, zone))
            for i, seg, ptype, tier, created, signed, first in rows]


def org_facts(start: date, end: date) -> dict[tuple[int, str], Agg]:
    """(organisation, kind) -> counts and sums of the facts on days [start, end) (one query)."""
    large = program_rules.current().kpis.large_deal_kopecks
    rows = db.session.execute(
        select(KpiFact.organisation_id, KpiFact.kind, func.count(),
               func.coalesce(func.sum(KpiFact.amount_kopecks), 0),
               func.coalesce(func.sum(case((KpiFact.score >= 9, 1), else_=0)), 0),
               func.coalesce(func.sum(case((KpiFact.score <= 6, 1), else_=0)), 0),
               func.coalesce(func.sum(case(((KpiFact.kind == WON) & (KpiFact.amount_kopecks >= large), 1),
                                           else_=0)), 0))
        .where(KpiFact.day >= start, KpiFact.day < end)
        .group_by(KpiFact.organisation_id, KpiFact.kind)).all()
    return {(org, kind): Agg(int(n), int(amount), int(p), int(d), int(big))
            for org, kind, n, amount, p, d, big in rows}


def orgs_with(kind: str, start: date, end: date) -> set[int]:
    return set(db.session.scalars(select(KpiFact.organisation_id).distinct()
                                  .where(KpiFact.kind == kind, KpiFact.day >= start, KpiFact.day < end)))


def activity_window(period: Period, now: date | None = None) -> tuple[date, date]:
    """The 90 days that end with the period (or with today, for the current period)."""
    end = min(period.end, (now or today()) + timedelta(days=1))
    return end - timedelta(days=ACTIVITY_DAYS), end


@dataclass(frozen=True)
class Age:
    last_id: int                      # the newest fact's id: facts are only ever added
    last_recorded_at: datetime | None
    last_event_at: datetime | None    # when the event behind the last fact applied happened


def age() -> Age:
    """The read model's state, from two index reads (the primary key, ix_kpi_fact_recorded): never a
    count or a scan, since every page asks it."""
    last_id = db.session.scalar(select(func.max(KpiFact.id)))
    last = db.session.execute(select(KpiFact.recorded_at, KpiFact.occurred_at)
                              .order_by(KpiFact.recorded_at.desc()).limit(1)).first()
    return Age(int(last_id or 0), last[0] if last else None, last[1] if last else None)


# --- arithmetic ------------------------------------------------------------------------------------

def share(part: int, whole: int) -> Decimal | None:
    """part of whole in per cent, one decimal; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def ratio(part: int, whole: int, places: str = "1") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), ROUND_HALF_UP)


def nps(promoters: int, detractors: int, answers: int) -> Decimal | None:
    if not answers:
        return None
    return (Decimal(promoters - detractors) * 100 / Decimal(answers)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def per(total_kopecks: int, n: int) -> int | None:
    """An average amount in whole roubles (kopecks), None when there is nothing to divide by."""
    if not n:
        return None
    return int((Decimal(total_kopecks) / n / 100).quantize(Decimal("1"), ROUND_HALF_UP)) * 100


def median(values: list) -> Decimal | None:
    if not values:
        return None
    return Decimal(str(statistics.median(values))).quantize(Decimal("0.1"), ROUND_HALF_UP)


def concentration(revenues: list[int], partners_count: int) -> dict:
    """Revenue concentration among `partners_count` partners (revenues: the non-zero ones): the share
    of revenue the top 20 % of partners bring, and how many partners (and what share of them) make 80 %."""
    total = sum(revenues)
    if not total or not partners_count:
        return {"total": total, "top20_share": None, "top_count": 0, "make80": None, "make80_share": None}
    ordered = sorted(revenues, reverse=True)
    top = max(1, math.ceil(partners_count * 0.2))
    running, make80 = 0, 0
    for make80, revenue in enumerate(ordered, start=1):
        running += revenue
        if running * 100 >= total * 80:
            break
    return {"total": total, "top20_share": share(sum(ordered[:top]), total), "top_count": top,
            "make80": make80, "make80_share": share(make80, partners_count)}


# --- the KPI table ---------------------------------------------------------------------------------

# code, unit (for formatting: count, money, percent, days, nps, times)
KPIS = (
    ("partners", "count"), ("signed", "count"), ("activity", "percent"), ("ttfd_median", "days"),
    ("ttfd_share", "percent"), ("won", "count"), ("revenue", "money"), ("average_deal", "money"),
    ("arpp", "money"), ("large_share", "percent"), ("nps", "nps"), ("key_retention", "percent"),
    ("mdf_approved", "money"), ("mdf_paid", "money"), ("mdf_utilisation", "percent"), ("mdf_roi", "times"),
    ("attendances", "count"), ("attending_share", "percent"),
)
UNITS = dict(KPIS)


@dataclass
class KpiTable:
    period: Period
    dimension: str
    groups: list[str | None]
    values: dict[str, dict[str | None, object]]       # kpi code -> group -> value
    concentration: dict[str | None, dict]
    tiers: dict[str | None, dict[str, tuple[int, Decimal | None]]]  # group -> tier -> (count, share)
    tier_totals: dict[str | None, int] = field(default_factory=dict)


def groups_of(dimension: str, people: list[Partner]) -> list[str | None]:
    keys: list[str | None] = list(DIMENSIONS[dimension])
    if any(getattr(p, dimension) not in DIMENSIONS[dimension] for p in people):
        keys.append(None)  # "not set": its own column, still never added to the others
    return keys


def _group(p: Partner, dimension: str) -> str | None:
    value = getattr(p, dimension)
    return value if value in DIMENSIONS[dimension] else None


def group_figures(period: Period, members: list[Partner], facts: dict[tuple[int, str], Agg], active: set[int],
                  won_before: set[int], now: date) -> dict[str, object]:
    """Every KPI for one group of partners (those signed before the period ended)."""
    rules = program_rules.current()
    target = rules.ttfd_target_days
    key_tiers = set(rules.kpis.key_tiers)

    def total(kind: str, attr: str = "count") -> int:
        return sum(getattr(facts.get((p.id, kind)) or Agg(), attr) for p in members)

    count = len(members)
    won, revenue, large = total(WON), total(WON, "amount"), total(WON, "large")
    ttfd = [max(0, (p.first_deal_on - p.signed_on).days) for p in members
            if p.first_deal_on is not None and period.start <= p.first_deal_on < period.end]
    key_before = [p for p in members if p.tier in key_tiers and p.id in won_before]
    retained = [p for p in key_before if (p.id, WON) in facts]
    paid = total(MDF_PAID, "amount")
    mdf_orgs = [p for p in members if (p.id, MDF_PAID) in facts]
    mdf_revenue = sum(facts[(p.id, WON)].amount for p in mdf_orgs if (p.id, WON) in facts)
    return {
        "partners": count,
        "signed": sum(1 for p in members if period.start <= p.signed_on < period.end),
        "activity": share(sum(1 for p in members if p.id in active), count),
        "ttfd_median": median(ttfd),
        "ttfd_share": share(sum(1 for d in ttfd if d <= target), len(ttfd)),
        "won": won, "revenue": revenue,
        "average_deal": per(revenue, won),
        "arpp": per(revenue, count),
        "large_share": share(large, won),
        "nps": nps(total(NPS, "promoters"), total(NPS, "detractors"), total(NPS)),
        "key_retention": share(len(retained), len(key_before)),
        "mdf_approved": total(MDF_APPROVED, "amount"), "mdf_paid": paid,
        "mdf_utilisation": share(paid, total(MDF_APPROVED, "amount")),
        "mdf_roi": ratio(mdf_revenue, paid, "0.1"),
        "attendances": total(ATTENDED),
        "attending_share": share(sum(1 for p in members if (p.id, ATTENDED) in facts), count),
    }


def kpi_table(period: Period, dimension: str = "segment", now: date | None = None,
              people: list[Partner] | None = None) -> KpiTable:
    now = now or today()
    people = partners() if people is None else people
    groups = groups_of(dimension, people)
    facts = org_facts(period.start, period.end)
    active = orgs_with(SUBMITTED, *activity_window(period, now))
    previous = period.previous()
    won_before = orgs_with(WON, previous.start, previous.end)
    by_group: dict[str | None, list[Partner]] = defaultdict(list)
    for p in people:
        if p.signed_on < period.end:
            by_group[_group(p, dimension)].append(p)
    values: dict[str, dict] = {code: {} for code, _ in KPIS}
    conc, tiers, tier_totals = {}, {}, {}
    for g in groups:
        members = by_group.get(g, [])
        for code, value in group_figures(period, members, facts, active, won_before, now).items():
            values[code][g] = value
        revenues = [facts[(p.id, WON)].amount for p in members if (p.id, WON) in facts]
        conc[g] = concentration(revenues, len(members))
    for g in groups:  # the tiers as they are now, of every current partner
        members = [p for p in people if _group(p, dimension) == g]
        tier_totals[g] = len(members)
        tiers[g] = {t: (n, share(n, len(members))) for t in TIERS
                    for n in [sum(1 for p in members if p.tier == t)]}
    return KpiTable(period, dimension, groups, values, conc, tiers, tier_totals)


def tier_guide() -> dict[str, tuple[int, int]]:
    return dict(TIER_GUIDE)


def in_guide(tier: str, value: Decimal | None) -> bool | None:
    guide = TIER_GUIDE.get(tier)
    if guide is None or value is None:
        return None
    return guide[0] <= value <= guide[1]


# --- over time ------------------------------------------------------------------------------------

TREND_KPIS = ("revenue", "average_deal", "activity", "nps")


def trend(period: Period, dimension: str = "segment", now: date | None = None,
          people: list[Partner] | None = None) -> dict:
    """Every KPI per group over history(period): {"values": {code: {group: [value per period]}}}.
    Each point is that period's kpi_table (three queries each; the partners are read once), so the
    figures over time are the same arithmetic as the period's own."""
    now = now or today()
    people = partners() if people is None else people
    points = history(period)
    tables = [kpi_table(p, dimension, now, people=people) for p in points]
    groups = groups_of(dimension, people)
    values = {code: {g: [t.values[code][g] for t in tables] for g in groups} for code, _unit in KPIS}
    return {"periods": points, "groups": groups, "values": values}


# --- CACp ------------------------------------------------------------------------------------------

def quarters_of(period: Period) -> list[str] | None:
    """The recruitment-cost quarters a period covers; None for a month (costs are entered per quarter)."""
    if period.kind == MONTH:
        return None
    if period.kind == QUARTER:
        return [period.key]
    return [f"{period.start.year}-Q{q}" for q in range(1, 5)]


def cacp(period: Period, table: KpiTable, costs_by_quarter: dict[str, int]) -> dict:
    """Program-wide cost to acquire a partner: recruitment costs of the period / partners signed in it."""
    quarters = quarters_of(period)
    signed = {g: table.values["signed"][g] for g in table.groups}
    if quarters is None:
        return {"cost": None, "signed": signed, "cacp": None, "monthly": True}
    cost = sum(costs_by_quarter.get(q, 0) for q in quarters)
    all_signed = sum(signed.values())
    return {"cost": cost, "signed": signed, "cacp": per(cost, all_signed),
            "monthly": False}


# --- a partner's own dashboard -------------------------------------------------------------------

MINE = ("won", "revenue", "average_deal", "large_share", "deals_registered", "active", "ttfd_days", "nps",
        "mdf_paid", "attendances")
MINE_UNITS = {"won": "count", "revenue": "money", "average_deal": "money", "large_share": "percent",
              "deals_registered": "count", "active": "percent", "ttfd_days": "days", "nps": "nps",
              "mdf_paid": "money", "attendances": "count"}


def _own(p: Partner, facts: dict, active: set[int]) -> dict:
    def get(kind, attr="count"):
        agg = facts.get((p.id, kind))
        return getattr(agg, attr) if agg else 0
    won, revenue = get(WON), get(WON, "amount")
    return {"won": won, "revenue": revenue, "average_deal": per(revenue, won),
            "large_share": share(get(WON, "large"), won), "deals_registered": get(SUBMITTED),
            "active": Decimal(100) if p.id in active else Decimal(0),
            "ttfd_days": max(0, (p.first_deal_on - p.signed_on).days) if p.first_deal_on else None,
            "nps": nps(get(NPS, "promoters"), get(NPS, "detractors"), get(NPS)),
            "mdf_paid": get(MDF_PAID, "amount"), "attendances": get(ATTENDED)}


def _tier_pools(period: Period, now: date) -> dict:
    """Every partner's own figures for the period and, per tier, the sorted values of the partners
    signed before its end: what the dashboards of all partners compare against (whole program, kept
    per state of the read model in DASHBOARD_MEMO)."""
    people = partners()
    facts = org_facts(period.start, period.end)
    active = orgs_with(SUBMITTED, *activity_window(period, now))
    figures = {p.id: _own(p, facts, active) for p in people}
    pools: dict[str, dict] = {}
    for p in people:
        if p.signed_on >= period.end:
            continue
        pool = pools.setdefault(p.tier, {"ids": set(), "active": 0, "values": defaultdict(list)})
        pool["ids"].add(p.id)
        pool["active"] += p.id in active
        for code in MINE:
            if code != "active" and figures[p.id][code] is not None:
                pool["values"][code].append(figures[p.id][code])
    for pool in pools.values():
        for values in pool["values"].values():
            values.sort()
    return {"people": {p.id: p for p in people}, "figures": figures, "active": active, "pools": pools}


def _without(values: list, value) -> list:
    """A sorted list less one occurrence of value (the organisation itself among its tier)."""
    if value is None:
        return values
    i = bisect.bisect_left(values, value)
    return values[:i] + values[i + 1:] if i < len(values) and values[i] == value else values


def dashboard(organisation_id: int, period: Period, now: date | None = None) -> dict:
    """The organisation's own figures and, per figure, the median of the peers of its tier — only
    when the tier has at least `peer_minimum` other partners, so that no peer's number can be read
    off; never a peer's name or id. "active" among peers is the share of peers active (per cent).
    The whole program's figures are computed once per state of the read model (hub/memo.py)."""
    now = now or today()
    state = age()
    found = DASHBOARD_MEMO.get((period.kind, period.key, now, state.last_id, state.last_recorded_at),
                               lambda: _tier_pools(period, now))
    me = found["people"].get(organisation_id)
    if me is None:
        raise LookupError(organisation_id)
    own = found["figures"][me.id]
    pool = found["pools"].get(me.tier) or {"ids": set(), "active": 0, "values": {}}
    inside = me.id in pool["ids"]
    peer_count = len(pool["ids"]) - inside
    minimum = program_rules.current().kpis.peer_minimum
    if peer_count < minimum:
        return {"own": own, "tier": me.tier, "peers": None, "peer_count": peer_count, "minimum": minimum}
    medians = {}
    for code in MINE:
        if code == "active":
            medians[code] = share(pool["active"] - (inside and me.id in found["active"]), peer_count)
            continue
        values = pool["values"].get(code, [])
        if inside:
            values = _without(values, own[code])
        medians[code] = median(values) if values else None
    return {"own": own, "tier": me.tier, "peers": medians, "peer_count": peer_count, "minimum": minimum}


# --- the weekly report's "KPIs that moved" --------------------------------------------------------

def weekly_moves(week_start: date, week_end: date) -> list[tuple[str, str, object, object]]:
    """(kpi, segment, last week, this week) for registrations, wins, revenue and NPS per relationship
    type, where the figure changed (one query)."""
    before = week_start - (week_end - week_start)
    this_week = case((KpiFact.day >= week_start, 1), else_=0)
    rows = db.session.execute(
        select(Organisation.segment, KpiFact.kind, this_week, func.count(),
               func.coalesce(func.sum(KpiFact.amount_kopecks), 0),
               func.coalesce(func.sum(case((KpiFact.score >= 9, 1), else_=0)), 0),
               func.coalesce(func.sum(case((KpiFact.score <= 6, 1), else_=0)), 0))
        .join(Organisation, Organisation.id == KpiFact.organisation_id)
        .where(KpiFact.kind.in_((SUBMITTED, WON, NPS)), KpiFact.day >= before, KpiFact.day < week_end,
               Organisation.kind == PARTNER)
        .group_by(Organisation.segment, KpiFact.kind, this_week)).all()
    aggs: dict = defaultdict(lambda: [Agg(), Agg()])
    for seg, kind, now_flag, n, amount, p, d in rows:
        seg = seg if seg in SEGMENTS else None
        a = aggs[(seg, kind)][int(now_flag)]
        a.count += int(n)
        a.amount += int(amount)
        a.promoters += int(p)
        a.detractors += int(d)
    moves = []
    for seg in (*SEGMENTS, None):
        for code, kind, pick in (("registered", SUBMITTED, lambda a: a.count), ("won", WON, lambda a: a.count),
                                 ("revenue", WON, lambda a: a.amount),
                                 ("nps", NPS, lambda a: nps(a.promoters, a.detractors, a.count))):
            if (seg, kind) not in aggs:
                continue
            last, this = (pick(a) for a in aggs[(seg, kind)])
            if last != this:
                moves.append((code, seg, last, this))
    return moves


TIER_GUIDE_TEXT = {tier: f"{low}–{high}" for tier, (low, high) in TIER_GUIDE.items()}


def recruitment_costs() -> dict[str, int]:
    """{quarter: recruitment costs in kopecks}, through recruitment's public module (one query)."""
    from ...recruitment.public import cost_totals
    return dict(cost_totals())


# --- the managers' page, computed once per state of the read model ----------------------------------

PAGE_MEMO = memo.StateMemo("insights.kpis.page")
DASHBOARD_MEMO = memo.StateMemo("insights.kpis.dashboard", size=8)


def page_figures(period: Period, dimension: str, now: date | None = None) -> dict:
    """The KPI table, CACp and the trend for the managers' page, kept per state of the read model
    (hub/memo.py), so a page view while nothing happened costs two index reads; the memo's minute
    bounds how long a change the events do not carry (a partner's new tier or segment, a recruitment
    cost) stays unseen."""
    now = now or today()
    state = age()

    def compute() -> dict:
        people = partners()
        table = kpi_table(period, dimension, now, people=people)
        return {"table": table, "cacp": cacp(period, table, recruitment_costs()),
                "trend": trend(period, dimension, now, people=people)}

    found = PAGE_MEMO.get((period.kind, period.key, dimension, now, state.last_id, state.last_recorded_at), compute)
    return {**found, "age": state}
