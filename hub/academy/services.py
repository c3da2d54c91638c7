"""Academy rules (A1-A3, G3): progress, exams, certificates, Open Badges, facts (onboarding, A4:
onboarding.py).

Nothing here touches `request`; functions that depend on time take `now` so tests can fix it.

Exams are enforced here, not in the page: the attempt (drawn questions, shuffled options, the key)
is created and kept on the server; the page gets opaque per-attempt option tokens only. An attempt
is closed by one conditional UPDATE (`status = in_progress`), so a double submission — two tabs,
two threads, a replayed request — is graded once. One open attempt per learner and quiz is held by
a unique `open_key`.
"""
from __future__ import annotations

import calendar
import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import facts, signals
from ..accounts.models import PARTNER, Organisation, User
from ..core import notifications
from ..core.services import audit
from ..database import utcnow, write_intent
from ..extensions import db
from ..i18n import locale_code
from ..web import Page, absolute_url
from . import notifications as academy_notes
from .models import (FAILED, IN_PROGRESS, PASSED, Attempt, AttemptQuestion, Certificate, Course, Lesson,
                     LessonProgress, Quiz, Track, TrackCourse)

REMINDER_DAYS = 30
TOKEN_BYTES = 4


class AcademyError(Exception):
    """Not allowed now; the message is for the learner and already translated."""


class AlreadySubmitted(AcademyError):
    pass


def lang() -> str:
    code = locale_code()
    return code if code in ("ru", "en") else "ru"


# --- content -----------------------------------------------------------------------------------

def all_tracks() -> list[Track]:
    return list(db.session.scalars(
        select(Track).order_by(Track.sort_order, Track.slug)
        .options(selectinload(Track.links).selectinload(TrackCourse.course).selectinload(Course.lessons))))


def track(slug: str) -> Track | None:
    return db.session.scalar(select(Track).where(Track.slug == slug).options(
        selectinload(Track.links).selectinload(TrackCourse.course).selectinload(Course.lessons)))


def course(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug).options(selectinload(Course.lessons)))


def lesson(slug: str) -> Lesson | None:
    return db.session.scalar(select(Lesson).where(Lesson.slug == slug))


def quiz(slug: str) -> Quiz | None:
    return db.session.scalar(select(Quiz).where(Quiz.slug == slug))


def track_of_course(course_id: int) -> Track | None:
    return db.session.scalar(select(Track).join(TrackCourse).where(TrackCourse.course_id == course_id)
                             .order_by(Track.sort_order).limit(1))


def track_of_exam(quiz_slug: str) -> Track | None:
    return db.session.scalar(select(Track).where(Track.final_exam_slug == quiz_slug).options(
        selectinload(Track.links).selectinload(TrackCourse.course).selectinload(Course.lessons)))


def track_courses(t: Track) -> list[Course]:
    return [link.course for link in t.links]


# --- progress (A1) -----------------------------------------------------------------------------

def done_lesson_ids(user_id: int) -> set[int]:
    return set(db.session.scalars(select(LessonProgress.lesson_id).where(LessonProgress.user_id == user_id)))


@dataclass
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total


def course_progress(c: Course, done: set[int]) -> Progress:
    return Progress(sum(1 for ls in c.lessons if ls.id in done), len(c.lessons))


def track_progress(t: Track, done: set[int]) -> Progress:
    lessons = [ls for c in track_courses(t) for ls in c.lessons]
    return Progress(sum(1 for ls in lessons if ls.id in done), len(lessons))


def courses_done(user_id: int, t: Track) -> bool:
    return track_progress(t, done_lesson_ids(user_id)).complete


def mark_done(user: User, ls: Lesson, now: datetime | None = None) -> bool:
    """Mark a lesson done; False when it already was (a repeated click changes nothing)."""
    with write_intent():
        try:
            with db.session.begin_nested():
                db.session.add(LessonProgress(user_id=user.id, lesson_id=ls.id, completed_at=now or utcnow()))
                db.session.flush()
        except IntegrityError:
            db.session.commit()
            return False
        db.session.commit()
    return True


