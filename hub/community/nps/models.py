"""Partner NPS (SPEC C6): one survey per person and occasion, answered once.

A survey is created when its occasion happens (the relationship round by the tick, the one-question
surveys by listeners of deal, MDF and event decisions); the unique (user, kind, source_key) makes
every creation idempotent. Answering is one conditional UPDATE (`status = 'open'`), so two racing
answers store exactly one. The organisation's tier, segment and partner type are copied in when the
survey is created: results are read per the relationship as it was when the partner was asked.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...database import UTCDateTime, utcnow
from ...extensions import db

RELATIONSHIP, AFTER_DEAL, AFTER_MDF, AFTER_EVENT = "relationship", "after_deal", "after_mdf", "after_event"
KINDS = (RELATIONSHIP, AFTER_DEAL, AFTER_MDF, AFTER_EVENT)
# The `survey_kind` of the nps_answered event (hub/signals.py names them without "after_").
EVENT_KIND = {RELATIONSHIP: "relationship", AFTER_DEAL: "deal", AFTER_MDF: "mdf", AFTER_EVENT: "event"}

OPEN, ANSWERED, EXPIRED = "open", "answered", "expired"
STATUSES = (OPEN, ANSWERED, EXPIRED)

# Follow-up of an answer with a comment (the account manager's work).
FOLLOW_OPEN, CONTACTED, CLOSED = "open", "contacted", "closed"
FOLLOW_UPS = (FOLLOW_OPEN, CONTACTED, CLOSED)

COMMENT_MAX = 2000
NOTE_MAX = 2000


class NpsSurvey(db.Model):
    __tablename__ = "nps_survey"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "source_key", name="uq_nps_survey_user_kind_source"),
        Index("ix_nps_survey_user_status", "user_id", "status"),
        Index("ix_nps_survey_org_answered", "organisation_id", "answered_at"),
        Index("ix_nps_survey_status_expires", "status", "expires_at"),
        Index("ix_nps_survey_follow_up", "follow_up_status", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    # What the survey is about: the round ("2026-03") or the occasion ("deal:12:won", "mdf:4:paid").
    source_key: Mapped[str] = mapped_column(String(80))
    tier: Mapped[Optional[str]] = mapped_column(String(20))
    segment: Mapped[Optional[str]] = mapped_column(String(20))
    partner_type: Mapped[Optional[str]] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    score: Mapped[Optional[int]] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    follow_up_status: Mapped[Optional[str]] = mapped_column(String(10))
    follow_up_note: Mapped[str] = mapped_column(Text, default="")
    follow_up_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    follow_up_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    user = relationship("User", foreign_keys=[user_id])
    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    follow_up_by = relationship("User", foreign_keys=[follow_up_by_id])
