"""Periodic event jobs, run by `flask --app hub tick` (and so by cron every few minutes)."""
from __future__ import annotations

from ...core.cli import tick_job
from . import services


@tick_job("community-events")  # "events" is the domain-event retries (hub/domain_events)
def events_job(echo) -> None:
    """Expired offers pass on down the waitlist; reminders 24 h and 1 h before; recordings to no-shows."""
    offers = services.promote_waitlists()
    sent = services.send_reminders()
    followed = services.follow_up_no_shows()
    echo(f"{offers} seat(s) offered, reminders {sent['24h']} (24 h) and {sent['1h']} (1 h), "
         f"{followed} recording follow-up(s)")