def continue_lesson(user: User) -> Lesson | None:
    """Where the learner left off: the first lesson not done, in the track of the latest lesson done."""
    last = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == user.id)
                             .order_by(LessonProgress.completed_at.desc(), LessonProgress.id.desc()).limit(1))
    if last is None:
        return None
    lesson_row = db.session.get(Lesson, last.lesson_id)
    t = track_of_course(lesson_row.course_id)
    done = done_lesson_ids(user.id)
    courses = track_courses(track(t.slug)) if t else [course(lesson_row.course.slug)]
    for c in courses:
        for ls in c.lessons:
            if ls.id not in done:
                return ls
    return None


def next_lesson(ls: Lesson) -> Lesson | None:
    lessons = ls.course.lessons
    index = lessons.index(ls)
    return lessons[index + 1] if index + 1 < len(lessons) else None


# --- exams (A2) --------------------------------------------------------------------------------

def _cycle_start(user_id: int, quiz_slug: str) -> datetime | None:
    """Attempts are counted per certification cycle: from the last issue of the certificate."""
    t = db.session.scalar(select(Track.slug).where(Track.final_exam_slug == quiz_slug))
    if t is None:
        return None
    return db.session.scalar(select(Certificate.issued_at).where(
        Certificate.user_id == user_id, Certificate.track_slug == t, Certificate.revoked_at.is_(None)))


@dataclass
class QuizState:
    quiz: Quiz
    attempts: list[Attempt]
    used: int
    open_attempt: Attempt | None
    cooldown_until: datetime | None
    blocked: str | None  # why a new attempt cannot start now (translated), None if it can

    @property
    def attempts_left(self) -> int | None:
        if not self.quiz.max_attempts:
            return None
        return max(0, self.quiz.max_attempts - self.used)

    @property
    def can_start(self) -> bool:
        return self.blocked is None


def quiz_state(user: User, q: Quiz, now: datetime | None = None) -> QuizState:
    now = now or utcnow()
    attempts = list(db.session.scalars(select(Attempt).where(Attempt.user_id == user.id, Attempt.quiz_slug == q.slug)
                                       .order_by(Attempt.started_at.desc(), Attempt.id.desc())))
    start = _cycle_start(user.id, q.slug)
    used = sum(1 for a in attempts if start is None or a.started_at >= start)
    open_attempt = next((a for a in attempts if a.status == IN_PROGRESS), None)
    cooldown_until = None
    last_graded = next((a for a in attempts if a.status != IN_PROGRESS), None)
    if last_graded is not None and last_graded.status == FAILED and q.cooldown_hours:
        until = (last_graded.graded_at or last_graded.started_at) + timedelta(hours=q.cooldown_hours)
        if until > now:
            cooldown_until = until
    blocked = None
    t = track_of_exam(q.slug)
    if open_attempt is not None and open_attempt.deadline_at > now:
        blocked = None  # "start" resumes it
    elif t is not None and not courses_done(user.id, t):
        blocked = _("Finish every course of the track before the final exam.")
    elif t is not None and _revoked(user.id, t.slug):
        blocked = _("Your certificate for this track was revoked. Please contact your channel manager.")
    elif q.max_attempts and used >= q.max_attempts:
        blocked = _("You have used all %(num)s attempts.", num=q.max_attempts)
    elif cooldown_until is not None:
        blocked = _("After a failed attempt you can try again in %(hours)s h.", hours=q.cooldown_hours)
    return QuizState(q, attempts, used, open_attempt if open_attempt and open_attempt.deadline_at > now else None,
                     cooldown_until, blocked)


def _revoked(user_id: int, track_slug: str) -> bool:
    return db.session.scalar(select(Certificate.id).where(
        Certificate.user_id == user_id, Certificate.track_slug == track_slug,
        Certificate.revoked_at.is_not(None))) is not None


