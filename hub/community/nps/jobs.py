"""The NPS tick job (`flask --app hub tick`): the relationship round, and expiry of unanswered surveys."""
from __future__ import annotations

from ...core.cli import tick_job
from . import services


@tick_job("nps")
def nps_job(echo) -> None:
    """Open the current relationship round for every active partner person (once per round, by key);
    expire surveys left unanswered past the rules' open_days."""
    opened = services.open_relationship_round()
    expired = services.expire_unanswered()
    echo(f"{opened} NPS survey(s) opened, {expired} expired")
