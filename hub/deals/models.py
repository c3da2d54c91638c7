"""Deal registrations (D1-D4) and the claims that protect a customer for one partner."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

SUBMITTED = "submitted"
APPROVED = "approved"
REJECTED = "rejected"
WON = "won"
LOST = "lost"
EXPIRED = "expired"
STATUSES = (SUBMITTED, APPROVED, REJECTED, WON, LOST, EXPIRED)
# A registration in one of these holds its claims: the customer is protected for its partner.
ACTIVE = (SUBMITTED, APPROVED)
CLOSED = (REJECTED, WON, LOST, EXPIRED)


class Deal(db.Model):
    __tablename__ = "deal"
    __table_args__ = (
        Index("ix_deal_org_status_submitted", "organisation_id", "status", "submitted_at"),
        Index("ix_deal_status_due", "status", "decision_due_at"),
        Index("ix_deal_org_submitted", "organisation_id", "submitted_at"),
        Index("ix_deal_submitted", "submitted_at"),
        # The manager's queue of pending extension requests, oldest first.
        Index("ix_deal_extension_pending", "status", "extension_decision", "extension_requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    customer_name: Mapped[str] = mapped_column(String(200))
    customer_name_norm: Mapped[str] = mapped_column(String(200), index=True)
    inn: Mapped[Optional[str]] = mapped_column(String(12), index=True)
    domain: Mapped[Optional[str]] = mapped_column(String(253))
    domain_norm: Mapped[Optional[str]] = mapped_column(String(253), index=True)
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[Optional[str]] = mapped_column(String(254))
    contact_phone: Mapped[Optional[str]] = mapped_column(String(40))
    product: Mapped[str] = mapped_column(String(40))
    amount_kopecks: Mapped[int] = mapped_column(BigInteger)
    expected_close_date: Mapped[date] = mapped_column(Date)
    region: Mapped[str] = mapped_column(String(40))
    notes: Mapped[Optional[str]] = mapped_column(Text)

    status: Mapped[str] = mapped_column(String(20), default=SUBMITTED)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decision_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    protected_until: Mapped[Optional[date]] = mapped_column(Date, index=True)
    rejection_reason: Mapped[Optional[str]] = mapped_column(Text)
    # Why a deal was lost (optional), shown on the deal page next to the final status.
    lost_reason: Mapped[Optional[str]] = mapped_column(Text)

    # Set when another partner's active registration already held this customer at submission.
    conflict_with_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("deal.id", ondelete="SET NULL"), index=True)
    # Set when the region is exclusive to another partner (D4).
    territory_org_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"))

    extension_requested_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    extension_reason: Mapped[Optional[str]] = mapped_column(Text)
    extension_decision: Mapped[Optional[str]] = mapped_column(String(20))

    final_amount_kopecks: Mapped[Optional[int]] = mapped_column(BigInteger)
    closed_on: Mapped[Optional[date]] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    territory_org = relationship("Organisation", foreign_keys=[territory_org_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    conflict_with = relationship("Deal", remote_side=[id], foreign_keys=[conflict_with_id])

    @property
    def is_conflict(self) -> bool:
        return self.conflict_with_id is not None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class DealClaim(db.Model):
    """One row per customer key an active registration holds.

    The unique key is what makes "first valid registration wins" hold under a race: the database,
    not Python, refuses the second insert of the same key.
    """

    __tablename__ = "deal_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    deal: Mapped[Deal] = relationship()
