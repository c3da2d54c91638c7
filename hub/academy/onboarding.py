"""Academy onboarding (A4): each partner organisation's plan towards its first deal within the
program's target days, its steps (from content/academy/onboarding.yml) ticked by hand or by what
happened (a certificate, an attended event, the profile, the team, the first deal registered and
won), and the durable-event listeners that tick them.

The listeners run by the outbox after the emitting transaction committed, each in its own
transaction (which they never commit themselves): see hub/signals.py. Each is idempotent: a plan
is one per organisation, a step done once per (organisation, step), a first-deal time set only
while empty.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import facts, signals
from ..accounts.models import PARTNER, Invitation, Organisation, User
from ..core.services import audit
from ..database import utcnow, write_intent
from ..extensions import db
from ..program import rules as program_rules
from ..web import Page
from .models import Certificate, OnboardingDone, OnboardingPlan, OnboardingStepDef
from .services import AcademyError, _valid_at, valid_certifications_by_track


# --- onboarding (A4) ---------------------------------------------------------------------------

def _target_days() -> int:
    return program_rules.current().ttfd_target_days


def ensure_plan(org_id: int, started_at: datetime | None = None) -> OnboardingPlan | None:
    """The organisation's plan, created when missing (partner organisations only). Commits.

    The look-up runs inside write_intent: on SQLite a read that later turns into a write would
    fail with "database is locked" when another writer holds the lock.
    """
    with write_intent():
        plan = _plan_in_transaction(org_id, started_at)
        db.session.commit()
    return plan


def _plan_in_transaction(org_id: int, started_at: datetime | None = None) -> OnboardingPlan | None:
    plan = db.session.scalar(select(OnboardingPlan).where(OnboardingPlan.organisation_id == org_id))
    if plan is not None:
        return plan
    org = db.session.get(Organisation, org_id)
    if org is None or org.kind != PARTNER:
        return None
    try:
        with db.session.begin_nested():
            plan = OnboardingPlan(organisation_id=org_id, started_at=started_at or org.created_at or utcnow(),
                                  target_days=_target_days(), created_at=utcnow())
            db.session.add(plan)
            db.session.flush()
    except IntegrityError:
        plan = db.session.scalar(select(OnboardingPlan).where(OnboardingPlan.organisation_id == org_id))
    return plan


def ensure_plans() -> int:
    """Plans for partner organisations that have none (those that joined before the academy)."""
    missing = db.session.scalars(select(Organisation).where(
        Organisation.kind == PARTNER,
        ~select(OnboardingPlan.id).where(OnboardingPlan.organisation_id == Organisation.id).exists())).all()
    if not missing:
        return 0
    target = _target_days()
    with write_intent():
        for org in missing:
            db.session.add(OnboardingPlan(organisation_id=org.id, started_at=org.created_at or utcnow(),
                                          target_days=target, created_at=utcnow()))
        db.session.commit()
    return len(missing)


def _tick_step(org_id: int, step_slug: str, when: datetime, by: int | None = None) -> bool:
    try:
        with db.session.begin_nested():
            db.session.add(OnboardingDone(organisation_id=org_id, step_slug=step_slug, done_at=when, done_by_id=by))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def mark_step(org_id: int, step_slug: str, actor: User, now: datetime | None = None) -> None:
    """A partner admin (own organisation) or a manager ticks a manual step."""
    step = db.session.scalar(select(OnboardingStepDef).where(OnboardingStepDef.slug == step_slug))
    if step is None or step.done_by != "manual":
        raise AcademyError(_("This step ticks itself."))
    if not (actor.is_manager or (actor.is_partner_admin and actor.organisation_id == org_id)):
        raise AcademyError(_("You are not allowed to do this."))
    with write_intent():
        if _plan_in_transaction(org_id) is None:
            db.session.rollback()
            raise AcademyError(_("This organisation has no onboarding plan."))
        if _tick_step(org_id, step_slug, now or utcnow(), actor.id):
            audit("onboarding", org_id, "step_done", actor=actor, organisation_id=org_id, step=step_slug)
        db.session.commit()


def onboarding_status(org_id: int, now: datetime | None = None, language: str | None = None) -> dict | None:
    """An organisation's plan with each step's state. What it reads is read once per GET request
    (the home page shows the plan and the rewards panel its progress: seven queries, not fourteen)."""
    now = now or utcnow()
    # Kept on the request itself (its WSGI environ), not on `g`: an app context, and its `g`, can
    # outlive one request (a test's, a CLI's).
    kept = request.environ.setdefault("hub.academy.onboarding", {}) \
        if has_request_context() and request.method == "GET" else {}
    if org_id not in kept:
        kept[org_id] = _plan_inputs(org_id, now)
    inputs = kept[org_id]
    if inputs is None:
        return None
    return _plan_status(*inputs, now, language or "ru")


def _plan_inputs(org_id: int, now: datetime) -> tuple | None:
    plan = db.session.scalar(select(OnboardingPlan).where(OnboardingPlan.organisation_id == org_id))
    if plan is None:
        return None
    steps = db.session.scalars(select(OnboardingStepDef).order_by(OnboardingStepDef.position)).all()
    done = {d.step_slug: d for d in db.session.scalars(select(OnboardingDone).where(OnboardingDone.organisation_id == org_id))}
    certified = set(valid_certifications_by_track(org_id, now))
    org = db.session.get(Organisation, org_id)
    people = db.session.scalar(select(func.count(User.id)).where(User.organisation_id == org_id)) or 0
    invited = db.session.scalar(select(func.count(Invitation.id)).where(Invitation.organisation_id == org_id)) or 0
    return plan, org, steps, done, certified, people, invited


def _plan_status(plan, org, steps, done, certified: set[str], people: int, invited: int, now: datetime,
                 language: str) -> dict:
    deadline = plan.started_at + timedelta(days=plan.target_days)
    out = []
    for step in steps:
        row = done.get(step.slug)
        done_at = row.done_at if row else None
        kind = step.done_by
        if done_at is None:
            if kind.startswith("certificate:") and kind[12:] in certified:
                done_at = now
            elif kind == "profile_completed" and org and org.profile_completed_at:
                done_at = org.profile_completed_at
            elif kind == "team_invited" and (people > 1 or invited):
                done_at = now
            elif kind == "first_deal_registered" and plan.first_deal_at:
                done_at = plan.first_deal_at
            elif kind == "first_deal_won" and plan.first_deal_won_at:
                done_at = plan.first_deal_won_at
        due_at = plan.started_at + timedelta(days=step.due_day)
        out.append({"id": step.slug, "title": step.title(language), "description": step.description(language),
                    "due_day": step.due_day, "due_at": due_at, "done": done_at is not None, "done_at": done_at,
                    "done_by": kind, "manual": kind == "manual", "overdue": done_at is None and due_at < now})
    days_left = (deadline - now).days if deadline > now else 0
    return {"started_at": plan.started_at, "deadline": deadline, "days_left": days_left,
            "target_days": plan.target_days, "first_deal_at": plan.first_deal_at, "steps": out,
            "done": sum(1 for s in out if s["done"]), "total": len(out)}


def onboarding_page(page: int, per_page: int, now: datetime | None = None, language: str = "ru") -> Page:
    """Every partner organisation's plan, newest first, in a fixed number of queries."""
    now = now or utcnow()
    total = db.session.scalar(select(func.count(OnboardingPlan.id))) or 0
    rows = db.session.execute(select(OnboardingPlan, Organisation).join(Organisation, Organisation.id == OnboardingPlan.organisation_id)
                              .order_by(OnboardingPlan.started_at.desc(), OnboardingPlan.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    ids = [org.id for _plan, org in rows]
    steps = db.session.scalars(select(OnboardingStepDef).order_by(OnboardingStepDef.position)).all()
    done: dict[int, dict] = {}
    certified: dict[int, set] = {}
    people: dict[int, int] = {}
    invited: dict[int, int] = {}
    if ids:
        for d in db.session.scalars(select(OnboardingDone).where(OnboardingDone.organisation_id.in_(ids))):
            done.setdefault(d.organisation_id, {})[d.step_slug] = d
        for org_id, slug in db.session.execute(select(Certificate.organisation_id, Certificate.track_slug)
                                               .where(Certificate.organisation_id.in_(ids), _valid_at(now)).distinct()):
            certified.setdefault(org_id, set()).add(slug)
        people = dict(db.session.execute(select(User.organisation_id, func.count(User.id))
                                         .where(User.organisation_id.in_(ids)).group_by(User.organisation_id)).all())
        invited = dict(db.session.execute(select(Invitation.organisation_id, func.count(Invitation.id))
                                          .where(Invitation.organisation_id.in_(ids)).group_by(Invitation.organisation_id)).all())
    items = [(org, _plan_status(plan, org, steps, done.get(org.id, {}), certified.get(org.id, set()),
                                people.get(org.id, 0), invited.get(org.id, 0), now, language))
             for plan, org in rows]
    return Page(items, page, per_page, total)


@facts.provides("onboarding_status")
def _onboarding_fact(org_id: int, now: datetime) -> dict | None:
    return onboarding_status(org_id, now)


# --- domain-event listeners ---------------------------------------------------------------------

@signals.organisation_created.listener("academy.onboarding_plan")
def _on_organisation_created(event: signals.Event) -> None:
    if event.kind == PARTNER:
        _plan_in_transaction(event.organisation_id, started_at=event.created_at)


@signals.certificate_earned.listener("academy.onboarding_certificate")
def _on_certificate_earned(event: signals.Event) -> None:
    if _plan_in_transaction(event.organisation_id) is None:
        return
    slugs = db.session.scalars(select(OnboardingStepDef.slug).where(
        OnboardingStepDef.done_by == f"certificate:{event.track_slug}")).all()
    for slug in slugs:
        _tick_step(event.organisation_id, slug, event.issued_at)


@signals.event_attended.listener("academy.onboarding_event")
def _on_event_attended(event: signals.Event) -> None:
    # Steps whose rule is "done when someone of the organisation attended an event" (a kick-off
    # webinar, a training day): ticked at the check-in time, once per step by the unique key.
    if _plan_in_transaction(event.organisation_id) is None:
        return
    slugs = db.session.scalars(select(OnboardingStepDef.slug).where(
        OnboardingStepDef.done_by == "event_attended")).all()
    for slug in slugs:
        _tick_step(event.organisation_id, slug, event.attended_at)


def _first_deal(org_id: int, column: str, when: datetime) -> None:
    plan = _plan_in_transaction(org_id)
    if plan is None:
        return
    db.session.execute(update(OnboardingPlan).where(
        OnboardingPlan.id == plan.id, getattr(OnboardingPlan, column).is_(None))
        .values(**{column: when}).execution_options(synchronize_session=False))


@signals.deal_submitted.listener("academy.first_deal")
def _on_deal_submitted(event: signals.Event) -> None:
    _first_deal(event.organisation_id, "first_deal_at", event.submitted_at)


@signals.deal_won.listener("academy.first_deal_won")
def _on_deal_won(event: signals.Event) -> None:
    # When the win was recorded (a retried delivery keeps that moment), as the plan counts it.
    _first_deal(event.organisation_id, "first_deal_won_at", event.occurred_at)
