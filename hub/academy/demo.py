"""The academy's demo step (`flask --app hub demo`): onboarding plans, learners part-way through
their tracks, passed and failed exams, and certificates that are valid, about to expire and expired.

Runs after the deals (each plan records when its organisation registered its first deal, the fact
"first_deal_at") and rewards (so certificates earn their points and badges through the listeners).
Idempotent: it does nothing once any lesson progress exists. It goes through the services (with
`now` in the past), so the data is exactly what real use produces, signals included.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import select, update

from .. import facts
from ..accounts.demo import BRONZE_DEMO, GOLD_DEMO
from ..accounts.models import MEMBER, PARTNER, PARTNER_ADMIN, Organisation, User
from ..core.cli import DemoContext, demo_step
from ..database import utcnow
from ..extensions import db
from . import onboarding, services
from .models import LessonProgress, OnboardingPlan, Track

SEED = 20240603


def _answers(attempt, right: int | None = None) -> dict[str, list[str]]:
    out = {}
    for n, q in enumerate(attempt.questions):
        good = [o["token"] for o in q["options"] if o["correct"]]
        bad = [o["token"] for o in q["options"] if not o["correct"]][:1]
        out[q["id"]] = good if right is None or n < right else bad
    return out


def _study(user: User, track: Track, lessons: int | None, start: datetime) -> datetime:
    """Mark the first `lessons` lessons of the track done (all if None), a few a day from `start`."""
    when = start
    n = 0
    for course in services.track_courses(track):
        for lesson in course.lessons:
            if lessons is not None and n >= lessons:
                return when
            services.mark_done(user, lesson, now=when)
            when += timedelta(hours=9)
            n += 1
    return when


def _certify(user: User, track: Track, issued: datetime, rng: random.Random, fail_first: bool = False) -> None:
    when = _study(user, track, None, issued - timedelta(days=12))
    if fail_first:
        a = services.start_attempt(user, track.final_exam_slug, now=when, rng=rng)
        services.submit_attempt(user, a.id, _answers(a, right=7), now=when + timedelta(minutes=14))
    a = services.start_attempt(user, track.final_exam_slug, now=issued - timedelta(minutes=16), rng=rng)
    right = len(a.questions) - rng.choice((0, 0, 1, 2))
    services.submit_attempt(user, a.id, _answers(a, right=right), now=issued)


@demo_step("academy", order=60)
def demo_academy(ctx: DemoContext) -> dict[str, int] | None:
    return create_academy_demo(echo=ctx.echo, first_deals=facts.get("first_deal_at", default={}),
                               gold=GOLD_DEMO, bronze=BRONZE_DEMO)


def create_academy_demo(echo: Callable[[str], None] = print, first_deals: dict[int, datetime] | None = None,
                        gold: str = "", bronze: str = "", seed: int = SEED) -> dict[str, int] | None:
    """What it created; None when the academy demo is already there; {} without academy content."""
    tracks = {t.slug: t for t in services.all_tracks()}
    if not tracks:
        echo("academy demo: no academy content (run `flask --app hub content load` first)")
        return {}
    plans = onboarding.ensure_plans()
    # Plans created now for organisations that already registered deals: record their first deal.
    for org_id, when in (first_deals or {}).items():
        db.session.execute(update(OnboardingPlan).where(OnboardingPlan.organisation_id == org_id,
                                                        OnboardingPlan.first_deal_at.is_(None))
                           .values(first_deal_at=when).execution_options(synchronize_session=False))
    db.session.commit()
    if db.session.scalar(select(LessonProgress.id).limit(1)) is not None:
        return None
    rng = random.Random(seed)
    now = utcnow()
    months = lambda n: timedelta(days=round(n * 30.44))  # noqa: E731
    orgs = {o.slug: o for o in db.session.scalars(select(Organisation).where(Organisation.kind == PARTNER))}
    people = {}
    for user in db.session.scalars(select(User).where(User.role.in_((MEMBER, PARTNER_ADMIN))).order_by(User.id)):
        people.setdefault(user.organisation_id, []).append(user)
    counts = {"plans": plans, "certificates": 0, "learners": 0}
    sales, presale, impl = tracks.get("sales"), tracks.get("presale"), tracks.get("implementation")

    def team(slug):
        org = orgs.get(slug)
        return people.get(org.id, []) if org else []

    # The Gold demo partner: a valid sales certificate, a presale one expiring within 30 days,
    # an expired implementation one, and a member part-way through presale.
    g = team(gold)
    if len(g) >= 2 and sales and presale and impl:
        _certify(g[0], sales, now - months(8), rng)
        _certify(g[1], presale, now - months(24) + timedelta(days=20), rng)
        _certify(g[0], impl, now - months(19), rng, fail_first=True)
        counts["certificates"] += 3
        if len(g) >= 3:
            _study(g[2], presale, 5, now - timedelta(days=6))
            counts["learners"] += 1
    # The Bronze demo partner: the admin half-way through sales with a failed practice quiz.
    b = team(bronze)
    if b and sales:
        _study(b[0], sales, 4, now - timedelta(days=5))
        a = services.start_attempt(b[0], "sales-kvant-platform-practice", now=now - timedelta(days=3), rng=rng)
        services.submit_attempt(b[0], a.id, _answers(a, right=2), now=now - timedelta(days=3) + timedelta(minutes=6))
        counts["learners"] += 1
        if len(b) >= 2:
            _study(b[1], sales, 1, now - timedelta(days=1))
            counts["learners"] += 1
    # Elsewhere: a spread of certificates (valid, expiring in 30/60/90 days, expired).
    others = [slug for slug in sorted(orgs) if slug not in (gold, bronze)]
    ages = [3, 6, 11, 16, 21.5, 22.5, 23.3, 26]
    for i, slug in enumerate(others[:16]):
        members = team(slug)
        if not members:
            continue
        track = (sales, presale, sales, impl)[i % 4]
        if track is None:
            continue
        age = ages[i % len(ages)]
        _certify(members[0], track, now - months(min(age, track.validity_months + 2)), rng, fail_first=i % 5 == 0)
        counts["certificates"] += 1
        if len(members) >= 2 and i % 3 == 0:
            _study(members[1], track, 3 + i % 4, now - timedelta(days=2 + i))
            counts["learners"] += 1
    reminded, expired = services.certificate_jobs(now)
    counts["reminders"], counts["expired"] = reminded, expired
    return counts
