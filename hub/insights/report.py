"""The managers' weekly report (issue 14 point 6) is assembled from sections that each insights
sub-feature (and any other feature) registers at import time, so the report's owner
(`insights.funnel`) never imports another feature's internals:

    from hub.insights.report import ReportSection, weekly_section

    @weekly_section("insights.kpis.moved", order=20)
    def kpis_that_moved(week_start: date, week_end: date) -> ReportSection | None:
        return ReportSection(title=_l("KPIs that moved"), headers=[...], rows=[[...], ...],
                             link_endpoint="kpis.index")

A section function runs a small, fixed number of queries over its own read model and returns None
when it has nothing to say that week. Rows are lists of plain strings, already formatted for the
reader's language (the report renders them in the page and in the e-mail alike).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class ReportSection:
    title: Any                      # a (lazy) translated string
    headers: list[Any]
    rows: list[list[str]]
    note: Any = None                # a sentence under the title, e.g. the definition or "nothing stalled"
    link_endpoint: str | None = None
    link_values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Registered:
    name: str
    order: int
    build: Callable[[date, date], ReportSection | None]


_SECTIONS: dict[str, _Registered] = {}


def weekly_section(name: str, *, order: int = 50):
    """Register build(week_start, week_end) -> ReportSection | None under a unique name."""
    def decorator(func):
        _SECTIONS[name] = _Registered(name, order, func)
        return func
    return decorator


def sections(week_start: date, week_end: date) -> list[ReportSection]:
    """The week's sections in order, those with nothing to say left out."""
    out = []
    for registered in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.name)):
        built = registered.build(week_start, week_end)
        if built is not None:
            out.append(built)
    return out
