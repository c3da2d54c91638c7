"""The MDF tick job (`flask --app hub tick`): the current quarter's allocation for every partner."""
from __future__ import annotations

from ...core.cli import tick_job
from . import claims, services


@tick_job("mdf")
def mdf_job(echo) -> None:
    """Credit the quarter's allocation by tier; release approved requests whose claim deadline passed
    unclaimed; expire what is left of ended quarters (once each, by key)."""
    credited = services.credit_all()
    released = claims.release_unclaimed()
    warned = services.warn_expiring()
    expired = services.expire_ended()
    echo(f"{credited} MDF allocation(s) credited, {warned} expiry notice(s), {expired} ended quarter(s) expired, "
         f"{released} unclaimed request(s) released")
