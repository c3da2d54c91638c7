"""Events (SPEC C1-C3): the catalogue, registrations with their waitlist, attendance.

A registration row is one person's place in one event, whatever its state: registered (holds a
seat), offered (a freed seat held for them until `offer_expires_at`; counts as a used seat, as in
pretix), waitlisted (in the queue, first come first served by `queued_at`), cancelled, or expired
(an offer that was not confirmed in time). One row per (event, user): registering again after a
cancellation reuses it, and the database refuses a second row under a race.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...database import UTCDateTime, utcnow
from ...extensions import db

KINDS = ("webinar", "summit", "meetup", "training", "office_visit")
ONLINE, IN_PERSON, HYBRID = "online", "in_person", "hybrid"
FORMATS = (ONLINE, IN_PERSON, HYBRID)
LANGUAGES = ("ru", "en")
HIDDEN, LOCKED = "hidden", "locked"  # how a tier-exclusive event shows to lower tiers
VISIBILITIES = (HIDDEN, LOCKED)
SCHEDULED, CANCELLED = "scheduled", "cancelled"

REGISTERED = "registered"
OFFERED = "offered"
WAITLISTED = "waitlisted"
CANCELLED_REG = "cancelled"
EXPIRED = "expired"
REG_STATUSES = (REGISTERED, OFFERED, WAITLISTED, CANCELLED_REG, EXPIRED)
HOLDS_SEAT = (REGISTERED, OFFERED)
ACTIVE = (REGISTERED, OFFERED, WAITLISTED)
# The fields whose change a calendar has to follow (SEQUENCE goes up, registrants get an update).
CALENDAR_FIELDS = ("starts_at", "ends_at", "timezone", "title_ru", "title_en", "venue", "city", "address",
                   "join_url", "format")


class Event(db.Model):
    __tablename__ = "community_event"
    __table_args__ = (
        Index("ix_community_event_status_starts", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5), default="ru")
    region: Mapped[Optional[str]] = mapped_column(String(40), index=True)
    title_ru: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    summary_ru: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    # The zone the event happens in (named next to its times); times themselves are UTC.
    timezone: Mapped[str] = mapped_column(String(40), default="Europe/Moscow")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int]
    org_seat_cap: Mapped[Optional[int]]
    min_tier: Mapped[Optional[str]] = mapped_column(String(20))
    tier_visibility: Mapped[str] = mapped_column(String(10), default=LOCKED)
    offer_hours: Mapped[int] = mapped_column(default=24)
    venue: Mapped[Optional[str]] = mapped_column(String(200))
    city: Mapped[Optional[str]] = mapped_column(String(100))
    address: Mapped[Optional[str]] = mapped_column(String(300))
    map_url: Mapped[Optional[str]] = mapped_column(String(500))
    join_url: Mapped[Optional[str]] = mapped_column(String(500))
    recording_url: Mapped[Optional[str]] = mapped_column(String(500))
    slides_url: Mapped[Optional[str]] = mapped_column(String(500))
    # [{"key": "diet", "label": {"ru", "en"}, "required": bool}]
    questions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # [{"time": "10:00", "title": {"ru", "en"}, "speaker": "..."}]
    agenda: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # [{"name": "...", "role": {"ru", "en"}}]
    speakers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=SCHEDULED)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # iCalendar SEQUENCE: raised on every change a calendar must follow (time, place, cancellation).
    sequence: Mapped[int] = mapped_column(default=0)
    from_content: Mapped[bool] = mapped_column(default=False)
    checksum: Mapped[Optional[str]] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def title(self, locale: str | None) -> str:
        return self.title_en if (locale or "ru").startswith("en") else self.title_ru

    def summary(self, locale: str | None) -> str:
        return self.summary_en if (locale or "ru").startswith("en") else self.summary_ru

    @property
    def is_cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def is_online(self) -> bool:
        return self.format in (ONLINE, HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.format in (IN_PERSON, HYBRID)


class Registration(db.Model):
    __tablename__ = "community_event_registration"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_community_event_registration_event_user"),
        Index("ix_community_event_registration_event_status", "event_id", "status", "queued_at"),
        Index("ix_community_event_registration_user_status", "user_id", "status"),
        Index("ix_community_event_registration_org_event", "organisation_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("community_event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The place in the waitlist queue (first come, first served); set when the person joins it.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    offered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    attended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # iCalendar SEQUENCE of this person's copy (their REQUEST / CANCEL must supersede the last one).
    sequence: Mapped[int] = mapped_column(default=0)
    reminded_24h_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    reminded_1h_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    followed_up_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship(lazy="joined")
    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    organisation = relationship("Organisation", foreign_keys=[organisation_id])


class CalendarFeed(db.Model):
    """A person's secret subscription address. The token is kept as is (the profile shows the address
    again, like a calendar service's "secret address"); regenerating it ends the old address."""

    __tablename__ = "community_event_feed"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
