"""The managers' weekly report (issue 14 point 6): the funnel as the week ended and what moved in it,
new applications, stalled partners, key partners at risk (community.care's health score, through the
`key_partner_health` fact) and the sections other features registered in hub/insights/report.py.

Weeks run Monday to Sunday in the program's time zone. The first tick after a week ends sends that
week's report to every active manager and admin (the `insights.weekly` notification: inbox line and
e-mail, links from HUB_BASE_URL). Once only: the week's row in funnel_weekly_report is inserted with
ON CONFLICT DO NOTHING before anything is sent, in the transaction that queues the mail — a second
tick, also one running at the same moment, inserts nothing and sends nothing. A tick that missed
weeks sends only the latest one (an old report is still on its page). Nothing is sent while the funnel
is empty (a new hub: nobody applied or signed yet).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select, update

from ... import facts
from ...accounts.models import VENDOR_ROLES, User
from ...core import notifications
from ...core.cli import tick_job
from ...database import utcnow, write_intent
from ...extensions import db
from ...upsert import dialect_insert
from .. import report as report_sections
from . import bp, services
from .models import FunnelWeeklyReport

STALLED_SHOWN = 20
OLDEST = date(2000, 1, 3)  # a Monday: no program report is older


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(services.zone()).date()


def last_complete_week(now: datetime | None = None) -> date:
    return week_of(today(now)) - timedelta(days=7)


def bounds(week_start: date) -> tuple[datetime, datetime]:
    tz = services.zone()
    start = datetime(week_start.year, week_start.month, week_start.day, tzinfo=tz)
    end_day = week_start + timedelta(days=7)
    end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def parse_week(value: str, now: datetime | None = None) -> date:
    """A week as its Monday ("2026-11-23"): not before OLDEST, not after the current week."""
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise services.FunnelError("week", "week") from None
    if day.weekday() != 0 or not OLDEST <= day <= week_of(today(now)):
        raise services.FunnelError("week", "week")
    return day


def _as_of(entry: services.Entry, end: datetime) -> services.Entry | None:
    times = [t if t is not None and t < end else None for t in entry.times]
    if all(t is None for t in times):
        return None
    declined = entry.declined_at if entry.declined_at is not None and entry.declined_at < end else None
    return replace(entry, times=times, declined_at=declined)


@dataclass
class WeeklyReport:
    week_start: date
    start: datetime
    end: datetime
    funnel: list[services.Breakdown]
    moved: dict[str, list[int]]
    new_applications: dict[str, int]
    stalled: list[services.Stalled]
    stalled_total: int
    at_risk: list[dict] | None            # None: the care feature is absent
    sections: list = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def new_total(self) -> int:
        return sum(self.new_applications.values())

    def name(self, stalled: services.Stalled) -> str:
        e = stalled.entry
        return e.name or self.names.get(e.application_id or 0, "")


def build(week_start: date, now: datetime | None = None) -> WeeklyReport:
    """The week's report as the week ended (or as of now, for the week still running)."""
    now = now or utcnow()
    start, end = bounds(week_start)
    as_of = min(end, now)

    def funnel_part() -> tuple:
        """The funnel's share of the report (plain data, the same in every language), kept per state
        of the read model and, for the week still running, per day (services.MEMO)."""
        group = [e for e in (_as_of(e, as_of) for e in services.entries()) if e is not None]
        stalled = services.stalled(group, as_of)
        shown = stalled[:STALLED_SHOWN]
        names = services.names_of_applications([s.entry.application_id for s in shown
                                                if s.entry.organisation_id is None and s.entry.application_id])
        return (services.by_segment(group), services.reached_between(group, start, end),
                services.new_applications(start, end), shown, len(stalled), names)

    day = None if as_of == end else today(now)
    funnel, moved, new, shown, stalled_total, names = services.MEMO.get(
        ("weekly", week_start, day, *services.state()), funnel_part)
    at_risk = None
    if facts.has("key_partner_health"):
        at_risk = [row for row in facts.get("key_partner_health", as_of, default=[]) or [] if row.get("at_risk")]
    return WeeklyReport(week_start, start, end, funnel, moved, new, shown, stalled_total, at_risk,
                        report_sections.sections(week_start, week_start + timedelta(days=7)), names)


@bp.app_template_global("funnel_weekly_report")
def _report_global(week_key: str) -> WeeklyReport:
    """For the e-mail templates, rendered in each recipient's language."""
    return build(date.fromisoformat(week_key))


def managers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_(VENDOR_ROLES), User.is_active_user.is_(True))
                                   .order_by(User.id)))


def send_due(now: datetime | None = None) -> date | None:
    """Send the last complete week's report unless it was sent; returns the week sent, or None."""
    now = now or utcnow()
    week = last_complete_week(now)
    table = FunnelWeeklyReport.__table__
    with write_intent():  # BEGIN IMMEDIATE on SQLite before the first read: racing ticks queue, never deadlock
        if not services.has_entries():
            db.session.commit()
            return None  # a hub with no funnel yet (nobody applied or signed) has nothing to report
        claimed = db.session.execute(dialect_insert(FunnelWeeklyReport).values(week_start=week, recipients=0, sent_at=now)
                                     .on_conflict_do_nothing(index_elements=["week_start"])
                                     .returning(table.c.id)).scalar()
        if claimed is None:
            db.session.commit()
            return None
        people = managers()
        notifications.send(people, "insights.weekly", params={"week": week, "week_key": week.isoformat()},
                           link_endpoint="funnel.weekly_of", link_values={"week": week.isoformat()}, now=now)
        db.session.execute(update(FunnelWeeklyReport).where(FunnelWeeklyReport.id == claimed)
                           .values(recipients=len(people)))
        db.session.commit()
    return week


def sent_weeks(limit: int = 12) -> list[FunnelWeeklyReport]:
    return list(db.session.scalars(select(FunnelWeeklyReport).order_by(FunnelWeeklyReport.week_start.desc())
                                   .limit(limit)))


@tick_job("insights.funnel.weekly")
def weekly_job(echo) -> None:
    week = send_due()
    echo(f"weekly report for the week of {week.isoformat()} sent" if week else "no weekly report due")

