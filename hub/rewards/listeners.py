"""Signal listeners: the only way events of other features reach rewards (R1).

Each listener copies the documented attributes of the sender (hub/signals.py), then writes in
its own transaction. Replays are harmless: every write meets a unique key.
"""
from __future__ import annotations

import functools
from datetime import datetime, timezone

from flask import current_app

from .. import signals
from ..database import utcnow, write_intent
from ..extensions import db
from . import badges, commissions, tiers
from .models import ACCEPTED_ANSWER, CERTIFICATE_EARNED, DEAL_APPROVED, DEAL_WON, EVENT_ATTENDED
from .services import Credit, credit, program_date, program_zone, record_won_deal


def _transaction(work) -> None:
    # The sender committed before sending; reading its attributes may have opened a read
    # transaction: close it, so that ours begins as a writer (BEGIN IMMEDIATE on SQLite).
    db.session.commit()
    with write_intent():
        try:
            work()
            db.session.commit()
        except Exception:
            db.session.rollback()
            if current_app.testing:
                raise
            # The change the sender made stands; `flask --app hub tick` re-evaluates tiers and badges.
            current_app.logger.exception("rewards listener failed")


def listener(signal):
    def decorator(func):
        @functools.wraps(func)
        def wrapped(sender, **kwargs):
            return func(sender, **kwargs)
        signal.connect(wrapped, weak=False)
        return wrapped
    return decorator


def _event_time(moment: datetime | None) -> datetime:
    """When the event happened (never in the future): points belong to the period of the event."""
    now = utcnow()
    return min(moment, now) if moment is not None else now


def _day_time(day) -> datetime:
    """Noon of a program-time day, in UTC: the moment a deal closed on that day is counted."""
    from datetime import time
    return _event_time(datetime.combine(day, time(12), tzinfo=program_zone()).astimezone(timezone.utc))


@listener(signals.deal_approved)
def on_deal_approved(deal, **_kw) -> None:
    entry = Credit(DEAL_APPROVED, f"deal:{deal.id}", deal.organisation_id, deal.created_by_id)
    at = _event_time(deal.decided_at)
    _transaction(lambda: credit(entry, at))


def record_win(deal_id: int, org_id: int, user_id: int | None, product: str, amount: int, closed_on,
               now: datetime | None = None) -> bool:
    """Everything a won deal brings, in the caller's transaction. True when it was new."""
    now = now or utcnow()
    credit(Credit(DEAL_WON, f"deal:{deal_id}", org_id, user_id), _day_time(closed_on))
    if not record_won_deal(deal_id, org_id, user_id, product, amount, closed_on, now):
        return False
    commissions.lines_for_won_deal(deal_id, org_id, product, amount, now)
    tiers.evaluate([org_id], now)
    badges.evaluate(org_ids=[org_id], user_ids=[user_id] if user_id else [], now=now)
    return True


@listener(signals.deal_won)
def on_deal_won(deal, **_kw) -> None:
    amount = deal.final_amount_kopecks or deal.amount_kopecks
    data = (deal.id, deal.organisation_id, deal.created_by_id, deal.product, amount,
            deal.closed_on or program_date())
    _transaction(lambda: record_win(*data))


@listener(signals.certificate_earned)
def on_certificate_earned(certificate, renewal: bool = False, **_kw) -> None:
    # A renewal keeps the certificate's id: the unique key gives its points once, at first issue.
    entry = Credit(CERTIFICATE_EARNED, f"certificate:{certificate.id}", certificate.organisation_id,
                   certificate.user_id)
    org_id, user_id = certificate.organisation_id, certificate.user_id

    def work():
        credit(entry)
        tiers.evaluate([org_id])
        badges.evaluate(org_ids=[org_id], user_ids=[user_id])
    _transaction(work)


@listener(signals.certificate_expired)
def on_certificate_expired(certificate, **_kw) -> None:
    # Points stay (the ledger is append-only); the tier may drop, after its grace period.
    org_id = certificate.organisation_id
    _transaction(lambda: tiers.evaluate([org_id]))


def _activity(action: str, prefix: str):
    def handler(sender, **_kw):
        entry = Credit(action, f"{prefix}:{sender.id}", sender.organisation_id, sender.user_id)
        org_id, user_id = sender.organisation_id, sender.user_id

        def work():
            credit(entry)
            badges.evaluate(org_ids=[org_id], user_ids=[user_id])
        _transaction(work)
    return handler


on_event_attended = listener(signals.event_attended)(_activity(EVENT_ATTENDED, "registration"))
on_answer_accepted = listener(signals.answer_accepted)(_activity(ACCEPTED_ANSWER, "answer"))
