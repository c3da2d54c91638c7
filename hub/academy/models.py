"""The academy (A1-A4): content loaded from content/academy/, learners' progress, exam attempts,
certificates and the onboarding plan of each partner organisation.

Content rows (track, course, lesson, quiz) are replaced by the loader; what people did refers to
content by slug (attempts, certificates) so that it survives content edits and removals. An attempt
keeps its own copy of the questions it drew, so grading never depends on a later edit of the bank.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

# Attempt states
IN_PROGRESS = "in_progress"
PASSED = "passed"
FAILED = "failed"
ATTEMPT_STATES = (IN_PROGRESS, PASSED, FAILED)


def _lang(obj, field: str, lang: str) -> str:
    value = getattr(obj, f"{field}_{lang}", None) if lang in ("ru", "en") else None
    return value or getattr(obj, f"{field}_ru")


class Track(db.Model):
    __tablename__ = "academy_track"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    title_ru: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    summary_ru: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    validity_months: Mapped[int] = mapped_column()
    final_exam_slug: Mapped[str] = mapped_column(String(80))
    checksum: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    links: Mapped[list["TrackCourse"]] = relationship(
        back_populates="track", order_by="TrackCourse.position", cascade="all, delete-orphan")

    def title(self, lang: str) -> str:
        return _lang(self, "title", lang)

    def summary(self, lang: str) -> str:
        return _lang(self, "summary", lang)


class Course(db.Model):
    __tablename__ = "academy_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_ru: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    summary_ru: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    quiz_slug: Mapped[Optional[str]] = mapped_column(String(80))
    checksum: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lessons: Mapped[list["Lesson"]] = relationship(
        back_populates="course", order_by="Lesson.position", cascade="all, delete-orphan")

    def title(self, lang: str) -> str:
        return _lang(self, "title", lang)

    def summary(self, lang: str) -> str:
        return _lang(self, "summary", lang)


class TrackCourse(db.Model):
    """A course's place in a track (a track lists its required courses in order)."""

    __tablename__ = "academy_track_course"
    __table_args__ = (UniqueConstraint("track_id", "course_id", name="uq_academy_track_course"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("academy_track.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("academy_course.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()

    track: Mapped[Track] = relationship(back_populates="links")
    course: Mapped[Course] = relationship()


class Lesson(db.Model):
    __tablename__ = "academy_lesson"
    __table_args__ = (Index("ix_academy_lesson_course_position", "course_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("academy_course.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    minutes: Mapped[int] = mapped_column()
    title_ru: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    body_html_ru: Mapped[str] = mapped_column(Text)
    body_html_en: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship(back_populates="lessons")

    def title(self, lang: str) -> str:
        return _lang(self, "title", lang)

    def body_html(self, lang: str) -> str:
        return _lang(self, "body_html", lang)


class Quiz(db.Model):
    """A quiz and its whole question bank (JSON: the bank is read whole, never queried by part)."""

    __tablename__ = "academy_quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_ru: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    time_limit_minutes: Mapped[int] = mapped_column()
    pass_percent: Mapped[int] = mapped_column()
    questions_per_attempt: Mapped[int] = mapped_column()
    max_attempts: Mapped[int] = mapped_column()
    cooldown_hours: Mapped[int] = mapped_column()
    late_grace_seconds: Mapped[int] = mapped_column()
    show_correct_answers: Mapped[bool] = mapped_column(default=False)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    checksum: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def title(self, lang: str) -> str:
        return _lang(self, "title", lang)


class LessonProgress(db.Model):
    """A lesson a learner marked done."""

    __tablename__ = "academy_lesson_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id", name="uq_academy_progress_user_lesson"),
        Index("ix_academy_progress_user_completed", "user_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("academy_lesson.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lesson: Mapped[Lesson] = relationship()


class Attempt(db.Model):
    """One sitting of a quiz. `questions` is the drawn and shuffled paper, with the key: it never
    leaves the server before grading (templates read it through services.paper())."""

    __tablename__ = "academy_attempt"
    __table_args__ = (
        Index("ix_academy_attempt_user_quiz", "user_id", "quiz_slug", "started_at"),
        Index("ix_academy_attempt_status_deadline", "status", "deadline_at"),
        Index("ix_academy_attempt_quiz_status", "quiz_slug", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    quiz_slug: Mapped[str] = mapped_column(String(80))
    # The track whose final exam this is (None for a practice quiz).
    track_slug: Mapped[Optional[str]] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default=IN_PROGRESS)
    # "<user id>:<quiz slug>" while in progress, NULL afterwards: the unique index allows one open
    # attempt per learner and quiz, also when two "start" requests race.
    open_key: Mapped[Optional[str]] = mapped_column(String(100), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    graded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # submitted / late (graded within grace) / too_late (failed) / timed_out (closed by tick)
    closed_how: Mapped[Optional[str]] = mapped_column(String(20))
    pass_percent: Mapped[int] = mapped_column()
    show_correct_answers: Mapped[bool] = mapped_column(default=False)
    late_grace_seconds: Mapped[int] = mapped_column(default=0)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    answers: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    wrong_ids: Mapped[Optional[list[str]]] = mapped_column(JSON)
    correct_count: Mapped[Optional[int]] = mapped_column()
    score_percent: Mapped[Optional[int]] = mapped_column()

    user = relationship("User")

    @property
    def is_open(self) -> bool:
        return self.status == IN_PROGRESS

    @property
    def question_count(self) -> int:
        return len(self.questions or [])


class AttemptQuestion(db.Model):
    """One graded question of an attempt: what the per-question statistics count."""

    __tablename__ = "academy_attempt_question"
    __table_args__ = (Index("ix_academy_attempt_question_quiz", "quiz_slug", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("academy_attempt.id", ondelete="CASCADE"), index=True)
    quiz_slug: Mapped[str] = mapped_column(String(80))
    question_id: Mapped[str] = mapped_column(String(80))
    correct: Mapped[bool] = mapped_column()


class Certificate(db.Model):
    """One per learner and track; re-certification renews the row (same verification code)."""

    __tablename__ = "academy_certificate"
    __table_args__ = (
        UniqueConstraint("user_id", "track_slug", name="uq_academy_certificate_user_track"),
        Index("ix_academy_certificate_org_track", "organisation_id", "track_slug"),
        Index("ix_academy_certificate_expires", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    track_slug: Mapped[str] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # Open Badges recipient hashing: sha256(email + salt), the salt is per certificate.
    salt: Mapped[str] = mapped_column(String(40))
    recipient_email: Mapped[str] = mapped_column(String(254))
    attempt_id: Mapped[Optional[int]] = mapped_column(ForeignKey("academy_attempt.id", ondelete="SET NULL"))
    score_percent: Mapped[Optional[int]] = mapped_column()
    first_issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    renewals: Mapped[int] = mapped_column(default=0)
    reminder_sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    expiry_noted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoke_reason: Mapped[Optional[str]] = mapped_column(Text)

    user = relationship("User", foreign_keys=[user_id])
    organisation = relationship("Organisation")

    def status(self, now: datetime | None = None) -> str:
        """valid / expired / revoked."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or utcnow()):
            return "expired"
        return "valid"


class OnboardingStepDef(db.Model):
    """A step of content/onboarding.yml."""

    __tablename__ = "academy_onboarding_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column()
    title_ru: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_ru: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    due_day: Mapped[int] = mapped_column()
    done_by: Mapped[str] = mapped_column(String(80))
    checksum: Mapped[str] = mapped_column(String(64))

    def title(self, lang: str) -> str:
        return _lang(self, "title", lang)

    def description(self, lang: str) -> str:
        return _lang(self, "description", lang)


class OnboardingPlan(db.Model):
    """A partner organisation's 60-day plan: started when it joined."""

    __tablename__ = "academy_onboarding_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    target_days: Mapped[int] = mapped_column()
    first_deal_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    first_deal_won_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OnboardingDone(db.Model):
    """A step of an organisation's plan that is done (by a person or by the hub itself)."""

    __tablename__ = "academy_onboarding_done"
    __table_args__ = (UniqueConstraint("organisation_id", "step_slug", name="uq_academy_onboarding_done"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    step_slug: Mapped[str] = mapped_column(String(80))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
