"""What other features may ask the deals feature directly (the import contracts allow `public` only).

Read-only figures, each one query whatever the number of organisations:

- `decision_hours(org_id, since, limit)`: how long the vendor took to decide this organisation's
  registrations (submitted -> approved or rejected), newest first (key-partner care's response time).
- `figures(org_ids, today)`: per organisation, won revenue of the last 182 days and of the 182 days
  before, and the number of registrations of the last 90 days (key-partner health).

And registering a deal for a partner with the live conflict check, exactly as the deal form runs them
(leads: an accepted lead becomes a registration).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import case, func, select

from ..extensions import db
from .models import ACTIVE, WON, Deal  # noqa: F401
from .services import (CheckResult, DealError, DealInput, DuplicateRegistration, NotPermitted,  # noqa: F401
                       amount_problem, check_customer, expected_close_problem, expected_close_window,
                       program_today, register_deal)

HALF_YEAR_DAYS = 182
ACTIVITY_DAYS = 90


def decision_hours(org_id: int, since: datetime, limit: int = 200) -> list[float]:
    rows = db.session.execute(
        select(Deal.submitted_at, Deal.decided_at)
        .where(Deal.organisation_id == org_id, Deal.decided_at.is_not(None), Deal.decided_at >= since)
        .order_by(Deal.decided_at.desc()).limit(limit)).all()
    return [max(0.0, (decided - submitted).total_seconds() / 3600) for submitted, decided in rows]


def figures(org_ids, today: date) -> dict[int, dict]:
    """{org_id: {"recent_kopecks", "before_kopecks", "deals_90d"}}; organisations without deals are absent."""
    ids = list(org_ids)
    if not ids:
        return {}
    recent_from = today - timedelta(days=HALF_YEAR_DAYS)
    before_from = recent_from - timedelta(days=HALF_YEAR_DAYS)
    activity_from = datetime.combine(today - timedelta(days=ACTIVITY_DAYS), datetime.min.time(), timezone.utc)
    amount = func.coalesce(Deal.final_amount_kopecks, Deal.amount_kopecks)
    won = Deal.status == WON
    rows = db.session.execute(
        select(Deal.organisation_id,
               func.sum(case((won & (Deal.closed_on > recent_from) & (Deal.closed_on <= today), amount), else_=0)),
               func.sum(case((won & (Deal.closed_on > before_from) & (Deal.closed_on <= recent_from), amount),
                             else_=0)),
               func.sum(case((Deal.submitted_at >= activity_from, 1), else_=0)))
        .where(Deal.organisation_id.in_(ids)).group_by(Deal.organisation_id)).all()
    return {org_id: {"recent_kopecks": int(recent or 0), "before_kopecks": int(before or 0),
                     "deals_90d": int(count or 0)} for org_id, recent, before, count in rows}
