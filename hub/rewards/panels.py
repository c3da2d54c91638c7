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


def point_history(organisation_id: int, limit: int = 20) -> list[tuple]:
    """The organisation's latest point entries, newest first, each with what it was for in words
    (two queries at most: the entries, and the names of the partners a referral bonus came from)."""
    from flask_babel import gettext as _

    from ..accounts.models import Organisation
    from .models import (ACCEPTED_ANSWER, CERTIFICATE_EARNED, DEAL_APPROVED, DEAL_WON, EVENT_ATTENDED, PointEntry,
                         REFERRAL_BONUS)
    entries = list(db.session.scalars(select(PointEntry).where(PointEntry.organisation_id == organisation_id)
                                      .order_by(PointEntry.created_at.desc(), PointEntry.id.desc()).limit(limit)))
    referred = {int(e.source_key.split(":", 1)[1]) for e in entries
                if e.action == REFERRAL_BONUS and e.source_key.split(":", 1)[1].isdigit()}
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(referred))).all()) if referred else {}
    plain = {DEAL_APPROVED: _("Deal registration approved"), DEAL_WON: _("Deal won"),
             CERTIFICATE_EARNED: _("Certificate earned"), EVENT_ATTENDED: _("Event attended"),
             ACCEPTED_ANSWER: _("Answer accepted in the community")}
    out = []
    for entry in entries:
        if entry.action == REFERRAL_BONUS:
            key = entry.source_key.split(":", 1)[1]
            name = names.get(int(key)) if key.isdigit() else None
            label = (_("Referral bonus: %(org)s, the partner you brought, won its first deal", org=name) if name
                     else _("Referral bonus: a partner you brought won its first deal"))
        else:
            label = plain.get(entry.action, entry.action)
        out.append((entry, label))
    return out
