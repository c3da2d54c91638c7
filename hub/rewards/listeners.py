"""Domain-event listeners: the only way events of other features reach rewards (R1).

Each reads the event's payload (hub/signals.py) and writes in the transaction the outbox opened for
it (the outbox commits it with the delivery, or rolls it back and retries later). Replays are
harmless: every write meets a unique key.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from .. import signals
from ..accounts.models import Organisation
from ..recruitment.public import referral_bonus_earned
from ..extensions import db
from ..database import utcnow
from ..program import rules as program_rules
from . import badges, commissions, terms, tiers
from .models import ACCEPTED_ANSWER, CERTIFICATE_EARNED, DEAL_APPROVED, DEAL_WON, EVENT_ATTENDED, REFERRAL_BONUS
from .services import Credit, credit, program_date, program_zone, record_won_deal


def _event_time(moment: datetime | None) -> datetime:
    """When the event happened (never in the future): points belong to the period of the event."""
    now = utcnow()
    return min(moment, now) if moment is not None else now


def _day_time(day) -> datetime:
    """Noon of a program-time day, in UTC: the moment a deal closed on that day is counted."""
    from datetime import time
    return _event_time(datetime.combine(day, time(12), tzinfo=program_zone()).astimezone(timezone.utc))


@signals.deal_approved.listener("rewards.deal_approved")
def on_deal_approved(event: signals.Event) -> None:
    entry = Credit(DEAL_APPROVED, f"deal:{event.deal_id}", event.organisation_id, event.created_by_id)
    credit(entry, _event_time(event.decided_at))


def record_win(deal_id: int, org_id: int, user_id: int | None, product: str, amount: int, closed_on,
               now: datetime | None = None) -> bool:
    """Everything a won deal brings, in the caller's transaction. True when it was new.

    The organisation's row is locked first (PostgreSQL; SQLite serialises writers anyway): two wins
    of one organisation delivered at once then queue here instead of deadlocking (the ledger's
    foreign key takes a share lock on the row that tiers.evaluate later locks for update), and the
    second sees the first's revenue when it checks the quarterly plan (R5)."""
    now = now or utcnow()
    db.session.execute(select(Organisation.id).where(Organisation.id == org_id).with_for_update())
    credit(Credit(DEAL_WON, f"deal:{deal_id}", org_id, user_id), _day_time(closed_on))
    if not record_won_deal(deal_id, org_id, user_id, product, amount, closed_on, now):
        return False
    commissions.lines_for_won_deal(deal_id, org_id, product, amount, now)
    terms.evaluate_plans(org_id, closed_on, now)  # R5: the quarterly plan's bonus, once reached
    tiers.evaluate([org_id], now)
    badges.evaluate(org_ids=[org_id], user_ids=[user_id] if user_id else [], now=now)
    return True


@signals.deal_won.listener("rewards.record_win")
def on_deal_won(event: signals.Event) -> None:
    record_win(event.deal_id, event.organisation_id, event.created_by_id, event.product, event.amount_kopecks,
               event.closed_on or program_date())


@signals.certificate_earned.listener("rewards.certificate_earned")
def on_certificate_earned(event: signals.Event) -> None:
    # A renewal keeps the certificate's id: the unique key gives its points once, at first issue.
    credit(Credit(CERTIFICATE_EARNED, f"certificate:{event.certificate_id}", event.organisation_id, event.user_id))
    tiers.evaluate([event.organisation_id])
    badges.evaluate(org_ids=[event.organisation_id], user_ids=[event.user_id])


@signals.certificate_expired.listener("rewards.certificate_expired")
def on_certificate_expired(event: signals.Event) -> None:
    # Points stay (the ledger is append-only); the tier may drop, after its grace period.
    tiers.evaluate([event.organisation_id])


def _activity(action: str, prefix: str, key_field: str):
    def handler(event: signals.Event) -> None:
        credit(Credit(action, f"{prefix}:{event.payload[key_field]}", event.organisation_id, event.user_id))
        badges.evaluate(org_ids=[event.organisation_id], user_ids=[event.user_id])
    return handler


on_event_attended = signals.event_attended.listener("rewards.event_attended")(
    _activity(EVENT_ATTENDED, "registration", "registration_id"))
on_answer_accepted = signals.answer_accepted.listener("rewards.answer_accepted")(
    _activity(ACCEPTED_ANSWER, "answer", "answer_id"))


@referral_bonus_earned.listener("rewards.referral_bonus")
def on_referral_bonus_earned(event: signals.Event) -> None:
    """G4: the partner that brought another one gets the bonus when the new one wins its first deal.
    The points are the event's (recruitment's rules fixed them when it was earned); one entry per
    referred organisation (the ledger's unique (action, source) key), however often delivered."""
    credited = credit(Credit(REFERRAL_BONUS, f"referral:{event.referred_id}", event.referrer_id, None),
                      _event_time(event.earned_at), points=event.points)
    if credited:
        badges.evaluate(org_ids=[event.referrer_id])


@signals.referral_won.listener("rewards.referral_fee")
def on_referral_won(event: signals.Event) -> None:
    """D10: a referral partner's recommended customer bought: the fee goes on its statement, once per
    referral (unique source key), listed apart from its sales deals' commissions. The fee is the one
    the event carries (leads computed it from the rules); an event stored before it carried one is
    priced from the same rules now."""
    fee, basis = event.fee_kopecks, event.fee_basis
    if fee is None or basis is None:
        tier = db.session.scalar(select(Organisation.tier).where(Organisation.id == event.organisation_id))
        fee, basis = program_rules.current().leads.fee(event.amount_kopecks, tier)
    commissions.line_for_referral(event.referral_id, event.organisation_id, event.amount_kopecks, fee, basis,
                                  _event_time(event.won_at))
