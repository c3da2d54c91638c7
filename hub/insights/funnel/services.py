"""The funnel's rules: writing the read model (called by the listener and the demo) and reading it
(the page, the CSVs and the weekly report).

Stages, in order: applied, qualified (an application's), onboarding (the organisation is signed),
first deal registered, first deal won, expanding (the rule in program.yml `funnel`). A stage's date is
the earliest event that reached it; a stage never reached but passed (a later one has a date, e.g.
an organisation signed without an application starts at onboarding, one whose registration event was
lost has a first win) takes the next stage's date, so dates never go backwards and time in stage is
never negative.

Definitions the page shows: "reached" counts entries with a date for the stage; "conversion" is the
share of those that reached the stage and also reached the next one; "median time in stage" is over
those that moved on (days from the stage's date to the next one's); an organisation is "stalled" when
it has been in its current stage longer than the rules' stalled_days for it. Referral, sales and
strategic partners are never added together: every figure is per relationship (applicants not yet
signed have none and are their own group).
"""
from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ...accounts.models import PARTNER, PARTNER_TYPES, SEGMENTS, Organisation
from ...database import utcnow
from ... import memo
from ...extensions import db
from ...program import rules as program_rules
from ...upsert import dialect_insert
from .models import FunnelApplication, FunnelOrganisation, FunnelWin
from .rules import STAGES

APPLIED, QUALIFIED, ONBOARDING, FIRST_DEAL, FIRST_WON, EXPANDING = range(len(STAGES))
NO_SEGMENT = "none"  # applicants not signed yet: no relationship chosen
UNSET = "unset"      # a signed partner whose relationship nobody set (kept apart too)
SEGMENT_KEYS = (*SEGMENTS, UNSET, NO_SEGMENT)
COHORT = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class FunnelError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def rules():
    return program_rules.current().funnel


def zone() -> ZoneInfo:
    return ZoneInfo(program_rules.current().timezone)


# --- writing the read model (idempotent: rows by unique key, dates only move earlier) -------------

def _earliest(current, new):
    if new is None:
        return current
    return new if current is None or new < current else current


def _row(model, key: str, value: int, **values):
    """The read-model row for `key = value`, created if missing and locked for this transaction: two
    deliveries about one organisation at once (two workers) wait for each other instead of both
    inserting it (INSERT ... ON CONFLICT DO NOTHING, then SELECT ... FOR UPDATE)."""
    db.session.execute(dialect_insert(model).values(**{key: value}, updated_at=utcnow(), **values)
                       .on_conflict_do_nothing(index_elements=[key]))
    return db.session.scalars(select(model).where(getattr(model, key) == value).with_for_update()
                              .execution_options(populate_existing=True)).one()


def record_application(application_id: int, *, partner_type: str, submitted_at: datetime) -> FunnelApplication:
    row = _row(FunnelApplication, "application_id", application_id, partner_type=partner_type or "")
    row.partner_type = partner_type or row.partner_type
    row.submitted_at = _earliest(row.submitted_at, submitted_at)
    row.updated_at = utcnow()
    return row


def record_decision(application_id: int, decision: str, decided_at: datetime,
                    organisation_id: int | None) -> FunnelApplication:
    row = _row(FunnelApplication, "application_id", application_id, partner_type="")
    if decision in ("qualified", "approved"):  # approval follows qualification: it implies it
        row.qualified_at = _earliest(row.qualified_at, decided_at)
    if decision == "declined":
        row.declined_at = _earliest(row.declined_at, decided_at)
    if decision == "approved":
        row.approved_at = _earliest(row.approved_at, decided_at)
        if organisation_id is not None:
            row.organisation_id = organisation_id
            record_signed(organisation_id, decided_at)
    row.updated_at = utcnow()
    return row


def record_signed(organisation_id: int, signed_at: datetime) -> FunnelOrganisation:
    row = _row(FunnelOrganisation, "organisation_id", organisation_id, won_deals=0)
    row.signed_at = _earliest(row.signed_at, signed_at)
    row.updated_at = utcnow()
    return row


def record_first_deal(organisation_id: int, submitted_at: datetime) -> FunnelOrganisation:
    row = _row(FunnelOrganisation, "organisation_id", organisation_id, won_deals=0)
    row.first_deal_at = _earliest(row.first_deal_at, submitted_at)
    row.updated_at = utcnow()
    return row


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.utc)


