"""The funnel's read model, written only by its event listener (and the demo), rebuilt by replay.

Applications and organisations are kept apart so that no listener ever merges rows: an application
row points at its organisation once it is approved; an organisation without an application (signed by
a manager directly) simply has none. Every row is keyed by the id of what it describes (unique), so a
delivery that runs twice finds its row and changes nothing; stage dates only ever move earlier.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ...database import UTCDateTime, utcnow
from ...extensions import db


class FunnelApplication(db.Model):
    __tablename__ = "funnel_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(unique=True)
    partner_type: Mapped[str] = mapped_column(String(20), default="")
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    qualified_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    declined_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    organisation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FunnelOrganisation(db.Model):
    __tablename__ = "funnel_organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), unique=True)
    signed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)
    first_deal_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    first_won_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    expanding_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    won_deals: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FunnelWin(db.Model):
    """One won deal (unique by deal): what the expanding rule counts over its window."""
    __tablename__ = "funnel_win"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    closed_on: Mapped[date] = mapped_column(Date())
    amount_kopecks: Mapped[int] = mapped_column(BigInteger)


class FunnelWeeklyReport(db.Model):
    """One row per reported week: its unique week_start is what makes two ticks send the report once."""
    __tablename__ = "funnel_weekly_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(Date(), unique=True)
    recipients: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
