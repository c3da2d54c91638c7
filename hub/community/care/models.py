"""Key-partner care: quarterly business reviews and their action items, the beta programme, closed
announcements by tier.

An action item belongs to one review and, copied for the authorisation filters, to its organisation;
its owner is a person of that organisation or of the vendor. A beta sign-up is one per organisation
(the unique key refuses a second, also under a race). Tiers allowed / addressed are stored as a
comma-separated list of tier codes ("gold,platinum").
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...database import UTCDateTime, utcnow
from ...extensions import db


class TierList:
    """`tiers` column helpers: stored "gold,platinum", read as a list."""

    tiers: str

    @property
    def tier_list(self) -> list[str]:
        return [t for t in (self.tiers or "").split(",") if t]

    def allows(self, tier: str | None) -> bool:
        return (tier or "") in self.tier_list


class CareQbr(db.Model):
    __tablename__ = "care_qbr"
    __table_args__ = (Index("ix_care_qbr_org_meeting", "organisation_id", "meeting_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    meeting_on: Mapped[date] = mapped_column(Date)
    agenda: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organisation = relationship("Organisation", foreign_keys=[organisation_id], lazy="joined")
    items: Mapped[list["CareActionItem"]] = relationship(
        back_populates="qbr", cascade="all, delete-orphan", order_by="CareActionItem.due_on, CareActionItem.id")


class CareActionItem(db.Model):
    __tablename__ = "care_action_item"
    __table_args__ = (Index("ix_care_action_item_org_done", "organisation_id", "done_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    qbr_id: Mapped[int] = mapped_column(ForeignKey("care_qbr.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    done_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    qbr: Mapped[CareQbr] = relationship(back_populates="items")
    owner = relationship("User", foreign_keys=[owner_id], lazy="joined")


class CareBeta(TierList, db.Model):
    __tablename__ = "care_beta"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    tiers: Mapped[str] = mapped_column(String(100))
    signup_closes_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class CareBetaSignup(db.Model):
    __tablename__ = "care_beta_signup"
    __table_args__ = (UniqueConstraint("beta_id", "organisation_id", name="uq_care_beta_signup_beta_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    beta_id: Mapped[int] = mapped_column(ForeignKey("care_beta.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    feedback: Mapped[str] = mapped_column(Text, default="")
    feedback_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation = relationship("Organisation", foreign_keys=[organisation_id], lazy="joined")
    user = relationship("User", foreign_keys=[user_id], lazy="joined")


class CareAnnouncement(TierList, db.Model):
    __tablename__ = "care_announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    tiers: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
