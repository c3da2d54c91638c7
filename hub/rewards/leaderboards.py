"""Leaderboards (R4), served from the per-period aggregates (reward_period_stat), never from a
scan of the ledger: a board is one ordered, limited query on an index, plus two small queries
for the viewer's own organisation when it is outside the top.

Order: value (highest first), then who reached that value first, then the organisation's name,
then its id: deterministic. Organisations with the same value share a rank, shown as a tie
("=3"), whatever their order on the page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select

from ..accounts.models import PARTNER, Organisation
from .models import METRIC_DEALS, METRIC_POINTS, METRIC_REVENUE, METRICS, PeriodStat
from .services import PERIOD_KINDS, period_key, program_date
from ..database import utcnow
from ..extensions import db

TOP_N = 20


def columns(metric: str):
    return {METRIC_REVENUE: (PeriodStat.revenue_kopecks, PeriodStat.revenue_at),
            METRIC_POINTS: (PeriodStat.points, PeriodStat.points_at),
            METRIC_DEALS: (PeriodStat.deals_won, PeriodStat.deals_at)}[metric]


@dataclass
class Filters:
    metric: str = METRIC_REVENUE
    period: str = "month"
    partner_type: str = ""
    region: str = ""
    tier: str = ""

    def args(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass
class Row:
    position: int
    rank: int
    tie: bool
    organisation_id: int
    name: str
    partner_type: str | None
    region: str | None
    tier: str
    value: int
    is_viewer: bool = False


@dataclass
class Board:
    filters: Filters
    period_key: str
    rows: list[Row]
    viewer: Row | None = None  # the viewer's organisation when it is outside the top
    viewer_absent: bool = False  # the viewer's organisation has nothing in this selection
    extra: dict = field(default_factory=dict)


def _base(filters: Filters, key: str):
    value, reached = columns(filters.metric)
    query = (select(PeriodStat.organisation_id, value, reached, Organisation.name, Organisation.partner_type,
                    Organisation.region, Organisation.tier)
             .join(Organisation, Organisation.id == PeriodStat.organisation_id)
             .where(PeriodStat.period == key, value > 0, Organisation.kind == PARTNER))
    return _filtered(query, filters)


def _filtered(query, filters: Filters):
    if filters.partner_type:
        query = query.where(Organisation.partner_type == filters.partner_type)
    if filters.region:
        query = query.where(Organisation.region == filters.region)
    if filters.tier:
        query = query.where(Organisation.tier == filters.tier)
    return query


def board(filters: Filters, viewer_org_id: int | None = None, now: datetime | None = None,
          limit: int = TOP_N) -> Board:
    if filters.metric not in METRICS:
        filters.metric = METRIC_REVENUE
    if filters.period not in PERIOD_KINDS:
        filters.period = "month"
    key = period_key(filters.period, program_date(now or utcnow()))
    value, reached = columns(filters.metric)
    ordered = _base(filters, key).order_by(value.desc(), reached.asc(), Organisation.name.asc(),
                                           Organisation.id.asc())
    fetched = db.session.execute(ordered.limit(limit + 1)).all()
    rows: list[Row] = []
    for index, (org_id, val, _at, name, ptype, region, tier) in enumerate(fetched[:limit]):
        rank = rows[-1].rank if rows and rows[-1].value == val else index + 1
        rows.append(Row(index + 1, rank, False, org_id, name, ptype, region, tier, int(val),
                        is_viewer=org_id == viewer_org_id))
    for i, row in enumerate(rows):
        neighbours = [fetched[j][1] for j in (i - 1, i + 1) if 0 <= j < len(fetched)]
        row.tie = row.value in neighbours
    result = Board(filters, key, rows)
    if viewer_org_id is None or any(r.is_viewer for r in rows):
        return result
    mine = db.session.execute(_base(filters, key).where(PeriodStat.organisation_id == viewer_org_id)).first()
    if mine is None:
        result.viewer_absent = True
        return result
    org_id, val, at, name, ptype, region, tier = mine
    result.viewer = place(filters, key, org_id, int(val), at, name, ptype, region, tier)
    return result


def place(filters: Filters, key: str, org_id: int, val: int, at, name: str, ptype=None, region=None,
          tier=None) -> Row:
    """An organisation's rank and position on a board, from its own value: two range counts."""
    value, reached = columns(filters.metric)
    # Ahead = strictly higher values: a range count on the (period, value) index, joined to the
    # organisations only when a filter needs them (stats exist for partner organisations only).
    ahead_query = select(func.count()).select_from(PeriodStat).where(PeriodStat.period == key, value > val)
    if filters.partner_type or filters.region or filters.tier:
        ahead_query = _filtered(ahead_query.join(Organisation, Organisation.id == PeriodStat.organisation_id),
                                filters)
    ahead = db.session.scalar(ahead_query)
    # Among equal values: those that reached it earlier, or at the same time with an earlier
    # name (then id), come first. Counted on the (period, value) range of the equal values.
    before = or_(reached < at, and_(reached == at, or_(Organisation.name < name,
                                                       and_(Organisation.name == name, Organisation.id < org_id))))
    equal, earlier = db.session.execute(_base(filters, key).where(value == val).with_only_columns(
        func.count(), func.count(case((before, 1))))).one()
    return Row(ahead + earlier + 1, ahead + 1, equal > 1, org_id, name, ptype, region, tier, val, is_viewer=True)
