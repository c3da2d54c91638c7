from __future__ import annotations

from datetime import date

from hub.insights import report


def test_sections_come_in_order_and_empty_ones_are_left_out(monkeypatch):
    monkeypatch.setattr(report, "_SECTIONS", {})

    @report.weekly_section("b", order=20)
    def second(start, end):
        return report.ReportSection(title="B", headers=["x"], rows=[[str(end - start)]])

    @report.weekly_section("a", order=10)
    def first(start, end):
        return report.ReportSection(title="A", headers=["x"], rows=[["1"]])

    @report.weekly_section("quiet", order=5)
    def quiet(start, end):
        return None

    built = report.sections(date(2026, 11, 23), date(2026, 11, 30))
    assert [s.title for s in built] == ["A", "B"]
    assert built[1].rows == [["7 days, 0:00:00"]]