def expanding_on(wins: list[tuple[date, int]], won_deals: int, revenue_kopecks: int, window_days: int) -> date | None:
    """The first day on which the wins within the window ending that day (window_days back, that day
    included) reach `won_deals` deals or `revenue_kopecks` (a rule of 0 is not used). `wins` by day."""
    start, total = 0, 0
    for i, (day, amount) in enumerate(wins):
        total += amount
        while wins[start][0] <= day - timedelta(days=window_days):
            total -= wins[start][1]
            start += 1
        if (won_deals and i - start + 1 >= won_deals) or (revenue_kopecks and total >= revenue_kopecks):
            return day
    return None


def record_win(deal_id: int, organisation_id: int, closed_on: date, amount_kopecks: int) -> FunnelOrganisation:
    """Keep the won deal (once, by deal) and recompute the organisation's first win and expanding date
    from all its wins, so the order the events arrive in does not matter."""
    db.session.execute(dialect_insert(FunnelWin).values(deal_id=deal_id, organisation_id=organisation_id,
                                                        closed_on=closed_on, amount_kopecks=amount_kopecks)
                       .on_conflict_do_nothing(index_elements=["deal_id"]))
    row = _row(FunnelOrganisation, "organisation_id", organisation_id, won_deals=0)
    wins = [(d, int(a)) for d, a in db.session.execute(
        select(FunnelWin.closed_on, FunnelWin.amount_kopecks).where(FunnelWin.organisation_id == organisation_id)
        .order_by(FunnelWin.closed_on, FunnelWin.id)).all()]
    current = rules()
    row.won_deals = len(wins)
    row.first_won_at = noon(wins[0][0]) if wins else None
    day = expanding_on(wins, current.expanding_won_deals, current.expanding_revenue_kopecks,
                       current.expanding_window_days)
    row.expanding_at = noon(day) if day else None
    row.updated_at = utcnow()
    return row


# --- reading ---------------------------------------------------------------------------------------

@dataclass
class Entry:
    """One application or organisation on its way through the funnel, with a date per stage."""
    organisation_id: int | None
    application_id: int | None
    name: str
    segment: str                      # referral / sales / strategic, or NO_SEGMENT before signing
    partner_type: str | None
    times: list[datetime | None]
    declined_at: datetime | None = None
    cohort: str | None = None         # the month of signing, program time zone ("2026-11")
    stage: int | None = field(init=False, default=None)  # the latest stage reached (None: none)

    def __post_init__(self):
        reached = [i for i, t in enumerate(self.times) if t is not None]
        self.stage = reached[-1] if reached else None

    @property
    def open(self) -> bool:
        return self.declined_at is None and self.stage is not None and self.stage < EXPANDING


def _effective(raw: list[datetime | None], first: int) -> list[datetime | None]:
    out: list[datetime | None] = [None] * len(raw)
    later = None
    for i in range(len(raw) - 1, first - 1, -1):
        later = _earliest(later, raw[i])
        out[i] = later
    return out


def _cohort(at: datetime | None, tz: ZoneInfo) -> str | None:
    if at is None:
        return None
    local = at.astimezone(tz)
    return f"{local.year:04d}-{local.month:02d}"


def check_cohort(value: str) -> str:
    match = COHORT.match(value or "")
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise FunnelError("cohort", "cohort")
    return value


def cohort_bounds(cohort: str) -> tuple[datetime, datetime]:
    year, month = int(cohort[:4]), int(cohort[5:7])
    tz = zone()
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


@dataclass(frozen=True)
class Filters:
    segment: str = ""        # one of SEGMENT_KEYS or "" (every relationship, each on its own)
    partner_type: str = ""   # one of PARTNER_TYPES or ""
    cohort: str = ""         # "YYYY-MM" (month of signing) or ""


