"""The Q&A tick job (`flask --app hub tick`): remind askers of unsolved threads, once per thread."""
from __future__ import annotations

from ...core.cli import tick_job
from . import services


@tick_job("qa")
def qa_job(echo) -> None:
    echo(f"{services.remind_unsolved()} unsolved-thread reminder(s)")