def _draw(q: Quiz, rng: random.Random) -> list[dict]:
    """The paper: questions drawn from the bank, options shuffled, each option behind a token."""
    drawn = rng.sample(q.questions, q.questions_per_attempt)
    paper, used = [], set()
    for question in drawn:
        options = [dict(o) for o in question["options"]]
        rng.shuffle(options)
        out = []
        for o in options:
            token = secrets.token_hex(TOKEN_BYTES)
            while token in used:
                token = secrets.token_hex(TOKEN_BYTES)
            used.add(token)
            out.append({"token": token, "id": o["id"], "text": o["text"], "correct": bool(o["correct"])})
        paper.append({"id": question["id"], "type": question["type"], "text": question["text"],
                      "options": out, "explanation": question["explanation"]})
    return paper


def start_attempt(user: User, quiz_slug: str, now: datetime | None = None,
                  rng: random.Random | None = None) -> Attempt:
    """Start (or resume) an attempt. Raises AcademyError with the reason when not allowed."""
    now = now or utcnow()
    with write_intent():
        q = quiz(quiz_slug)
        if q is None:
            raise AcademyError(_("There is no such quiz."))
        if not user.is_partner:
            raise AcademyError(_("Exams are for partners' people."))
        _close_overdue(now, user_id=user.id, quiz_slug=quiz_slug)
        state = quiz_state(user, q, now)
        if state.open_attempt is not None:
            db.session.commit()
            return state.open_attempt
        if state.blocked:
            db.session.commit()
            raise AcademyError(state.blocked)
        t = track_of_exam(q.slug)
        attempt = Attempt(
            user_id=user.id, organisation_id=user.organisation_id, quiz_slug=q.slug,
            track_slug=t.slug if t else None, status=IN_PROGRESS, open_key=f"{user.id}:{q.slug}",
            started_at=now, deadline_at=now + timedelta(minutes=q.time_limit_minutes),
            pass_percent=q.pass_percent, show_correct_answers=q.show_correct_answers,
            late_grace_seconds=q.late_grace_seconds, questions=_draw(q, rng or random.SystemRandom()))
        try:
            with db.session.begin_nested():
                db.session.add(attempt)
                db.session.flush()
        except IntegrityError:
            # Another request of the same learner started one a moment ago: resume that one.
            existing = db.session.scalar(select(Attempt).where(Attempt.open_key == f"{user.id}:{q.slug}"))
            db.session.commit()
            if existing is None:
                raise AcademyError(_("Please try again.")) from None
            return existing
        db.session.commit()
    return attempt


