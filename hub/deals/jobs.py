"""Periodic deal jobs, run by `flask --app hub tick`."""
from __future__ import annotations

from ..core.cli import tick_job
from . import services


@tick_job("deals")
def expire_protection(echo) -> None:
    """Approved deals whose protection ended before today (program time zone) become expired."""
    count = services.expire_deals()
    echo(f"{count} deal(s) expired")
