"""Domain-event listeners of recruitment: the referral bonus when a referred partner wins its first deal."""
from __future__ import annotations

from .. import signals
from . import services


@signals.deal_won.listener("recruitment.referral_bonus")
def on_deal_won(event: signals.Event) -> None:
    # Idempotent: the bonus row's unique key (referral:<organisation>) makes a replay add nothing.
    services.record_first_win(event.organisation_id, event.deal_id)
