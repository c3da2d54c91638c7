"""The partner's rewards summary: the home-page panel and the rewards dashboard share it.

A fixed number of queries whatever the data: tier state (1; +1 before the organisation's first
evaluation), the organisation's period aggregates (1), its rank (2, once it has results this
year), badges (1), commission totals (1, partner admins only), plus the onboarding fact when the
academy offers it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from .. import facts
from ..database import utcnow
from ..extensions import db
from ..ui import PARTNERS, home_panel
from . import badges, commissions, leaderboards, tiers
from .models import METRIC_REVENUE, PeriodStat
from .services import ALL_TIME, period_key, program_date


def summary(user, now: datetime | None = None) -> dict | None:
    if not user.is_partner:
        return None
    now = now or utcnow()
    org = user.organisation
    today = program_date(now)
    month, year = period_key("month", today), period_key("year", today)
    stats = {row.period: row for row in db.session.scalars(select(PeriodStat).where(
        PeriodStat.organisation_id == org.id, PeriodStat.period.in_([ALL_TIME, month, year])))}
    rank = None
    mine = stats.get(year)
    if mine is not None and mine.revenue_kopecks > 0:
        rank = leaderboards.place(leaderboards.Filters(metric=METRIC_REVENUE, period="year"), year, org.id,
                                  mine.revenue_kopecks, mine.revenue_at, org.name)
    return {
        "organisation": org,
        "why": tiers.explain(org, now),
        "points_total": stats[ALL_TIME].points if ALL_TIME in stats else 0,
        "points_month": stats[month].points if month in stats else 0,
        # Won deals, never registrations: the tile says "first deal won" only once one is.
        "deals_won_total": stats[ALL_TIME].deals_won if ALL_TIME in stats else 0,
        "badges": badges.awards_of_org(org.id, limit=6, include_people=True),
        "rank": rank,
        "commissions": commissions.totals_for(org.id) if user.is_partner_admin else None,
        "onboarding": facts.get("onboarding_status", org.id, now, default=None),
    }


@home_panel("rewards.summary", "rewards/_home_panel.html", order=30, roles=PARTNERS)
def home_summary(user):
    return summary(user)
