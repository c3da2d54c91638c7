"""The rules of partner NPS (SPEC C6): surveys opened once per occasion, answered once, comments
routed to the account manager, results per tier, segment, partner type and period.

Once-only everywhere by keys, never by a read-then-write:
- a survey is an INSERT ... ON CONFLICT DO NOTHING on (user, kind, source_key): a replayed event or
  a second tick adds nothing;
- an answer is one `UPDATE ... WHERE id = :id AND user_id = :me AND status = 'open' AND expires_at > now`:
  of two racing answers the database lets exactly one match (the other finds the row answered).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, literal, select, update
from sqlalchemy.orm import joinedload

from ... import signals
from ...accounts.models import MANAGER, PARTNER, PARTNER_ROLES, VENDOR_ROLES, Organisation, User
from ...core import notifications
from ...core.services import audit
from ...database import utcnow, write_intent
from ...domain_events.models import DomainEvent
from ...extensions import db
from ...inputs import is_bad
from ...program import rules as program_rules
from ...upsert import dialect_insert
from .models import (AFTER_DEAL, AFTER_EVENT, AFTER_MDF, ANSWERED, CLOSED, COMMENT_MAX, CONTACTED, EVENT_KIND,
                     EXPIRED, FOLLOW_OPEN, KINDS, NOTE_MAX, OPEN, RELATIONSHIP, NpsSurvey)

PROMOTER_MIN, DETRACTOR_MAX = 9, 6  # 9-10 promoters, 7-8 passives, 0-6 detractors
SCORES = range(0, 11)


class NpsError(Exception):
    """Not allowed now; the message is for the user, already translated."""


class NotFound(NpsError):
    """Not there for this user (routes answer 404)."""


class Invalid(NpsError):
    """Bad input; `problems` by field name (routes show them next to the fields, 422)."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(" ".join(problems.values()))
        self.problems = problems


def rules():
    return program_rules.current().nps


@contextmanager
def _writing():
    with write_intent():
        try:
            yield
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise


# --- the arithmetic ------------------------------------------------------------------------------

