"""Recruitment: partner applications, the vendor's target list, recruitment costs and referral bonuses.

`Application.open_inn` holds the INN while the application is open and is NULL once it is decided: its
unique constraint is what refuses a second open application for one INN, also when two arrive at once.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

SUBMITTED, INFO, QUALIFIED, APPROVED, DECLINED = ("submitted", "info_requested", "qualified", "approved", "declined")
STATUSES = (SUBMITTED, INFO, QUALIFIED, APPROVED, DECLINED)
OPEN = (SUBMITTED, INFO, QUALIFIED)
# What each decision may follow: a status can be neither skipped nor forged by posting another.
ALLOWED = {
    "qualify": (SUBMITTED,),
    "ask": (SUBMITTED, QUALIFIED),
    "answer": (INFO,),
    "decline": (SUBMITTED, INFO, QUALIFIED),
    "approve": (QUALIFIED,),
}

STAGES = ("identified", "contacted", "interested", "applied", "signed", "dropped")


class Application(db.Model):
    __tablename__ = "recruitment_application"
    __table_args__ = (Index("ix_recruitment_application_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default=SUBMITTED)
    company: Mapped[str] = mapped_column(String(200))
    inn: Mapped[str] = mapped_column(String(12), index=True)
    open_inn: Mapped[Optional[str]] = mapped_column(String(12), unique=True)
    website: Mapped[str] = mapped_column(String(200), default="")
    domain: Mapped[str] = mapped_column(String(200), default="", index=True)
    partner_type: Mapped[str] = mapped_column(String(20))
    regions: Mapped[str] = mapped_column(String(400), default="")  # codes, comma-separated
    products: Mapped[str] = mapped_column(String(400), default="")
    expected_deals: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    locale: Mapped[str] = mapped_column(String(5), default="ru")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    referrer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    target_id: Mapped[Optional[int]] = mapped_column(ForeignKey("recruitment_target.id", ondelete="SET NULL"), index=True)
    checklist: Mapped[str] = mapped_column(String(400), default="")  # item keys, comma-separated
    question: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    answer_token_hash: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"),
                                                           unique=True)
    invitation_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    referrer = relationship("Organisation", foreign_keys=[referrer_id], lazy="joined")
    target = relationship("Target", foreign_keys=[target_id], lazy="joined")

    @property
    def region_codes(self) -> list[str]:
        return [c for c in self.regions.split(",") if c]

    @property
    def product_codes(self) -> list[str]:
        return [c for c in self.products.split(",") if c]

    @property
    def checked(self) -> list[str]:
        return [c for c in self.checklist.split(",") if c]


class Target(db.Model):
    """A prospective partner on the vendor's list (the pilot's "50 target companies")."""

    __tablename__ = "recruitment_target"
    __table_args__ = (Index("ix_recruitment_target_stage", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company: Mapped[str] = mapped_column(String(200))
    inn: Mapped[Optional[str]] = mapped_column(String(12), unique=True)
    domain: Mapped[Optional[str]] = mapped_column(String(200), unique=True)
    segment: Mapped[str] = mapped_column(String(20), default="")
    region: Mapped[str] = mapped_column(String(40), default="")
    offer: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(20), default="identified")
    owner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    owner = relationship("User", foreign_keys=[owner_id], lazy="joined")


class Cost(db.Model):
    """What recruiting cost in a period and campaign (the numerator of CACp)."""

    __tablename__ = "recruitment_cost"
    __table_args__ = (Index("ix_recruitment_cost_period", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))  # 2026-Q4
    campaign: Mapped[str] = mapped_column(String(200))
    amount_kopecks: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReferralBonus(db.Model):
    """The bonus a referring partner earned when the organisation it brought won its first deal; one per
    referred organisation (the unique key), however often the deal_won event is delivered."""

    __tablename__ = "recruitment_referral_bonus"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # referral:<referred organisation id>
    referrer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    referred_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    deal_id: Mapped[int]
    points: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
