"""Rewards rules shared by the parts: program time, period buckets, the points ledger and the
leaderboard aggregates. Nothing here touches `request`; functions take `now` for tests.

Idempotency lives in the database: every ledger row, won deal, commission line and badge award
has a UNIQUE key, and is written with INSERT ... ON CONFLICT DO NOTHING (SQLite and PostgreSQL
alike, through the dialect's insert). The statement's row count says whether this call was the
one that counted; only then are the aggregates raised, in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, select

from ..database import utcnow
from ..extensions import db
from ..upsert import dialect_insert
from ..program import rules as program_rules
from .models import PeriodStat, PointEntry, WonDeal

ALL_TIME = "all"
PERIOD_KINDS = ("month", "quarter", "year", "all")


# --- time --------------------------------------------------------------------------------------

def program_zone() -> ZoneInfo:
    return ZoneInfo(program_rules.current().timezone)


def program_date(moment: datetime | None = None) -> date:
    return (moment or utcnow()).astimezone(program_zone()).date()


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def period_key(kind: str, day: date) -> str:
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    if kind == "quarter":
        return f"{day.year}-Q{quarter_of(day)}"
    if kind == "year":
        return str(day.year)
    return ALL_TIME


ROMAN = ("I", "II", "III", "IV")


def period_label(key: str, locale: str = "ru") -> str:
    """A period bucket as people say it: "Декабрь 2026" / "December 2026", "IV квартал 2026" /
    "Quarter IV 2026", "2026", "За всё время" / "All time" (never the raw key)."""
    from babel.dates import format_date
    from flask_babel import force_locale
    from flask_babel import gettext as _
    with force_locale(locale):
        if key == ALL_TIME:
            return _("All time")
        if "-Q" in key:
            year, quarter = key.split("-Q")
            return _("Quarter %(roman)s %(year)s", roman=ROMAN[int(quarter) - 1], year=year)
        if "-" in key:
            year, month = key.split("-")
            name = format_date(date(int(year), int(month), 1), "LLLL", locale=locale)
            return f"{name[:1].upper()}{name[1:]} {year}"
        return key


def period_keys(day: date) -> list[str]:
    """Every bucket a day belongs to (all time, its year, quarter and month)."""
    return [period_key(kind, day) for kind in PERIOD_KINDS]


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a quarter."""
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


# --- dialect-neutral insert --------------------------------------------------------------------

def _key(model):
    return next(iter(model.__table__.primary_key.columns))


def insert_ignore(model, **values) -> bool:
    """Insert a row unless a unique key already holds it. True when this call inserted it.
    RETURNING says which rows went in (the driver's rowcount is not reliable for this on
    every backend); SQLite >= 3.35 and PostgreSQL both return only the rows inserted."""
    stmt = dialect_insert(model).values(**values).on_conflict_do_nothing().returning(_key(model))
    return db.session.execute(stmt).first() is not None


def insert_many_ignore(model, rows: list[dict], chunk: int = 500) -> int:
    """Many rows at once, each ignored if its unique key is taken. Returns how many went in."""
    inserted = 0
    for start in range(0, len(rows), chunk):
        stmt = dialect_insert(model).values(rows[start:start + chunk]).on_conflict_do_nothing().returning(_key(model))
        inserted += len(db.session.execute(stmt).all())
    return inserted


# --- aggregates --------------------------------------------------------------------------------

def bump_stats(organisation_id: int, day: date, at: datetime, revenue: int = 0, points: int = 0,
               deals: int = 0) -> None:
    """Add to the organisation's leaderboard rows for every period containing `day`."""
    table = PeriodStat.__table__
    rows = [dict(organisation_id=organisation_id, period=key, revenue_kopecks=revenue, points=points,
                 deals_won=deals, revenue_at=at if revenue else None, points_at=at if points else None,
                 deals_at=at if deals else None)
            for key in period_keys(day)]
    stmt = dialect_insert(PeriodStat).values(rows)
    ex = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.organisation_id, table.c.period],
        set_={
            "revenue_kopecks": table.c.revenue_kopecks + ex.revenue_kopecks,
            "points": table.c.points + ex.points,
            "deals_won": table.c.deals_won + ex.deals_won,
            "revenue_at": case((ex.revenue_kopecks != 0, ex.revenue_at), else_=table.c.revenue_at),
            "points_at": case((ex.points != 0, ex.points_at), else_=table.c.points_at),
            "deals_at": case((ex.deals_won != 0, ex.deals_at), else_=table.c.deals_at),
        })
    db.session.execute(stmt)


# --- the ledger (R1) ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Credit:
    action: str
    source_key: str
    organisation_id: int
    user_id: int | None


def points_for(action: str) -> int:
    return program_rules.current().points.get(action, 0)


def credit(entry: Credit, now: datetime | None = None, points: int | None = None) -> bool:
    """Write one ledger entry unless its (action, source) is there already; raise the aggregates
    only when it was written. Runs inside the caller's transaction. True when it counted.
    `points`: the amount when the event carries it (the referral bonus); else the `points:` rule."""
    now = now or utcnow()
    amount = points_for(entry.action) if points is None else int(points)
    inserted = insert_ignore(PointEntry, user_id=entry.user_id, organisation_id=entry.organisation_id,
                             action=entry.action, source_key=entry.source_key, points=amount, created_at=now)
    if inserted and amount:
        bump_stats(entry.organisation_id, program_date(now), now, points=amount)
    return inserted


def record_won_deal(deal_id: int, organisation_id: int, user_id: int | None, product: str, amount: int,
                    closed_on: date, now: datetime | None = None) -> bool:
    """Remember a won deal once; count its revenue in the buckets of its closing day."""
    now = now or utcnow()
    inserted = insert_ignore(WonDeal, deal_id=deal_id, organisation_id=organisation_id, user_id=user_id,
                             product=product, amount_kopecks=amount, closed_on=closed_on, recorded_at=now)
    if inserted:
        bump_stats(organisation_id, closed_on, now, revenue=amount, deals=1)
    return inserted


def rebuild_stats() -> int:
    """Recompute every leaderboard aggregate from the ledger and the won deals (a repair tool:
    the listeners keep them current). Returns the number of rows written."""
    from collections import defaultdict
    zone = program_zone()
    acc: dict[tuple[int, str], dict] = defaultdict(lambda: dict(revenue_kopecks=0, points=0, deals_won=0,
                                                                revenue_at=None, points_at=None, deals_at=None))

    def later(a, b):
        return b if a is None or (b is not None and b > a) else a

    for org_id, amount, closed_on, at in db.session.execute(
            select(WonDeal.organisation_id, WonDeal.amount_kopecks, WonDeal.closed_on, WonDeal.recorded_at)):
        for key in period_keys(closed_on):
            row = acc[(org_id, key)]
            row["revenue_kopecks"] += amount
            row["deals_won"] += 1
            row["revenue_at"] = later(row["revenue_at"], at)
            row["deals_at"] = later(row["deals_at"], at)
    for org_id, points, at in db.session.execute(
            select(PointEntry.organisation_id, PointEntry.points, PointEntry.created_at)):
        if not points:
            continue
        for key in period_keys(at.astimezone(zone).date()):
            row = acc[(org_id, key)]
            row["points"] += points
            row["points_at"] = later(row["points_at"], at)
    db.session.execute(PeriodStat.__table__.delete())
    rows = [dict(organisation_id=org_id, period=period, **values) for (org_id, period), values in acc.items()]
    for start in range(0, len(rows), 5000):
        db.session.execute(PeriodStat.__table__.insert(), rows[start:start + 5000])
    return len(rows)
