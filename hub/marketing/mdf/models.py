"""MDF: a ledger of entries per organisation and quarter, and the partners' requests.

Ledger amounts are positive kopecks; the kind says the direction (`adjust` alone is signed):
  allocated = credit + adjust
  committed = commit - release            (money promised to approved requests)
  available = credit + adjust + release - commit - expire
Every entry has a unique `key` naming the effect ("credit:<org>:<quarter>", "commit:<request>", ...),
so a replayed effect adds nothing. `MdfAccount` is the organisation-quarter row approvals lock.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...database import UTCDateTime, utcnow
from ...extensions import db

CREDIT, COMMIT, PAYABLE, PAID, RELEASE, EXPIRE, ADJUST = ("credit", "commit", "payable", "paid", "release",
                                                         "expire", "adjust")
KINDS = (CREDIT, COMMIT, PAYABLE, PAID, RELEASE, EXPIRE, ADJUST)
ACTIVITIES = ("event", "webinar", "campaign", "trade_show", "content")
SUBMITTED, AWAITING_SECOND, CHANGES, APPROVED, DECLINED = ("submitted", "awaiting_second", "changes_requested",
                                                           "approved", "declined")
STATUSES = (SUBMITTED, AWAITING_SECOND, CHANGES, APPROVED, DECLINED)
OPEN = (SUBMITTED, AWAITING_SECOND)


class MdfAccount(db.Model):
    __tablename__ = "mdf_account"
    __table_args__ = (UniqueConstraint("organisation_id", "quarter", name="uq_mdf_account_org_quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    quarter: Mapped[str] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MdfEntry(db.Model):
    __tablename__ = "mdf_entry"
    __table_args__ = (Index("ix_mdf_entry_org_quarter", "organisation_id", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    quarter: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(10))
    amount_kopecks: Mapped[int] = mapped_column(BigInteger)
    request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("mdf_request.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MdfRequest(db.Model):
    __tablename__ = "mdf_request"
    __table_args__ = (Index("ix_mdf_request_org_status", "organisation_id", "status"),
                      Index("ix_mdf_request_status", "status", "submitted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    quarter: Mapped[str] = mapped_column(String(7))
    activity: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    planned_cost_kopecks: Mapped[int] = mapped_column(BigInteger)
    share_percent: Mapped[int]
    requested_kopecks: Mapped[int] = mapped_column(BigInteger)
    expected_leads: Mapped[int] = mapped_column(default=0)
    expected_pipeline_kopecks: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20), default=SUBMITTED)
    approved_kopecks: Mapped[Optional[int]] = mapped_column(BigInteger)
    first_approver_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approver_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation = relationship("Organisation", foreign_keys=[organisation_id], lazy="joined")


class MdfNotice(db.Model):
    """A notice sent once ("expiring30:<org>:<quarter>"): the primary key refuses a second one."""

    __tablename__ = "mdf_notice"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
