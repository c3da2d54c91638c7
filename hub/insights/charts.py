"""Server-rendered SVG charts (SPEC I4): no script, no inline style, so the strict CSP
(`style-src 'self'`) holds; geometry goes in presentation attributes, colours in classes from
static/css/hub.css (`.chart-*`). Each chart is an `<svg role="img">` named by its `<title>` and
described by its `<desc>`; the page shows the same numbers in a table beside it
(templates/insights/_charts.html `figure`), which is what screen readers and CSV export use.

Labels and titles are escaped here: callers pass plain (translated) strings and numbers.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 200
VALUE_WIDTH = 90
PLOT_HEIGHT = 220
MARGIN = 36


@dataclass(frozen=True)
class Series:
    """One line of a line chart: its name and one value (or None: no data) per label."""
    name: str
    values: Sequence[float | None]


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _head(chart_id: str, title: str, description: str, width: int, height: int) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" id="{cid}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
    ]


def bar_chart(*, chart_id: str, title: str, description: str, labels: Sequence[str],
              values: Sequence[float], value_text: Callable[[float], str] = _number,
              marks: Sequence[tuple[float, str]] = ()) -> Markup:
    """Horizontal bars, one per label, scaled to the largest value (negative values draw as zero
    length but keep their text). `marks`: (value, label) reference lines, e.g. a target share."""
    if len(labels) != len(values):
        raise ValueError("one value per label")
    height = MARGIN + len(labels) * (BAR_HEIGHT + GAP) + (GAP if marks else 0)
    top = max([*values, *(m for m, _ in marks), 0]) or 1
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    out = _head(chart_id, title, description, WIDTH, height)
    for i, (label, value) in enumerate(zip(labels, values)):
        y = MARGIN // 2 + i * (BAR_HEIGHT + GAP)
        length = max(0.0, value) / top * plot
        out.append(f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT * 0.7:.1f}" '
                   f'text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect class="chart-bar chart-bar-{i % 6}" x="{LABEL_WIDTH}" y="{y}" '
                   f'width="{length:.1f}" height="{BAR_HEIGHT}"/>')
        out.append(f'<text class="chart-value" x="{LABEL_WIDTH + length + 6:.1f}" '
                   f'y="{y + BAR_HEIGHT * 0.7:.1f}">{escape(value_text(value))}</text>')
    bottom = MARGIN // 2 + len(labels) * (BAR_HEIGHT + GAP)
    for value, label in marks:
        x = LABEL_WIDTH + value / top * plot
        out.append(f'<line class="chart-mark" x1="{x:.1f}" y1="{MARGIN // 4}" x2="{x:.1f}" y2="{bottom}"/>')
        out.append(f'<text class="chart-mark-label" x="{x:.1f}" y="{bottom + GAP + 4}" '
                   f'text-anchor="middle">{escape(label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def line_chart(*, chart_id: str, title: str, description: str, labels: Sequence[str],
               series: Sequence[Series], value_text: Callable[[float], str] = _number) -> Markup:
    """Lines over periods (x: labels in order), a shared y scale from zero, a point and a value
    at each known value, the series names in a legend under the plot."""
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError("one value per label in every series")
    known = [v for s in series for v in s.values if v is not None]
    top = max([*known, 0]) or 1
    left, right = 56, 16
    plot_w = WIDTH - left - right
    legend_h = 20 * len(series)
    height = MARGIN + PLOT_HEIGHT + 28 + legend_h
    out = _head(chart_id, title, description, WIDTH, height)
    base = MARGIN // 2 + PLOT_HEIGHT
    out.append(f'<line class="chart-axis" x1="{left}" y1="{base}" x2="{WIDTH - right}" y2="{base}"/>')
    out.append(f'<text class="chart-value" x="{left - 6}" y="{MARGIN // 2 + 4}" text-anchor="end">'
               f'{escape(value_text(top))}</text>')
    out.append(f'<text class="chart-value" x="{left - 6}" y="{base}" text-anchor="end">{escape(value_text(0))}</text>')
    step = plot_w / max(1, len(labels) - 1)
    for i, label in enumerate(labels):
        x = left + (i * step if len(labels) > 1 else plot_w / 2)
        out.append(f'<text class="chart-label" x="{x:.1f}" y="{base + 18}" text-anchor="middle">{escape(label)}</text>')
    for n, s in enumerate(series):
        points = []
        for i, value in enumerate(s.values):
            if value is None:
                continue
            x = left + (i * step if len(labels) > 1 else plot_w / 2)
            y = base - max(0.0, value) / top * PLOT_HEIGHT
            points.append((x, y, value))
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            out.append(f'<polyline class="chart-line chart-line-{n % 6}" points="{path}"/>')
        for x, y, value in points:
            out.append(f'<circle class="chart-point chart-line-{n % 6}" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
                       f'<title>{escape(s.name)}: {escape(value_text(value))}</title></circle>')
        ly = base + 40 + n * 20
        out.append(f'<rect class="chart-bar chart-bar-{n % 6}" x="{left}" y="{ly - 10}" width="14" height="10"/>')
        out.append(f'<text class="chart-label" x="{left + 20}" y="{ly}">{escape(s.name)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
