"""Q&A (SPEC C5): threads in spaces, their posts, votes, reports and the once-only reminder marks.

A thread's question is its first post (`is_question`), so hiding, reporting and mentions work the same
on questions and replies. Only replies can be voted on and accepted. One vote per (post, user), one
report per (post, user), one reminder per thread: the database refuses a second row under a race.
`QaThread.accepted_post_id` is a plain id (not a foreign key) to keep the two tables free of a cycle;
the accepted post also carries `accepted_at`.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...database import UTCDateTime, utcnow
from ...extensions import db

PUBLIC, PRIVATE = "public", "private"
SPACES = (PUBLIC, PRIVATE)


class QaThread(db.Model):
    __tablename__ = "qa_thread"
    __table_args__ = (Index("ix_qa_thread_space_activity", "space", "last_post_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    locked: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)  # the question was hidden by a manager
    reply_count: Mapped[int] = mapped_column(default=0)
    accepted_post_id: Mapped[Optional[int]]
    solved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User", foreign_keys=[user_id])

    @property
    def solved(self) -> bool:
        return self.accepted_post_id is not None


class QaPost(db.Model):
    __tablename__ = "qa_post"
    __table_args__ = (Index("ix_qa_post_thread_created", "thread_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("qa_thread.id", ondelete="CASCADE"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    is_question: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)          # the Markdown as written
    body_html: Mapped[str] = mapped_column(Text)     # rendered and sanitised once, at write time
    votes: Mapped[int] = mapped_column(default=0)
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    accepted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    thread = relationship(QaThread)
    user = relationship("User", foreign_keys=[user_id])


class QaVote(db.Model):
    __tablename__ = "qa_vote"
    __table_args__ = (UniqueConstraint("post_id", "user_id", name="uq_qa_vote_post_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("qa_post.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QaReport(db.Model):
    __tablename__ = "qa_report"
    __table_args__ = (UniqueConstraint("post_id", "user_id", name="uq_qa_report_post_user"),
                      Index("ix_qa_report_open", "resolved_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("qa_post.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    post = relationship(QaPost)
    user = relationship("User", foreign_keys=[user_id])


class QaReminder(db.Model):
    """One row per thread whose asker was reminded to accept an answer: the reminder's once-only key."""
    __tablename__ = "qa_reminder"

    thread_id: Mapped[int] = mapped_column(ForeignKey("qa_thread.id", ondelete="CASCADE"), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
