"""The outbox tables (SPEC P11): one row per domain event, one delivery row per (event, listener)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

# An outbox grows with every view of a library item: 64-bit ids on PostgreSQL (SQLite's INTEGER
# PRIMARY KEY is 64-bit already and must stay INTEGER to remain the rowid).
Id = BigInteger().with_variant(Integer(), "sqlite")

PENDING = "pending"
DONE = "done"
FAILED = "failed"
STATUSES = (PENDING, DONE, FAILED)


class DomainEvent(db.Model):
    """Something that happened, written in the transaction that made it happen. Never updated."""
    __tablename__ = "domain_event"
    __table_args__ = (Index("ix_domain_event_name_id", "name", "id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    deliveries = relationship("EventDelivery", back_populates="event", cascade="all, delete-orphan",
                              passive_deletes=True)


class EventDelivery(db.Model):
    """One listener's receipt of one event: pending until the listener's transaction commits it done."""
    __tablename__ = "domain_event_delivery"
    __table_args__ = (
        UniqueConstraint("event_id", "listener", name="uq_domain_event_delivery_event_listener"),
        # The worker's claim: due pending rows in order; the admin page: failed and pending rows.
        Index("ix_domain_event_delivery_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[int] = mapped_column(Id, ForeignKey("domain_event.id", ondelete="CASCADE"))
    listener: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_attempt_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    delivered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event = relationship(DomainEvent, back_populates="deliveries")