def visible_attempt(user: User, attempt_id: int) -> Attempt | None:
    """The learner's own attempt; a manager may read any. None otherwise (routes answer 404)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or not (attempt.user_id == user.id or user.is_manager):
        return None
    return attempt


def paper(attempt: Attempt, language: str) -> list[dict]:
    """What the exam page may show: texts and option tokens, never the key or the explanations."""
    return [{"id": q["id"], "number": n, "multiple": q["type"] == "multiple", "text": q["text"][language],
             "options": [{"token": o["token"], "text": o["text"][language]} for o in q["options"]]}
            for n, q in enumerate(attempt.questions, 1)]


def _grade(attempt: Attempt, answers: dict[str, Iterable[str]]) -> tuple[dict, list[str], int]:
    chosen_ids: dict[str, list[str]] = {}
    wrong: list[str] = []
    for q in attempt.questions:
        by_token = {o["token"]: o for o in q["options"]}
        picked = [by_token[t] for t in dict.fromkeys(answers.get(q["id"], ())) if t in by_token]
        if q["type"] == "single" and len(picked) > 1:
            picked = []  # two answers to a single-choice question: wrong, whatever they are
        chosen_ids[q["id"]] = sorted(o["id"] for o in picked)
        right = sorted(o["id"] for o in q["options"] if o["correct"])
        if chosen_ids[q["id"]] != right:
            wrong.append(q["id"])
    correct = len(attempt.questions) - len(wrong)
    return chosen_ids, wrong, correct


def _finish(attempt: Attempt, values: dict) -> bool:
    """Close the attempt if still open: one UPDATE, so only one of racing closers wins."""
    result = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == IN_PROGRESS)
        .values(open_key=None, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    db.session.refresh(attempt)
    for q in attempt.questions:
        db.session.add(AttemptQuestion(attempt_id=attempt.id, quiz_slug=attempt.quiz_slug, question_id=q["id"],
                                       correct=q["id"] not in (attempt.wrong_ids or [])))
    return True


def submit_attempt(user: User, attempt_id: int, answers: dict[str, Iterable[str]],
                   now: datetime | None = None) -> Attempt:
    """Grade the learner's answers ({question id: [option tokens]}). Only the owner, only once.

    Up to `late_grace_seconds` after the deadline the answers are graded; later the attempt fails.
    """
    now = now or utcnow()
    earned = None
    with write_intent():
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is None or attempt.user_id != user.id:
            raise LookupError(attempt_id)
        if attempt.status != IN_PROGRESS:
            db.session.commit()
            raise AlreadySubmitted(_("This attempt has already been submitted."))
        late_by = (now - attempt.deadline_at).total_seconds()
        if late_by > attempt.late_grace_seconds:
            values = dict(status=FAILED, submitted_at=now, graded_at=now, closed_how="too_late", answers={},
                          wrong_ids=[q["id"] for q in attempt.questions], correct_count=0, score_percent=0)
        else:
            chosen, wrong, correct = _grade(attempt, answers)
            score = (100 * correct) // len(attempt.questions)
            values = dict(status=PASSED if score >= attempt.pass_percent else FAILED, submitted_at=now,
                          graded_at=now, closed_how="late" if late_by > 0 else "submitted", answers=chosen,
                          wrong_ids=wrong, correct_count=correct, score_percent=score)
        if not _finish(attempt, values):
            db.session.rollback()
            raise AlreadySubmitted(_("This attempt has already been submitted."))
        audit("attempt", attempt.id, attempt.status, actor=user, organisation_id=attempt.organisation_id,
              quiz=attempt.quiz_slug, score=attempt.score_percent, how=attempt.closed_how)
        if attempt.status == PASSED and attempt.track_slug:
            earned = _issue(user, attempt, now)
        if earned is not None:
            cert, renewal = earned
            signals.certificate_earned.emit(
                certificate_id=cert.id, user_id=cert.user_id, organisation_id=cert.organisation_id,
                track_slug=cert.track_slug, issued_at=cert.issued_at, expires_at=cert.expires_at, renewal=renewal)
        db.session.commit()
    return attempt


def _emit_expired(cert: Certificate, reason: str, at: datetime) -> None:
    signals.certificate_expired.emit(certificate_id=cert.id, user_id=cert.user_id,
                                     organisation_id=cert.organisation_id, track_slug=cert.track_slug,
                                     reason=reason, expired_at=at)


def _close_overdue(now: datetime, user_id: int | None = None, quiz_slug: str | None = None) -> int:
    """Fail open attempts past their deadline and grace (nothing was submitted in time)."""
    query = select(Attempt).where(Attempt.status == IN_PROGRESS, Attempt.deadline_at < now)
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id, Attempt.quiz_slug == quiz_slug)
    closed = 0
    for attempt in db.session.scalars(query).all():
        if attempt.deadline_at + timedelta(seconds=attempt.late_grace_seconds) >= now:
            continue
        if _finish(attempt, dict(status=FAILED, graded_at=now, closed_how="timed_out", answers={},
                                 wrong_ids=[q["id"] for q in attempt.questions], correct_count=0, score_percent=0)):
            audit("attempt", attempt.id, FAILED, organisation_id=attempt.organisation_id, quiz=attempt.quiz_slug,
                  how="timed_out")
            closed += 1
    return closed


def close_overdue(now: datetime | None = None) -> int:
    with write_intent():
        closed = _close_overdue(now or utcnow())
        db.session.commit()
    return closed


def results(attempt: Attempt, language: str) -> list[dict]:
    """After grading: each question, whether it was right, and — if the quiz says so — the key."""
    if attempt.status == IN_PROGRESS:
        return []
    show = attempt.show_correct_answers
    wrong = set(attempt.wrong_ids or [])
    chosen = attempt.answers or {}
    out = []
    for n, q in enumerate(attempt.questions, 1):
        item = {"id": q["id"], "number": n, "text": q["text"][language], "right": q["id"] not in wrong,
                "chosen": [o["text"][language] for o in q["options"] if o["id"] in chosen.get(q["id"], [])]}
        if show:
            item["correct"] = [o["text"][language] for o in q["options"] if o["correct"]]
            item["explanation"] = q["explanation"][language]
        out.append(item)
    return out


# --- certificates (A3) -------------------------------------------------------------------------

def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def new_code() -> str:
    """128 random bits, URL-safe: unguessable, and the unique index catches the impossible clash."""
    return secrets.token_urlsafe(16)


def _issue(user: User, attempt: Attempt, now: datetime) -> tuple[Certificate, bool] | None:
    t = track_of_exam(attempt.quiz_slug)
    if t is None or not courses_done(user.id, t):
        return None
    cert = db.session.scalar(select(Certificate).where(Certificate.user_id == user.id,
                                                       Certificate.track_slug == t.slug))
    renewal = cert is not None
    if cert is not None and cert.revoked_at is not None:
        return None
    if cert is None:
        cert = Certificate(user_id=user.id, organisation_id=user.organisation_id, track_slug=t.slug, code=new_code(),
                           salt=secrets.token_hex(16), recipient_email=user.email, first_issued_at=now, renewals=0)
        db.session.add(cert)
    else:
        cert.renewals += 1
        cert.organisation_id = user.organisation_id
    cert.issued_at = now
    cert.expires_at = add_months(now, t.validity_months)
    cert.attempt_id, cert.score_percent = attempt.id, attempt.score_percent
    cert.reminder_sent_at = cert.expiry_noted_at = None
    db.session.flush()
    audit("certificate", cert.id, "renewed" if renewal else "issued", actor=user,
          organisation_id=cert.organisation_id, track=t.slug, expires=cert.expires_at.isoformat())
    notifications.send([user], "academy.certificate_earned", obj=cert,
                       params={"track": academy_notes.track_title(t), "until": notifications.Day.of(cert.expires_at)},
                       link_endpoint="academy.certificate", link_values={"cert_id": cert.id})
    return cert, renewal


def visible_certificate(user: User, cert_id: int) -> Certificate | None:
    cert = db.session.get(Certificate, cert_id)
    if cert is None or not (user.is_manager or cert.organisation_id == user.organisation_id):
        return None
    return cert


def certificate_by_code(code: str) -> Certificate | None:
    if not code or len(code) > 40:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def user_certificates(user_id: int) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.user_id == user_id)
                                   .order_by(Certificate.track_slug)))


def revoke(cert: Certificate, actor: User, reason: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    if not actor.is_manager:
        raise AcademyError(_("Only the vendor's managers revoke certificates."))
    reason = (reason or "").strip()
    if not reason:
        raise AcademyError(_("Give the reason for revoking."))
    with write_intent():
        result = db.session.execute(update(Certificate).where(Certificate.id == cert.id, Certificate.revoked_at.is_(None))
                                    .values(revoked_at=now, revoked_by_id=actor.id, revoke_reason=reason[:2000])
                                    .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            db.session.rollback()
            raise AcademyError(_("This certificate is already revoked."))
        db.session.refresh(cert)
        audit("certificate", cert.id, "revoked", actor=actor, organisation_id=cert.organisation_id, reason=reason)
        t = db.session.scalar(select(Track).where(Track.slug == cert.track_slug))
        notifications.send([cert.user], "academy.certificate_revoked", obj=cert,
                           params={"track": academy_notes.track_title(t) if t else cert.track_slug,
                                   "reason": reason},
                           link_endpoint="academy.certificate", link_values={"cert_id": cert.id})
        _emit_expired(cert, "revoked", now)
        db.session.commit()


def certificate_jobs(now: datetime | None = None) -> tuple[int, int]:
    """Remind holders 30 days before expiry (once) and note expiries (once). Returns (reminded, expired)."""
    now = now or utcnow()
    reminded, expired = 0, []
    with write_intent():
        due = db.session.scalars(select(Certificate).where(
            Certificate.revoked_at.is_(None), Certificate.reminder_sent_at.is_(None),
            Certificate.expires_at > now, Certificate.expires_at <= now + timedelta(days=REMINDER_DAYS))
            .options(selectinload(Certificate.user))).all()
        for cert in due:
            claimed = db.session.execute(update(Certificate).where(
                Certificate.id == cert.id, Certificate.reminder_sent_at.is_(None)).values(reminder_sent_at=now)
                .execution_options(synchronize_session=False)).rowcount
            if not claimed:
                continue
            t = db.session.scalar(select(Track).where(Track.slug == cert.track_slug))
            notifications.send([cert.user], "academy.certificate_expiring", obj=cert,
                               params={"track": academy_notes.track_title(t) if t else cert.track_slug,
                                       "until": notifications.Day.of(cert.expires_at), "days": REMINDER_DAYS},
                               link_endpoint="academy.certificate", link_values={"cert_id": cert.id})
            reminded += 1
        gone = db.session.scalars(select(Certificate).where(
            Certificate.revoked_at.is_(None), Certificate.expiry_noted_at.is_(None),
            Certificate.expires_at <= now)).all()
        for cert in gone:
            claimed = db.session.execute(update(Certificate).where(
                Certificate.id == cert.id, Certificate.expiry_noted_at.is_(None)).values(expiry_noted_at=now)
                .execution_options(synchronize_session=False)).rowcount
            if claimed:
                audit("certificate", cert.id, "expired", organisation_id=cert.organisation_id, track=cert.track_slug)
                _emit_expired(cert, "expired", cert.expires_at)
                expired.append(cert)
        db.session.commit()
    return reminded, len(expired)


# --- Open Badges 2.0 (G3) ----------------------------------------------------------------------

OB_CONTEXT = "https://w3id.org/openbadges/v2"


def recipient_identity(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def issuer_json() -> dict:
    vendor = db.session.scalar(select(Organisation).where(Organisation.kind != PARTNER).order_by(Organisation.id))
    sender = current_app.config.get("MAIL_SENDER", "")
    email = sender[sender.find("<") + 1:sender.rfind(">")] if "<" in sender else sender
    return {"@context": OB_CONTEXT, "id": absolute_url("academy.badge_issuer"), "type": "Profile",
            "name": vendor.name if vendor else "Partner Hub", "url": absolute_url("core.home"),
            "email": email}


def badge_class_json(t: Track) -> dict:
    return {"@context": OB_CONTEXT, "id": absolute_url("academy.badge_class", slug=t.slug),
            "type": "BadgeClass", "name": t.title_en, "description": t.summary_en,
            "image": absolute_url("academy.badge_image", slug=t.slug),
            "criteria": {"narrative": (
                "Complete every required course of the track and pass its final exam "
                f"(valid for {t.validity_months} months).")},
            "issuer": absolute_url("academy.badge_issuer")}


def assertion_json(cert: Certificate) -> dict:
    own = absolute_url("academy.badge_assertion", code=cert.code)
    if cert.revoked_at is not None:
        return {"@context": OB_CONTEXT, "id": own, "type": "Assertion", "revoked": True,
                "revocationReason": cert.revoke_reason or ""}
    return {
        "@context": OB_CONTEXT, "id": own, "type": "Assertion",
        "recipient": {"type": "email", "hashed": True, "salt": cert.salt,
                      "identity": recipient_identity(cert.recipient_email, cert.salt)},
        "badge": absolute_url("academy.badge_class", slug=cert.track_slug),
        "verification": {"type": "hosted"},
        "issuedOn": cert.issued_at.isoformat(),
        "expires": cert.expires_at.isoformat(),
        "evidence": [{"id": absolute_url("academy.verify", code=cert.code),
                      "narrative": "Completed the track's courses and passed its final exam"
                                   + (f" with {cert.score_percent}%." if cert.score_percent is not None else ".")}],
    }


# --- facts for the rest of the hub -------------------------------------------------------------

def _valid_at(at: datetime):
    return and_(Certificate.revoked_at.is_(None), Certificate.first_issued_at <= at, Certificate.expires_at > at)


@facts.provides("certified_people")
def certified_people(org_ids: list[int], at: datetime) -> dict[int, int]:
    if not org_ids:
        return {}
    rows = db.session.execute(select(Certificate.organisation_id, func.count(func.distinct(Certificate.user_id)))
                              .where(Certificate.organisation_id.in_(list(org_ids)), _valid_at(at))
                              .group_by(Certificate.organisation_id))
    return {org_id: count for org_id, count in rows}


@facts.provides("valid_certifications_by_track")
def valid_certifications_by_track(org_id: int, at: datetime) -> dict[str, int]:
    rows = db.session.execute(select(Certificate.track_slug, func.count(Certificate.id))
                              .where(Certificate.organisation_id == org_id, _valid_at(at))
                              .group_by(Certificate.track_slug))
    return {slug: count for slug, count in rows}


@facts.provides("all_track_slugs")
def all_track_slugs() -> list[str]:
    return list(db.session.scalars(select(Track.slug).order_by(Track.sort_order, Track.slug)))


@facts.provides("track_titles")
def track_titles(lang: str) -> dict[str, str]:
    return {t.slug: t.title(lang) for t in db.session.scalars(select(Track).order_by(Track.sort_order, Track.slug))}


@facts.provides("certified_in_all_tracks")
def certified_in_all_tracks(org_ids: list[int] | None, at: datetime) -> set[int]:
    """Organisations holding a valid certificate of every track at `at` (one query for all)."""
    tracks = all_track_slugs()
    if not tracks or org_ids == []:
        return set()
    query = (select(Certificate.organisation_id).where(_valid_at(at), Certificate.track_slug.in_(tracks))
             .group_by(Certificate.organisation_id)
             .having(func.count(func.distinct(Certificate.track_slug)) >= len(tracks)))
    if org_ids is not None:
        query = query.where(Certificate.organisation_id.in_(list(org_ids)))
    return set(db.session.scalars(query))


@facts.provides("certificates_changed")
def certificates_changed(since: datetime, until: datetime) -> set[int]:
    """Organisations whose valid certificates may differ between `since` and `until`: one was
    issued, renewed, revoked or expired in (since, until] (the moments `_valid_at` depends on)."""
    def within(column):
        return and_(column > since, column <= until)
    return set(db.session.scalars(select(Certificate.organisation_id).where(
        within(Certificate.first_issued_at) | within(Certificate.issued_at) | within(Certificate.expires_at)
        | within(Certificate.revoked_at)).distinct()))


# --- manager views (A1, A3, A2 statistics) -------------------------------------------------------

def learners_page(viewer: User, page: int, per_page: int) -> tuple[Page, dict, list[Track]]:
    """Who is where: learners with any progress, lessons done per track. A partner admin sees their team."""
    query = select(User).where(select(LessonProgress.id).where(LessonProgress.user_id == User.id).exists())
    if not viewer.is_manager:
        query = query.where(User.organisation_id == viewer.organisation_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    users = db.session.scalars(query.order_by(User.name, User.id).limit(per_page).offset((page - 1) * per_page)).all()
    ids = [u.id for u in users]
    rows = db.session.execute(
        select(LessonProgress.user_id, TrackCourse.track_id, func.count(LessonProgress.id), func.max(LessonProgress.completed_at))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id).join(TrackCourse, TrackCourse.course_id == Lesson.course_id)
        .where(LessonProgress.user_id.in_(ids)).group_by(LessonProgress.user_id, TrackCourse.track_id)).all() if ids else []
    tracks = all_tracks()
    totals = {t.id: track_progress(t, set()).total for t in tracks}
    progress: dict[int, dict] = {u: {"tracks": {}, "last": None} for u in ids}
    for user_id, track_id, count, last in rows:
        progress[user_id]["tracks"][track_id] = Progress(count, totals.get(track_id, 0))
        if progress[user_id]["last"] is None or last > progress[user_id]["last"]:
            progress[user_id]["last"] = last
    certs = db.session.scalars(select(Certificate).where(Certificate.user_id.in_(ids))).all() if ids else []
    for cert in certs:
        progress[cert.user_id].setdefault("certs", {})[cert.track_slug] = cert
    return Page(list(users), page, per_page, total or 0), progress, tracks


def certified_by_org(now: datetime | None = None) -> list[dict]:
    now = now or utcnow()
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Certificate.track_slug, func.count(func.distinct(Certificate.user_id)))
        .join(Certificate, Certificate.organisation_id == Organisation.id).where(_valid_at(now))
        .group_by(Organisation.id, Organisation.name, Certificate.track_slug).order_by(Organisation.name)).all()
    people = dict(db.session.execute(
        select(Certificate.organisation_id, func.count(func.distinct(Certificate.user_id))).where(_valid_at(now))
        .group_by(Certificate.organisation_id)).all())
    out: dict[int, dict] = {}
    for org_id, name, slug, count in rows:
        out.setdefault(org_id, {"id": org_id, "name": name, "people": people.get(org_id, 0), "tracks": {}})["tracks"][slug] = count
    return list(out.values())


def expiring(days: int, now: datetime | None = None) -> list[Certificate]:
    now = now or utcnow()
    return list(db.session.scalars(
        select(Certificate).where(Certificate.revoked_at.is_(None), Certificate.expires_at > now,
                                  Certificate.expires_at <= now + timedelta(days=days))
        .order_by(Certificate.expires_at).options(selectinload(Certificate.user), selectinload(Certificate.organisation))))


def expiring_count(days: int, now: datetime | None = None) -> int:
    now = now or utcnow()
    return db.session.scalar(select(func.count(Certificate.id)).where(
        Certificate.revoked_at.is_(None), Certificate.expires_at > now,
        Certificate.expires_at <= now + timedelta(days=days))) or 0


def certified_total(now: datetime | None = None) -> int:
    return db.session.scalar(select(func.count(func.distinct(Certificate.user_id))).where(_valid_at(now or utcnow()))) or 0


def question_stats(quiz_slug: str | None = None) -> list[dict]:
    """Per quiz and question: how often it was drawn and the share answered wrongly, worst first."""
    query = (select(AttemptQuestion.quiz_slug, AttemptQuestion.question_id, func.count(AttemptQuestion.id),
                    func.sum(case((AttemptQuestion.correct.is_(False), 1), else_=0)))
             .group_by(AttemptQuestion.quiz_slug, AttemptQuestion.question_id))
    if quiz_slug:
        query = query.where(AttemptQuestion.quiz_slug == quiz_slug)
    quizzes = {q.slug: q for q in db.session.scalars(select(Quiz))}
    out = []
    for slug, qid, shown, wrong in db.session.execute(query):
        q = quizzes.get(slug)
        bank = {item["id"]: item for item in (q.questions if q else [])}
        item = bank.get(qid)
        out.append({"quiz": slug, "quiz_title": q.title(lang()) if q else slug, "id": qid,
                    "text": item["text"][lang()] if item else qid,
                    "explanation": item["explanation"][lang()] if item else "",
                    "shown": shown, "wrong": int(wrong or 0), "share": round(100 * int(wrong or 0) / shown) if shown else 0})
    out.sort(key=lambda r: (-r["share"], -r["shown"], r["quiz"], r["id"]))
    return out
