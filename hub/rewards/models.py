"""Rewards tables (R1-R4, D5). Every table is written by rewards alone, from signals and tick.

Uniqueness is what makes the listeners idempotent: a replayed signal meets a UNIQUE key and its
insert is ignored by the database, so no Python check can race with another writer.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (JSON, BigInteger, Date, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

# Point actions (the keys of `points:` in content/program.yml).
DEAL_APPROVED = "deal_approved"
DEAL_WON = "deal_won"
CERTIFICATE_EARNED = "certificate_earned"
EVENT_ATTENDED = "event_attended"
ACCEPTED_ANSWER = "accepted_answer"
ACTIONS = (DEAL_APPROVED, DEAL_WON, CERTIFICATE_EARNED, EVENT_ATTENDED, ACCEPTED_ANSWER)
# Points whose amount comes with the event (from another feature's rules), not from `points:`:
# the recruitment referral bonus (G4), credited to the referring organisation once per referred one.
REFERRAL_BONUS = "referral_bonus"

# Commission rules and statuses (D5).
RULE_COMMISSION = "commission"
RULE_SPIFF = "spiff"
RULE_RETRO = "retro"
RULE_PLAN = "plan"  # R5: the bonus of an individual quarterly plan reached
RULE_REFERRAL = "referral"  # D10: a referral partner's fee for a recommended customer who bought
RULES = (RULE_COMMISSION, RULE_SPIFF, RULE_RETRO, RULE_PLAN, RULE_REFERRAL)
DEAL_RULES = (RULE_COMMISSION, RULE_SPIFF, RULE_RETRO, RULE_PLAN)  # what sales deals bring
OWED = "owed"
APPROVED = "approved"
PAID = "paid"
LINE_STATUSES = (OWED, APPROVED, PAID)

# Leaderboard metrics.
METRIC_REVENUE = "revenue"
METRIC_POINTS = "points"
METRIC_DEALS = "deals"
METRICS = (METRIC_REVENUE, METRIC_POINTS, METRIC_DEALS)


class PointEntry(db.Model):
    """The points ledger (R1): append-only; one row per (action, source event)."""
    __tablename__ = "reward_point_entry"
    __table_args__ = (
        UniqueConstraint("action", "source_key", name="uq_reward_point_action_source"),
        Index("ix_reward_point_org_created", "organisation_id", "created_at"),
        Index("ix_reward_point_user_action", "user_id", "action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(30))
    source_key: Mapped[str] = mapped_column(String(80))
    points: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WonDeal(db.Model):
    """What rewards knows of a won deal (copied from the deal_won signal): revenue, deals won,
    commissions and tiers are computed from here, never from the deals feature's tables."""
    __tablename__ = "reward_won_deal"
    __table_args__ = (Index("ix_reward_won_org_closed", "organisation_id", "closed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(Integer, unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    product: Mapped[str] = mapped_column(String(40))
    amount_kopecks: Mapped[int] = mapped_column(BigInteger)
    closed_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CommissionLine(db.Model):
    """One line of an organisation's commission statement (D5), traced to its deal and rule.

    `source_key` is unique: one commission per deal, one SPIFF per organisation, one retro-bonus
    per organisation and quarter, whatever replays or races happen.
    """
    __tablename__ = "reward_commission_line"
    __table_args__ = (
        UniqueConstraint("source_key", name="uq_reward_commission_source"),
        UniqueConstraint("deal_id", "rule", name="uq_reward_commission_deal_rule"),
        Index("ix_reward_commission_org_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    deal_id: Mapped[Optional[int]] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(20))
    source_key: Mapped[str] = mapped_column(String(80))
    tier: Mapped[Optional[str]] = mapped_column(String(20))
    product: Mapped[Optional[str]] = mapped_column(String(40))
    period: Mapped[Optional[str]] = mapped_column(String(10))  # retro-bonus quarter, e.g. 2026-Q1
    base_kopecks: Mapped[int] = mapped_column(BigInteger, default=0)
    percent: Mapped[Optional[Decimal]] = mapped_column(Numeric(7, 3))
    amount_kopecks: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default=OWED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    paid_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    paid_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # R5: the individual term the line was priced by (a rate or a plan); None for the tier's rate.
    term_id: Mapped[Optional[int]] = mapped_column(ForeignKey("reward_term.id", ondelete="SET NULL"))


# Individual terms (R5): kinds and statuses.
TERM_RATE = "rate"
TERM_PLAN = "plan"
TERM_KINDS = (TERM_RATE, TERM_PLAN)
TERM_PENDING = "pending"    # over the threshold: waits for a second, different manager
TERM_ACTIVE = "active"
TERM_REVOKED = "revoked"
TERM_STATUSES = (TERM_PENDING, TERM_ACTIVE, TERM_REVOKED)


class Term(db.Model):
    """An organisation's own commission term (R5), granted by a manager: a rate for one product
    (`percent`, instead of the tier's) or a quarterly plan (`target_kopecks` of won revenue per
    quarter, with a bonus of `bonus_kopecks` or `bonus_percent` of that revenue), valid from
    `valid_from` to `valid_to` inclusive (program-time won dates). Only an active term applies."""
    __tablename__ = "reward_term"
    __table_args__ = (Index("ix_reward_term_org_status", "organisation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    product: Mapped[Optional[str]] = mapped_column(String(40))
    percent: Mapped[Optional[Decimal]] = mapped_column(Numeric(7, 3))
    target_kopecks: Mapped[Optional[int]] = mapped_column(BigInteger)
    bonus_kopecks: Mapped[Optional[int]] = mapped_column(BigInteger)
    bonus_percent: Mapped[Optional[Decimal]] = mapped_column(Numeric(7, 3))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=TERM_PENDING)
    needs_second_approval: Mapped[bool] = mapped_column(default=False)
    granted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoke_reason: Mapped[Optional[str]] = mapped_column(Text)


class TierState(db.Model):
    """The tier engine's memory per organisation (R3): what the rules give, since when the
    organisation has been below its tier, an override, and the figures of the last evaluation
    (the "why" page and the home panel read them without recomputing)."""
    __tablename__ = "reward_tier_state"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"),
                                                 primary_key=True)
    rule_tier: Mapped[str] = mapped_column(String(20))
    below_since: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    qualified_tier: Mapped[str] = mapped_column(String(20))
    revenue_12m_kopecks: Mapped[int] = mapped_column(BigInteger, default=0)
    certified_people: Mapped[int] = mapped_column(Integer, default=0)
    quality: Mapped[Optional[Decimal]] = mapped_column(Numeric(5, 2))
    evaluated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    override_tier: Mapped[Optional[str]] = mapped_column(String(20))
    override_reason: Mapped[Optional[str]] = mapped_column(Text)
    override_until: Mapped[Optional[date]] = mapped_column(Date)
    override_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class TierChange(db.Model):
    """Tier history: every change of an organisation's tier and why."""
    __tablename__ = "reward_tier_change"
    __table_args__ = (Index("ix_reward_tier_change_org", "organisation_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    old_tier: Mapped[str] = mapped_column(String(20))
    new_tier: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(30))  # promotion, demotion, override, override_ended
    note: Mapped[Optional[str]] = mapped_column(Text)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Badge(db.Model):
    """A badge definition loaded from content/badges.yml (upserted by slug)."""
    __tablename__ = "reward_badge"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    scope: Mapped[str] = mapped_column(String(20))  # user / organisation
    rule: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    name_ru: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description_ru: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    image: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(Integer, default=100)
    checksum: Mapped[str] = mapped_column(String(64))

    def name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") else self.name_ru

    def description(self, locale: str) -> str:
        return self.description_en if locale.startswith("en") else self.description_ru


class BadgeAward(db.Model):
    """A badge held by a user or an organisation: awarded once (unique per badge and holder)."""
    __tablename__ = "reward_badge_award"
    __table_args__ = (
        UniqueConstraint("badge_id", "holder_key", name="uq_reward_badge_holder"),
        Index("ix_reward_badge_award_org", "organisation_id", "awarded_at"),
        Index("ix_reward_badge_award_user", "user_id", "awarded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_id: Mapped[int] = mapped_column(ForeignKey("reward_badge.id", ondelete="CASCADE"))
    holder_key: Mapped[str] = mapped_column(String(40))  # "user:5" or "org:3"
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    badge: Mapped[Badge] = relationship(lazy="joined")


class PeriodStat(db.Model):
    """Leaderboard aggregate (R4): one row per organisation and period bucket ("all", "2026",
    "2026-Q1", "2026-03", in program time), kept current by the listeners in the same
    transaction as the entry they count. `*_at` is when the value was last raised: the earlier
    one ranks first among equal values."""
    __tablename__ = "reward_period_stat"
    __table_args__ = (
        Index("ix_reward_stat_revenue", "period", "revenue_kopecks"),
        Index("ix_reward_stat_points", "period", "points"),
        Index("ix_reward_stat_deals", "period", "deals_won"),
    )

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"),
                                                 primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    revenue_kopecks: Mapped[int] = mapped_column(BigInteger, default=0)
    revenue_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    points: Mapped[int] = mapped_column(BigInteger, default=0)
    points_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    deals_won: Mapped[int] = mapped_column(Integer, default=0)
    deals_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())


class TickMark(db.Model):
    """What rewards' tick saw last (one row per job): the high-water marks of the ledger and of the
    won deals, the moment of the run and a digest of the rules it evaluated with. The next tick
    evaluates only the organisations something happened to since then (hub/rewards/jobs.py)."""
    __tablename__ = "reward_tick_mark"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    point_entry_id: Mapped[int] = mapped_column(BigInteger, default=0)
    won_deal_id: Mapped[int] = mapped_column(BigInteger, default=0)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rules_digest: Mapped[str] = mapped_column(String(64))