def entries(filters: Filters = Filters()) -> list[Entry]:
    """Every entry the filters keep: two queries, whatever the number of organisations."""
    tz = zone()
    out: list[Entry] = []
    if filters.segment != NO_SEGMENT:
        query = (select(FunnelOrganisation.organisation_id, FunnelOrganisation.signed_at,
                        FunnelOrganisation.first_deal_at, FunnelOrganisation.first_won_at,
                        FunnelOrganisation.expanding_at, Organisation.name, Organisation.segment,
                        Organisation.partner_type, FunnelApplication.application_id, FunnelApplication.submitted_at,
                        FunnelApplication.qualified_at)
                 .join(Organisation, Organisation.id == FunnelOrganisation.organisation_id)
                 .outerjoin(FunnelApplication, FunnelApplication.organisation_id == FunnelOrganisation.organisation_id)
                 .where(Organisation.kind == PARTNER))
        if filters.segment == UNSET:
            query = query.where(Organisation.segment.is_(None) | Organisation.segment.not_in(SEGMENTS))
        elif filters.segment:
            query = query.where(Organisation.segment == filters.segment)
        if filters.partner_type:
            query = query.where(Organisation.partner_type == filters.partner_type)
        if filters.cohort:
            start, end = cohort_bounds(filters.cohort)
            query = query.where(FunnelOrganisation.signed_at >= start, FunnelOrganisation.signed_at < end)
        for (org_id, signed, first_deal, first_won, expanding, name, segment, partner_type, application_id,
             submitted, qualified) in db.session.execute(query):
            raw = [submitted, qualified, signed, first_deal, first_won, expanding]
            out.append(Entry(org_id, application_id, name, segment if segment in SEGMENTS else UNSET, partner_type,
                             _effective(raw, APPLIED if application_id is not None else ONBOARDING),
                             cohort=_cohort(signed, tz)))
    if filters.segment in ("", NO_SEGMENT) and not filters.cohort:
        query = select(FunnelApplication).where(FunnelApplication.organisation_id.is_(None))
        if filters.partner_type:
            query = query.where(FunnelApplication.partner_type == filters.partner_type)
        for app in db.session.scalars(query):
            raw = [app.submitted_at, app.qualified_at, None, None, None, None]
            out.append(Entry(None, app.application_id, "", NO_SEGMENT, app.partner_type or None,
                             _effective(raw, APPLIED), declined_at=app.declined_at))
    return out


@dataclass(frozen=True)
class StageStat:
    stage: str
    reached: int
    now: int                          # in this stage now (declined applications are in none)
    conversion: Decimal | None        # % of those reaching this stage that reached the next; None: last stage or none
    median_days: Decimal | None       # median days spent here by those that moved on


