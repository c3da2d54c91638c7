"""The MDF tick job (`flask --app hub tick`): the current quarter's allocation for every partner."""
from __future__ import annotations

from ...core.cli import tick_job
from . import services


@tick_job("mdf")
def mdf_job(echo) -> None:
    """Credit the quarter's allocation by tier (once per organisation and quarter, by unique key)."""
    echo(f"{services.credit_all()} MDF allocation(s) credited")
