"""The SVG charts: escaped, named for assistive technology, CSP-safe (no style or script), scaled."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from hub.insights.charts import Series, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_bar_chart_is_named_escaped_and_scaled():
    svg = bar_chart(chart_id="tiers", title="Tiers <b>", description="Share of partners per tier",
                    labels=["Platinum", "<script>x</script>"], values=[2, 8], value_text=lambda v: f"{v:g} %",
                    marks=[(3, "guide")])
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "tiers-title tiers-desc"
    assert root.find(f"{SVG}title").text == "Tiers <b>"
    assert "<script>" not in str(svg) and "&lt;script&gt;" in str(svg)
    assert "style=" not in str(svg)
    bars = [r for r in root.iter(f"{SVG}rect")]
    assert [float(b.get("width")) for b in bars] == [pytest.approx(350 * 2 / 8), pytest.approx(350)]
    assert [t.text for t in root.iter(f"{SVG}text")][:3] == ["Platinum", "2 %", "<script>x</script>"]
    assert root.find(f"{SVG}line").get("class") == "chart-mark"


def test_bar_chart_needs_one_value_per_label():
    with pytest.raises(ValueError):
        bar_chart(chart_id="x", title="t", description="d", labels=["a"], values=[1, 2])


def test_line_chart_skips_missing_values_and_names_each_point():
    svg = line_chart(chart_id="ttfd", title="Time to first deal", description="Median days per quarter",
                     labels=["Q1", "Q2", "Q3"], series=[Series("Sales", [40, None, 20]), Series("Referral", [10, 10, 10])])
    root = parse(svg)
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2
    assert len(lines[0].get("points").split()) == 2        # the missing quarter is no point
    points = root.findall(f"{SVG}circle")
    assert [p.find(f"{SVG}title").text for p in points][:2] == ["Sales: 40", "Sales: 20"]
    assert min(float(p.get("cy")) for p in points) == pytest.approx(18)   # the largest value tops the plot
