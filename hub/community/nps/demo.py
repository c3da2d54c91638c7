"""The NPS demo data: two relationship rounds answered across the partner organisations (the older
one a little less happy, so the results show a trend), comments with their follow-up in each state,
and the current round still open for some people (the home panel shows it)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ... import signals
from ...accounts.models import PARTNER, PARTNER_ROLES, VENDOR_ROLES, Organisation, User
from ...core.cli import DemoContext, demo_step
from ...extensions import db
from . import services
from .models import ANSWERED, CLOSED, CONTACTED, EVENT_KIND, FOLLOW_OPEN, OPEN, RELATIONSHIP, NpsSurvey

COMMENTS = ["Быстрее согласовывайте сделки, пожалуйста.", "Отличная поддержка менеджера!",
            "Не хватает материалов на английском.", "Хотим больше вебинаров для инженеров.",
            "Портал стал удобнее, спасибо.", "Долго ждали выплату MDF."]
# Scores drawn per tier: key partners are happier; the later round a little happier than the earlier.
BASE = {"bronze": 6, "silver": 7, "gold": 8, "platinum": 9}


@demo_step("community-nps", order=82)
def demo(ctx: DemoContext) -> dict | None:
    if db.session.scalar(select(func.count()).select_from(NpsSurvey).where(NpsSurvey.kind == RELATIONSHIP)):
        return None
    manager = db.session.scalar(select(User).where(User.role.in_(VENDOR_ROLES)).order_by(User.id))
    people = db.session.execute(
        select(User, Organisation).join(Organisation, Organisation.id == User.organisation_id)
        .where(Organisation.kind == PARTNER, User.role.in_(PARTNER_ROLES), User.is_active_user.is_(True))
        .order_by(User.id).limit(400)).all()
    current_key, current_start = services.round_of(ctx.today)
    previous_key, previous_start = services.round_of(current_start.date() - timedelta(days=1))
    open_days = services.rules().open_days
    made = answered = 0
    for lift, (key, start, share) in enumerate(((previous_key, previous_start, 0.75),
                                                (current_key, current_start, 0.55))):
        current = key == current_key
        for n, (user, org) in enumerate(people):
            opened = min(start, ctx.now - timedelta(days=1))
            expires = max(start + timedelta(days=open_days), ctx.now + timedelta(days=14)) if current else \
                start + timedelta(days=open_days)
            survey = NpsSurvey(user_id=user.id, organisation_id=org.id, kind=RELATIONSHIP, source_key=key,
                               tier=org.tier, segment=org.segment, partner_type=org.partner_type, status=OPEN,
                               opened_at=opened, expires_at=expires, comment="", follow_up_note="")
            made += 1
            if ctx.rng.random() < share:
                score = max(0, min(10, BASE.get(org.tier, 7) + lift + ctx.rng.randint(-4, 2)))
                at = min(opened + timedelta(days=ctx.rng.randint(0, 10), hours=ctx.rng.randint(1, 20)),
                         ctx.now - timedelta(hours=1))
                survey.status, survey.score, survey.answered_at = ANSWERED, score, at
                if ctx.rng.random() < 0.35:
                    survey.comment = ctx.rng.choice(COMMENTS)
                    state = FOLLOW_OPEN if current else ctx.rng.choice((CONTACTED, CLOSED))
                    survey.follow_up_status = state
                    if state != FOLLOW_OPEN and manager is not None:
                        survey.follow_up_by_id, survey.follow_up_at = manager.id, at + timedelta(days=2)
                        survey.follow_up_note = "Созвонились, договорились о следующих шагах."
                answered += 1
            elif not current:
                survey.status = "expired"
            db.session.add(survey)
            if survey.status == ANSWERED:
                db.session.flush()
                signals.nps_answered.emit(response_id=survey.id, survey_kind=EVENT_KIND[RELATIONSHIP],
                                          organisation_id=org.id, user_id=user.id, score=survey.score,
                                          answered_at=survey.answered_at)
    return {"surveys": made, "answered": answered}
