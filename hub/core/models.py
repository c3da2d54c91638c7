"""Platform tables every feature uses: audit log (P8), e-mail outbox and in-app inbox (P7)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_object", "object_type", "object_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    organisation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(60))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor = relationship("User", lazy="joined")


class OutboxMessage(db.Model):
    """An e-mail waiting to be sent (or sent): rendered for its recipient when queued."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The HTML alternative of `body` (multipart/alternative); None for plain-text-only messages.
    html_body: Mapped[Optional[str]] = mapped_column(Text)
    # The notification type it tells about ("deals.approved"), None for other mail.
    kind: Mapped[Optional[str]] = mapped_column(String(60))
    # Files sent with the message: [{"filename", "content_type", "content" (text)}], e.g. a
    # calendar invitation (text/calendar; method=REQUEST). None for most mail.
    attachments: Mapped[Optional[list[Any]]] = mapped_column(JSON)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[Optional[str]] = mapped_column(Text)


class Notification(db.Model):
    """An in-app notification, stored as what happened (type, object, parameters) and rendered
    when read, in the reader's language (hub.core.notifications)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    type: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[Optional[str]] = mapped_column(String(40))
    object_id: Mapped[Optional[int]]
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[Optional[str]] = mapped_column(String(300))
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())


class NotificationPreference(db.Model):
    """A user's choice for one notification type: also by e-mail ("instant") or not ("off").
    No row: the type's default for that user."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    type: Mapped[str] = mapped_column(String(60), primary_key=True)
    email: Mapped[str] = mapped_column(String(10))
