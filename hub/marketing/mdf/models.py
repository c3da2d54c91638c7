"""MDF: a ledger of entries per organisation and quarter, and the partners' requests.

Ledger amounts are positive kopecks; the kind says the direction (`adjust` alone is signed):
  allocated = credit + adjust
  committed = commit - release            (money promised to approved requests)
  available = credit + adjust + release - commit - expire
Every entry has a unique `key` naming the effect ("credit:<org>:<quarter>" for the fixed allocation,
"accrued:<deal>" for a won deal's share in the accrued mode, "commit:<request>", ...),
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


# --- claims (proof of performance), payment and the deals an activity brought ----------------------
# A request's life after approval: approved -> (claim) -> closed (paid) | released (deadline passed).
CLOSED, RELEASED = "closed", "released"
CLAIM_SUBMITTED, CLAIM_MORE, CLAIM_APPROVED, CLAIM_REJECTED, CLAIM_PAID = ("submitted", "more_info", "approved",
                                                                          "rejected", "paid")
CLAIM_STATUSES = (CLAIM_SUBMITTED, CLAIM_MORE, CLAIM_APPROVED, CLAIM_REJECTED, CLAIM_PAID)
CLAIM_OPEN = (CLAIM_SUBMITTED, CLAIM_MORE)      # filed, waiting for the manager or the partner
CLAIM_LIVE = (CLAIM_SUBMITTED, CLAIM_MORE, CLAIM_APPROVED, CLAIM_PAID)  # holds the request: no second claim
PROOF_KINDS = ("invoice", "photo", "act", "upd", "other")


class MdfClaim(db.Model):
    """A partner's claim for reimbursement of an approved request. A rejected claim may be followed by
    another one before the deadline; at most one is live at a time (the services check under the lock)."""

    __tablename__ = "mdf_claim"
    __table_args__ = (Index("ix_mdf_claim_status", "status", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("mdf_request.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    actual_cost_kopecks: Mapped[int] = mapped_column(BigInteger)
    claimed_kopecks: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=CLAIM_SUBMITTED)
    payable_kopecks: Mapped[Optional[int]] = mapped_column(BigInteger)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decider_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    due_on: Mapped[Optional[date]] = mapped_column(Date)
    paid_on: Mapped[Optional[date]] = mapped_column(Date)
    payment_reference: Mapped[str] = mapped_column(String(100), default="")
    payer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    paid_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    proofs = relationship("MdfProof", order_by="MdfProof.id", lazy="selectin", cascade="all, delete-orphan")
    evidence = relationship("MdfEvidence", order_by="MdfEvidence.id", lazy="selectin", cascade="all, delete-orphan")


class MdfProof(db.Model):
    """A file proving the activity (invoice, photo, act, UPD), stored by hub.files under its digest."""

    __tablename__ = "mdf_proof"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("mdf_claim.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MdfEvidence(db.Model):
    """Evidence the hub already holds, picked by the partner: a deal from the activity ("deal", ref the
    deal id) or the organisation's attendance at vendor events in the activity window ("attendance")."""

    __tablename__ = "mdf_evidence"
    __table_args__ = (UniqueConstraint("claim_id", "kind", "ref_id", name="uq_mdf_evidence_claim_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("mdf_claim.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int] = mapped_column(BigInteger, default=0)
    label: Mapped[str] = mapped_column(String(300), default="")
    amount_kopecks: Mapped[int] = mapped_column(BigInteger, default=0)


class MdfDeal(db.Model):
    """MDF's own read model of the partners' deal registrations, kept by listeners of deal_submitted and
    deal_won (hub/marketing/mdf/listeners.py; the deals feature is never imported). `request_id` links
    a deal to the funded activity that brought it (the partner picks it on the request page)."""

    __tablename__ = "mdf_deal"
    __table_args__ = (Index("ix_mdf_deal_org_submitted", "organisation_id", "submitted_at"),)

    deal_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    product: Mapped[str] = mapped_column(String(200), default="")
    amount_kopecks: Mapped[int] = mapped_column(BigInteger, default=0)
    won_kopecks: Mapped[Optional[int]] = mapped_column(BigInteger)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("mdf_request.id", ondelete="SET NULL"), index=True)