def nps(promoters: int, detractors: int, answered: int) -> Decimal | None:
    """% promoters − % detractors, one decimal (half up); None when nobody answered."""
    if not answered:
        return None
    value = Decimal(100 * (promoters - detractors)) / Decimal(answered)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rate(answered: int, sent: int) -> Decimal | None:
    """The response rate in %, one decimal; None when nothing was sent."""
    if not sent:
        return None
    return (Decimal(100 * answered) / Decimal(sent)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Row:
    """One line of a results table."""
    key: str | None
    sent: int = 0
    answered: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @property
    def nps(self) -> Decimal | None:
        return nps(self.promoters, self.detractors, self.answered)

    @property
    def rate(self) -> Decimal | None:
        return rate(self.answered, self.sent)

    def add(self, other: "Row") -> None:
        for name in ("sent", "answered", "promoters", "passives", "detractors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


# --- opening surveys -----------------------------------------------------------------------------

def round_of(day: date, months=None) -> tuple[str, datetime] | None:
    """The relationship round `day` falls in: its key ("2026-09") and start (the 1st of the month,
    00:00 UTC), the latest round month on or before `day` (last year's last one in January)."""
    months = tuple(months if months is not None else rules().relationship_months)
    if not months:
        return None
    earlier = [m for m in months if m <= day.month]
    year, month = (day.year, max(earlier)) if earlier else (day.year - 1, max(months))
    return f"{year:04d}-{month:02d}", datetime(year, month, 1, tzinfo=timezone.utc)


def _active_partners():
    return (select(User.id, User.organisation_id, Organisation.tier, Organisation.segment, Organisation.partner_type)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(Organisation.kind == PARTNER, User.role.in_(PARTNER_ROLES), User.is_active_user.is_(True)))


def open_relationship_round(now: datetime | None = None) -> int:
    """The tick: the current round's survey for every active partner person, in one INSERT ... SELECT
    (people who already have it are skipped by the unique key), then one notification call for all
    of them. Nothing once the round's answering window has passed. Returns how many were opened."""
    now = now or utcnow()
    found = round_of(now.date())
    if found is None:
        return 0
    key, start = found
    expires = start + timedelta(days=rules().open_days)
    if now >= expires:
        return 0
    with _writing():
        people = _active_partners().add_columns(
            literal(RELATIONSHIP), literal(key), literal(OPEN), literal(now, NpsSurvey.opened_at.type),
            literal(expires, NpsSurvey.expires_at.type), literal(""), literal("")).where(
            ~exists().where(NpsSurvey.user_id == User.id, NpsSurvey.kind == RELATIONSHIP, NpsSurvey.source_key == key))
        statement = dialect_insert(NpsSurvey).from_select(
            ["user_id", "organisation_id", "tier", "segment", "partner_type", "kind", "source_key", "status",
             "opened_at", "expires_at", "comment", "follow_up_note"], people
        ).on_conflict_do_nothing(index_elements=["user_id", "kind", "source_key"])
        db.session.execute(statement)
        opened = list(db.session.scalars(
            select(User).join(NpsSurvey, NpsSurvey.user_id == User.id).where(
                NpsSurvey.kind == RELATIONSHIP, NpsSurvey.source_key == key, NpsSurvey.opened_at == now)))
        if opened:
            notifications.send(opened, "nps.relationship", link_endpoint="nps.index",
                               params={"until": notifications.Day.of(expires)}, now=now)
    return len(opened)


def expire_unanswered(now: datetime | None = None) -> int:
    """The tick: open surveys past their window expire (one UPDATE)."""
    now = now or utcnow()
    with _writing():
        result = db.session.execute(update(NpsSurvey).where(NpsSurvey.status == OPEN, NpsSurvey.expires_at <= now)
                                    .values(status=EXPIRED).execution_options(synchronize_session=False))
    return result.rowcount or 0


def open_survey(user_id: int | None, kind: str, source_key: str, now: datetime | None = None) -> NpsSurvey | None:
    """A one-question survey for an occasion (listeners call this inside their transaction): only for
    an active partner person, only when the rules switch the kind on, once per (user, kind, key).
    Returns the new survey, or None when none was opened."""
    if user_id is None or kind not in KINDS or kind == RELATIONSHIP:
        return None
    if not getattr(rules(), kind):
        return None
    person = db.session.execute(_active_partners().where(User.id == user_id)).first()
    if person is None:
        return None
    now = now or utcnow()
    expires = now + timedelta(days=rules().open_days)
    statement = dialect_insert(NpsSurvey).values(
        user_id=person.id, organisation_id=person.organisation_id, tier=person.tier, segment=person.segment,
        partner_type=person.partner_type, kind=kind, source_key=source_key, status=OPEN, opened_at=now,
        expires_at=expires, comment="", follow_up_note="",
    ).on_conflict_do_nothing(index_elements=["user_id", "kind", "source_key"]).returning(NpsSurvey.id)
    # RETURNING, not rowcount: an ORM-enabled INSERT does not report rowcount alike on every driver.
    new_id = db.session.execute(statement).scalar()
    if new_id is None:
        return None
    survey = db.session.get(NpsSurvey, new_id)
    user = db.session.get(User, user_id)
    notifications.send([user], "nps.after", obj=survey, link_endpoint="nps.answer",
                       link_values={"survey_id": survey.id}, now=now,
                       params={"kind": kind, "until": notifications.Day.of(expires)})
    return survey


# --- the listeners (durable domain events, hub/signals.py) ---------------------------------------

@signals.subscribe("nps.after_deal", signals.deal_approved, signals.deal_rejected, signals.deal_won)
def _after_deal(event: signals.Event) -> None:
    decision = {"deal_approved": "approved", "deal_rejected": "rejected", "deal_won": "won"}[event.name]
    open_survey(event.created_by_id, AFTER_DEAL, f"deal:{event.deal_id}:{decision}")


def mdf_submitter(request_id: int) -> int | None:
    """Who asked for an MDF request: the `mdf_request_submitted` event names them (the MDF feature's
    `mdf_request_decided` and `mdf_paid` do not), read from the outbox rather than MDF's tables."""
    payloads = db.session.scalars(select(DomainEvent.payload).where(
        DomainEvent.name == "mdf_request_submitted",
        DomainEvent.payload["request_id"].as_integer() == request_id).order_by(DomainEvent.id.desc()).limit(1))
    payload = next(iter(payloads), None)
    return None if payload is None else payload.get("user_id")


@signals.mdf_request_decided.listener("nps.after_mdf_decision")
def _after_mdf_decision(event: signals.Event) -> None:
    if event.decision == "changes_requested":  # not a decision yet: the partner edits and sends again
        return
    open_survey(mdf_submitter(event.request_id), AFTER_MDF, f"mdf:{event.request_id}:decided")


@signals.mdf_paid.listener("nps.after_mdf_payment")
def _after_mdf_payment(event: signals.Event) -> None:
    open_survey(mdf_submitter(event.request_id), AFTER_MDF, f"mdf:{event.request_id}:paid")


@signals.event_attended.listener("nps.after_event")
def _after_event(event: signals.Event) -> None:
    open_survey(event.user_id, AFTER_EVENT, f"event:{event.event_id}")


# --- the partner's side --------------------------------------------------------------------------

def open_surveys(user: User, now: datetime | None = None, limit: int = 5) -> list[NpsSurvey]:
    """The person's surveys still to answer, newest first (one query)."""
    now = now or utcnow()
    return list(db.session.scalars(select(NpsSurvey).where(
        NpsSurvey.user_id == user.id, NpsSurvey.status == OPEN, NpsSurvey.expires_at > now)
        .order_by(NpsSurvey.opened_at.desc(), NpsSurvey.id.desc()).limit(limit)))


def my_surveys(user: User, limit: int = 50) -> list[NpsSurvey]:
    return list(db.session.scalars(select(NpsSurvey).where(NpsSurvey.user_id == user.id)
                                   .order_by(NpsSurvey.opened_at.desc(), NpsSurvey.id.desc()).limit(limit)))


def get_own(user: User, survey_id: int) -> NpsSurvey:
    """The person's own survey; anyone else's (a colleague's, another organisation's) is not found."""
    survey = db.session.get(NpsSurvey, survey_id)
    if survey is None or survey.user_id != user.id:
        raise NotFound(_("This survey does not exist."))
    return survey


def is_open(survey: NpsSurvey, now: datetime | None = None) -> bool:
    return survey.status == OPEN and survey.expires_at > (now or utcnow())


def check_answer(score, comment) -> dict[str, str]:
    """Problems by field (the form checks the same; kept here so that no caller can skip them)."""
    problems = {}
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        problems["score"] = _("Choose a score from 0 to 10.")
    if not isinstance(comment, str) or is_bad(comment):
        problems["comment"] = _("This comment contains characters that cannot be stored.")
    elif len(comment) > COMMENT_MAX:
        problems["comment"] = _("At most %(n)s characters.", n=COMMENT_MAX)
    return problems


def answer(user: User, survey_id: int, score, comment: str = "", now: datetime | None = None) -> NpsSurvey:
    """Store the person's answer once. A second answer, an expired survey or someone else's survey
    changes nothing (NpsError / NotFound)."""
    comment = comment.strip() if isinstance(comment, str) else comment
    problems = check_answer(score, comment)
    if problems:
        raise Invalid(problems)
    now = now or utcnow()
    with _writing():
        result = db.session.execute(
            update(NpsSurvey).where(NpsSurvey.id == survey_id, NpsSurvey.user_id == user.id,
                                    NpsSurvey.status == OPEN, NpsSurvey.expires_at > now)
            .values(status=ANSWERED, score=score, comment=comment, answered_at=now,
                    follow_up_status=FOLLOW_OPEN if comment else None)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            survey = db.session.get(NpsSurvey, survey_id)
            if survey is None or survey.user_id != user.id:
                raise NotFound(_("This survey does not exist."))
            if survey.status == ANSWERED:
                raise NpsError(_("You have already answered this survey. Thank you!"))
            raise NpsError(_("This survey is closed."))
        survey = db.session.scalar(select(NpsSurvey).where(NpsSurvey.id == survey_id)
                                   .options(joinedload(NpsSurvey.organisation))
                                   .execution_options(populate_existing=True))
        signals.nps_answered.emit(response_id=survey.id, survey_kind=EVENT_KIND[survey.kind],
                                  organisation_id=survey.organisation_id, user_id=user.id, score=score,
                                  answered_at=now)
        if comment:
            notifications.send(managers_for(survey.organisation), "nps.comment", obj=survey, now=now,
                               link_endpoint="nps.follow_up", link_values={"survey_id": survey.id},
                               params={"person": user.name, "organisation": survey.organisation.name,
                                       "score": score, "comment": _excerpt(comment)})
    return survey


def _excerpt(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def managers_for(organisation: Organisation) -> list[User]:
    """The organisation's account manager; when it has none (or they left), every active manager."""
    if organisation.account_manager_id:
        manager = db.session.get(User, organisation.account_manager_id)
        if manager is not None and manager.is_vendor and manager.is_active_user:
            return [manager]
    people = list(db.session.scalars(select(User).where(User.role == MANAGER, User.is_active_user.is_(True))
                                     .order_by(User.id)))
    return people or list(db.session.scalars(select(User).where(User.role.in_(VENDOR_ROLES),
                                                                User.is_active_user.is_(True)).order_by(User.id)))


# --- the managers' follow-up ---------------------------------------------------------------------

def follow_ups(status: str | None = None, mine: User | None = None, limit: int = 200) -> list[NpsSurvey]:
    """Answers with a comment, newest first; `status` one of FOLLOW_UPS; `mine`: only the
    organisations this manager looks after (one query, people and organisations joined)."""
    query = (select(NpsSurvey).where(NpsSurvey.follow_up_status.is_not(None))
             .options(joinedload(NpsSurvey.user), joinedload(NpsSurvey.organisation),
                      joinedload(NpsSurvey.follow_up_by)))
    if status:
        query = query.where(NpsSurvey.follow_up_status == status)
    if mine is not None:
        query = query.join(Organisation, Organisation.id == NpsSurvey.organisation_id).where(
            Organisation.account_manager_id == mine.id)
    return list(db.session.scalars(query.order_by(NpsSurvey.answered_at.desc(), NpsSurvey.id.desc()).limit(limit)))


def get_answer(manager: User, survey_id: int) -> NpsSurvey:
    survey = db.session.get(NpsSurvey, survey_id) if manager.is_vendor else None
    if survey is None or survey.status != ANSWERED:
        raise NotFound(_("This answer does not exist."))
    return survey


def follow_up(manager: User, survey_id: int, status: str, note: str) -> NpsSurvey:
    """Record the follow-up of an answer (contacted, closed, or open again) with a note; audited."""
    if not manager.is_vendor:
        raise NotFound(_("This answer does not exist."))
    note = note.strip() if isinstance(note, str) else note
    problems = {}
    if status not in (FOLLOW_OPEN, CONTACTED, CLOSED):
        problems["status"] = _("Choose a status.")
    if not isinstance(note, str) or is_bad(note):
        problems["note"] = _("This note contains characters that cannot be stored.")
    elif len(note) > NOTE_MAX:
        problems["note"] = _("At most %(n)s characters.", n=NOTE_MAX)
    elif status in (CONTACTED, CLOSED) and not note:
        problems["note"] = _("Say what was done.")
    if problems:
        raise Invalid(problems)
    with _writing():
        survey = db.session.scalar(select(NpsSurvey).where(NpsSurvey.id == survey_id).with_for_update())
        if survey is None or survey.status != ANSWERED:
            raise NotFound(_("This answer does not exist."))
        before = survey.follow_up_status
        survey.follow_up_status, survey.follow_up_note = status, note
        survey.follow_up_by_id, survey.follow_up_at = manager.id, utcnow()
        audit("nps_survey", survey.id, "follow_up", actor=manager, organisation_id=survey.organisation_id,
              status=status, previous=before, note=note)
    return survey


# --- results -------------------------------------------------------------------------------------

DIMENSIONS = {"tier": NpsSurvey.tier, "segment": NpsSurvey.segment, "partner_type": NpsSurvey.partner_type,
              "kind": NpsSurvey.kind}
PERIODS = ("quarter", "half")


def _counts(*group_by):
    score = NpsSurvey.score
    return select(*group_by, func.count(NpsSurvey.id),
                  func.count(NpsSurvey.answered_at),
                  func.coalesce(func.sum(case((score >= PROMOTER_MIN, 1), else_=0)), 0),
                  func.coalesce(func.sum(case((and_(score > DETRACTOR_MAX, score < PROMOTER_MIN), 1), else_=0)), 0),
                  func.coalesce(func.sum(case((score <= DETRACTOR_MAX, 1), else_=0)), 0))


def _window(query, since: datetime | None, until: datetime | None, kinds=None):
    if since is not None:
        query = query.where(NpsSurvey.opened_at >= since)
    if until is not None:
        query = query.where(NpsSurvey.opened_at < until)
    if kinds:
        query = query.where(NpsSurvey.kind.in_(kinds))
    return query


def table(dimension: str, since: datetime | None = None, until: datetime | None = None, kinds=None) -> list[Row]:
    """One results table: a row per value of `dimension` (tier, segment, partner_type, kind), one query.
    NPS counts the answers; the response rate answers out of surveys sent, opened in the window."""
    column = DIMENSIONS[dimension]
    rows = db.session.execute(_window(_counts(column), since, until, kinds).group_by(column).order_by(column)).all()
    return [Row(key, int(s), int(a), int(p), int(m), int(d)) for key, s, a, p, m, d in rows]


def period_of(year: int, month: int, by: str) -> str:
    return f"{year}-Q{(month - 1) // 3 + 1}" if by == "quarter" else f"{year}-H{1 if month <= 6 else 2}"


def trend(by: str = "half", since: datetime | None = None, until: datetime | None = None, kinds=None) -> list[Row]:
    """NPS and response rate per quarter or half-year (of the survey's opening), oldest first: one
    query grouped by year and month, folded into periods here."""
    year, month = func.extract("year", NpsSurvey.opened_at), func.extract("month", NpsSurvey.opened_at)
    rows = db.session.execute(_window(_counts(year, month), since, until, kinds).group_by(year, month)).all()
    periods: dict[str, Row] = {}
    for y, m, s, a, p, mid, d in rows:
        key = period_of(int(y), int(m), by)
        periods.setdefault(key, Row(key)).add(Row(key, int(s), int(a), int(p), int(mid), int(d)))
    return [periods[k] for k in sorted(periods)]


def total(rows: list[Row]) -> Row:
    out = Row(None)
    for row in rows:
        out.add(row)
    return out


# --- the partner_nps fact ------------------------------------------------------------------------

def by_organisation(org_ids=None, since: datetime | None = None) -> dict:
    """{"overall": Row, "organisations": {org_id: Row}} over the answers since `since` (one query)."""
    query = _window(_counts(NpsSurvey.organisation_id), since, None).group_by(NpsSurvey.organisation_id)
    if org_ids is not None:
        ids = list(org_ids)
        if not ids:
            return {"overall": Row(None), "organisations": {}}
        query = query.where(NpsSurvey.organisation_id.in_(ids))
    organisations = {org: Row(str(org), int(s), int(a), int(p), int(m), int(d))
                     for org, s, a, p, m, d in db.session.execute(query)}
    return {"overall": total(list(organisations.values())), "organisations": organisations}
