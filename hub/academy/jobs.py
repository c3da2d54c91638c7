"""Periodic academy jobs, run by `flask --app hub tick`."""
from __future__ import annotations

from ..core.cli import tick_job
from . import services


@tick_job("academy-attempts")
def close_attempts(echo) -> None:
    """Open attempts past their time limit and grace are closed as failed."""
    echo(f"{services.close_overdue()} overdue attempt(s) closed")


@tick_job("academy-certificates")
def certificates(echo) -> None:
    """Expiry reminders 30 days ahead (in-app and e-mail, once) and expiries."""
    reminded, expired = services.certificate_jobs()
    echo(f"{reminded} reminder(s) sent, {expired} certificate(s) expired")
