"""The leads tick job (`flask --app hub tick`): offers not answered in time go back to the pool."""
from __future__ import annotations

from ...core.cli import tick_job
from . import services


@tick_job("leads")
def leads_job(echo) -> None:
    """Return unanswered offers to the pool (once each, by key), telling the manager who offered them."""
    echo(f"{services.expire_offers()} unanswered lead offer(s) returned to the pool")
