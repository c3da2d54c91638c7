"""Co-branded material: every download (one row per download event, not per person), and the custom
pieces partners ask for.

A request is `new` → `in_progress` → `delivered` (a file in hub.files) or `declined` (a reason);
`due_on` is fixed when it is made (the day asked + the rules' `sla_days`), so a later change of the
rules does not move promises already given.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...database import UTCDateTime, utcnow
from ...extensions import db

NEW, IN_PROGRESS, DELIVERED, DECLINED = "new", "in_progress", "delivered", "declined"
STATUSES = (NEW, IN_PROGRESS, DELIVERED, DECLINED)
OPEN = (NEW, IN_PROGRESS)


class CobrandDownload(db.Model):
    __tablename__ = "cobrand_download"
    __table_args__ = (Index("ix_cobrand_download_org_created", "organisation_id", "created_at"),
                      Index("ix_cobrand_download_template_org", "template", "organisation_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    template: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CobrandRequest(db.Model):
    __tablename__ = "cobrand_request"
    __table_args__ = (Index("ix_cobrand_request_status_due", "status", "due_on"),
                      Index("ix_cobrand_request_org_created", "organisation_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    template: Mapped[Optional[str]] = mapped_column(String(80))  # a catalogue slug, or None: see description
    description: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=NEW)
    due_on: Mapped[date] = mapped_column(Date)
    # A logo for this piece only (otherwise the profile's), stored in hub.files.
    logo_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    logo_content_type: Mapped[Optional[str]] = mapped_column(String(40))
    manager_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    file_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    file_name: Mapped[Optional[str]] = mapped_column(String(200))
    file_content_type: Mapped[Optional[str]] = mapped_column(String(120))
    delivered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation = relationship("Organisation", foreign_keys=[organisation_id], lazy="joined")
    requester = relationship("User", foreign_keys=[user_id], lazy="joined")
