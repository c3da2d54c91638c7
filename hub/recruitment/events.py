"""The domain events recruitment emits (declared here, next to their feature; the catalogue is global).

Insights builds its funnel from application_submitted / application_decided; rewards credits the
referral bonus from referral_bonus_earned (its points are in the payload, from the recruitment rules) to the
referrer's points ledger, once per referred organisation (listener "rewards.referral_bonus")."""
from __future__ import annotations

from datetime import datetime

from ..signals import EventType

application_submitted = EventType(
    "application_submitted", "Someone applied to become a partner (no account yet).",
    application_id=int, inn=str, partner_type=str, referrer_id=int | None, target_id=int | None,
    submitted_at=datetime)

application_decided = EventType(
    "application_decided", "A manager qualified, asked about, declined or approved an application.",
    application_id=int, decision=str, organisation_id=int | None, decided_at=datetime, actor_id=int | None)

referral_bonus_earned = EventType(
    "referral_bonus_earned", "An organisation a partner referred won its first deal: the referrer's bonus.",
    referrer_id=int, referred_id=int, deal_id=int, points=int, earned_at=datetime)
