"""The partner's rewards summary: the home-page panel and the rewards dashboard share it.

A fixed number of queries whatever the data: tier state (1), points (1), badges (1), rank (2),
commission totals (1, partner admins only), plus the onboarding fact when the academy offers it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from .. import facts
from ..core.home import home_panel
from ..database import utcnow
from ..extensions import db
from . import badges, commissions, leaderboards, tiers
from .models import METRIC_REVENUE, PeriodStat
from .services import ALL_TIME, period_key, program_date


def summary(user, now: datetime | None = None) -> dict | None:
    if not user.is_partner:
        return None
    now = now or utcnow()
    org = user.organisation
    month = period_key("month", program_date(now))
    points = dict(db.session.execute(select(PeriodStat.period, PeriodStat.points).where(
        PeriodStat.organisation_id == org.id, PeriodStat.period.in_([ALL_TIME, month]))).all())
    return {
        "organisation": org,
        "why": tiers.explain(org, now),
        "points_total": int(points.get(ALL_TIME) or 0),
        "points_month": int(points.get(month) or 0),
        "badges": badges.awards_of_org(org.id, limit=6, include_people=True),
        "rank": leaderboards.rank_of(org.id, METRIC_REVENUE, "year", now),
        "commissions": commissions.totals_for(org.id) if user.is_partner_admin else None,
        "onboarding": facts.get("onboarding_status", org.id, now, default=None),
    }


@home_panel("rewards.summary", "rewards/_home_panel.html", order=30)
def home_summary(user):
    return summary(user)