def _one_decimal(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def stage_stats(group: list[Entry]) -> list[StageStat]:
    """One pass over the group, whatever its size."""
    n = len(STAGES)
    reached, now, moved = [0] * n, [0] * n, [0] * n
    spent: list[list[float]] = [[] for _ in range(n)]
    for e in group:
        times = e.times
        if e.stage is not None and e.declined_at is None:
            now[e.stage] += 1
        for i in range(n):
            if times[i] is None:
                continue
            reached[i] += 1
            if i < EXPANDING and times[i + 1] is not None:
                moved[i] += 1
                spent[i].append((times[i + 1] - times[i]).total_seconds())
    out = []
    for i, stage in enumerate(STAGES):
        conversion = median = None
        if i < EXPANDING and reached[i]:
            conversion = _one_decimal(Decimal(moved[i] * 100) / reached[i])
            if spent[i]:
                median = _one_decimal(Decimal(str(statistics.median(spent[i]))) / 86400)
        out.append(StageStat(stage, reached[i], now[i], conversion, median))
    return out


@dataclass
class Breakdown:
    key: str | None
    segment: str
    stats: list[StageStat] = field(default_factory=list)
    total: int = 0


def by_segment(group: list[Entry]) -> list[Breakdown]:
    """One breakdown per relationship that has anyone (never one added together)."""
    parts: dict[str, list[Entry]] = defaultdict(list)
    for e in group:
        parts[e.segment].append(e)
    return [Breakdown(None, s, stage_stats(parts[s]), len(parts[s])) for s in SEGMENT_KEYS if parts.get(s)]


def by(group: list[Entry], dimension: str) -> list[Breakdown]:
    """Per cohort (newest first) or partner type, and within each per relationship."""
    parts: dict[tuple, list[Entry]] = defaultdict(list)
    for e in group:
        key = e.cohort if dimension == "cohort" else e.partner_type
        if dimension == "cohort" and key is None:
            continue  # not signed: no cohort
        parts[(key, e.segment)].append(e)
    order = {s: n for n, s in enumerate(SEGMENT_KEYS)}
    types = {t: n for n, t in enumerate(PARTNER_TYPES)}

    def sort_key(item):
        key, segment = item
        if dimension == "cohort":
            return (tuple(-ord(c) for c in key), order[segment])
        return (types.get(key, len(types)), key or "", order[segment])
    return [Breakdown(k, s, stage_stats(parts[(k, s)]), len(parts[(k, s)])) for k, s in sorted(parts, key=sort_key)]


@dataclass(frozen=True)
class Stalled:
    entry: Entry
    stage: str
    since: datetime
    days: int
    limit: int


def stalled(group: list[Entry], now: datetime | None = None) -> list[Stalled]:
    """Open entries longer than the rules allow in their stage, the longest first."""
    now = now or utcnow()
    current = rules()
    out = []
    for e in group:
        if not e.open:
            continue
        stage = STAGES[e.stage]
        limit = current.stalled_after(stage)
        days = (now - e.times[e.stage]).days
        if limit is not None and days > limit:
            out.append(Stalled(e, stage, e.times[e.stage], days, limit))
    out.sort(key=lambda s: (-s.days, s.entry.name, s.entry.organisation_id or 0, s.entry.application_id or 0))
    return out


def reached_between(group: list[Entry], start: datetime, end: datetime) -> dict[str, list[int]]:
    """{segment: [entries that reached each stage in [start, end)]} (the weekly report's movement)."""
    out: dict[str, list[int]] = {}
    for e in group:
        row = out.setdefault(e.segment, [0] * len(STAGES))
        for i, t in enumerate(e.times):
            if t is not None and start <= t < end:
                row[i] += 1
    return {s: out[s] for s in SEGMENT_KEYS if s in out}


def new_applications(start: datetime, end: datetime) -> dict[str, int]:
    """{partner type: applications submitted in [start, end)} in one query."""
    rows = db.session.execute(
        select(FunnelApplication.partner_type, func.count()).where(FunnelApplication.submitted_at >= start,
                                                                   FunnelApplication.submitted_at < end)
        .group_by(FunnelApplication.partner_type)).all()
    return {partner_type or "": int(n) for partner_type, n in rows}


def names_of_applications(ids: list[int]) -> dict[int, str]:
    """The applicant companies for the stalled list (the read model keeps no names; recruitment's public side)."""
    from ...recruitment import public as recruitment
    return recruitment.application_companies(ids)


def has_entries() -> bool:
    return any(db.session.scalar(select(m.id).limit(1)) is not None for m in (FunnelOrganisation, FunnelApplication))


def cohorts() -> list[str]:
    """Every month from the first signing to the last, newest first (the cohort filter's choices)."""
    first, last = db.session.execute(select(func.min(FunnelOrganisation.signed_at),
                                            func.max(FunnelOrganisation.signed_at))).one()
    if first is None:
        return []
    tz = zone()
    start, end = first.astimezone(tz), last.astimezone(tz)
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out[::-1]


def age() -> datetime | None:
    """When the read model last changed (shown on the page, so a stopped worker is noticed)."""
    found = [db.session.scalar(select(func.max(m.updated_at))) for m in (FunnelOrganisation, FunnelApplication)]
    found = [f for f in found if f is not None]
    return max(found) if found else None


# --- the pages' figures, computed once per state of the read model -------------------------------

@dataclass(frozen=True)
class Summary:
    """What the funnel page and its CSVs show for one set of filters (plain data)."""
    segments: list[Breakdown]
    cohorts: list[Breakdown]
    partner_types: list[Breakdown]
    stalled: list[Stalled]


MEMO = memo.StateMemo("insights.funnel", size=32)


def state() -> tuple:
    """The read model's last change and the durable event log's position (hub/memo.py)."""
    return (age(), memo.events_position())


def summary(filters: Filters = Filters(), now: datetime | None = None) -> Summary:
    """Every breakdown of the entries the filters keep and the stalled list, kept per state, day and
    filters: reading and staging every organisation costs ~100 ms at 5,000 of them."""
    now = now or utcnow()

    def compute() -> Summary:
        group = entries(filters)
        return Summary(by_segment(group), by(group, "cohort"), by(group, "partner_type"), stalled(group, now))
    return MEMO.get(("summary", filters, now.astimezone(zone()).date(), *state()), compute)
