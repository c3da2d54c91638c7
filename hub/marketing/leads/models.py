"""Leads both ways (SPEC D6, D10).

Vendor -> partner: a `Lead` sits in the managers' pool until a manager offers it to one partner
organisation (`organisation_id`, `offer_no` counts the offers); the partner accepts or declines
before `due_at`, else the tick returns it to the pool. An accepted lead becomes a deal registration
(`deal_id`). Every step is a `LeadStep` row with a unique `key`, so a step that must happen once
("returned:<lead>:<offer_no>") cannot happen twice.

Partner -> vendor: a `Referral` is a referral partner's recommendation of a customer, with the
contact's consent; when a manager marks it won, the durable event `referral_won` is consumed by the
listener that writes its `ReferralFee` (unique per referral: a replay writes nothing).
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...database import UTCDateTime, utcnow
from ...extensions import db

SOURCES = ("web", "event", "referral", "locator", "other")
POOL, OFFERED, ACCEPTED, CONVERTED = "pool", "offered", "accepted", "converted"
LEAD_STATUSES = (POOL, OFFERED, ACCEPTED, CONVERTED)
DECLINED, RETURNED = "declined", "returned"  # outcomes of an offer that send the lead back to the pool

NEW, CONTACTED, WON, LOST = "new", "contacted", "won", "lost"
REFERRAL_STATUSES = (NEW, CONTACTED, WON, LOST)
OWED, PAID = "owed", "paid"


class Lead(db.Model):
    __tablename__ = "lead"
    __table_args__ = (Index("ix_lead_status_due", "status", "due_at"),
                      Index("ix_lead_org_status", "organisation_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    # What created it, when something other than a manager did ("event:<domain event id>"): a replay finds it.
    source_key: Mapped[Optional[str]] = mapped_column(String(120), unique=True)
    company: Mapped[str] = mapped_column(String(200))
    inn: Mapped[Optional[str]] = mapped_column(String(12))
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[Optional[str]] = mapped_column(String(254))
    contact_phone: Mapped[Optional[str]] = mapped_column(String(40))
    region: Mapped[Optional[str]] = mapped_column(String(40))
    segment: Mapped[Optional[str]] = mapped_column(String(40))  # the customer's industry (profile codes)
    product: Mapped[Optional[str]] = mapped_column(String(40))
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=POOL)
    last_outcome: Mapped[Optional[str]] = mapped_column(String(20))  # declined / returned, shown in the pool
    last_reason: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    offer_no: Mapped[int] = mapped_column(default=0)
    offered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    due_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    offered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    accepted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    deal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("deal.id", ondelete="SET NULL"))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation = relationship("Organisation", foreign_keys=[organisation_id], lazy="joined")


class LeadStep(db.Model):
    """The lead's timeline; `key` makes a once-only step once only."""

    __tablename__ = "lead_step"
    __table_args__ = (Index("ix_lead_step_lead", "lead_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Referral(db.Model):
    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_org", "organisation_id", "created_at"),
                      Index("ix_referral_status", "status", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    company: Mapped[str] = mapped_column(String(200))
    inn: Mapped[Optional[str]] = mapped_column(String(12))
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[Optional[str]] = mapped_column(String(254))
    contact_phone: Mapped[Optional[str]] = mapped_column(String(40))
    need: Mapped[str] = mapped_column(Text, default="")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default=NEW)
    won_amount_kopecks: Mapped[Optional[int]] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation = relationship("Organisation", foreign_keys=[organisation_id], lazy="joined")


class ReferralFee(db.Model):
    """The referral partner's fee for a won referral: one per referral (the listener's idempotency key)."""

    __tablename__ = "referral_fee"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    amount_kopecks: Mapped[int] = mapped_column(BigInteger)
    basis: Mapped[str] = mapped_column(String(40))  # "5%" or "fixed:silver"
    status: Mapped[str] = mapped_column(String(10), default=OWED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paid_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
