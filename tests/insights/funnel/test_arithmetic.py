"""Counts, conversion, median time in stage and stalled on a hand-built data set (through the read model's
own service calls), with referral, sales and strategic partners never added together."""
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from hub.insights.funnel import services
from hub.insights.funnel.services import Filters
from hub.program.rules import RulesError, load
from tests import factories

from .conftest import at, day

RULES_FILE = Path(__file__).resolve().parents[3] / "content" / "program.yml"


@pytest.fixture
def data(app, w):
    orgs = {}
    for name, segment, deal, win in (("Alpha", "sales", 10, 30), ("Bravo", "sales", 20, None),
                                     ("Charlie", "sales", 40, 50), ("Delta", "sales", None, None),
                                     ("Echo", "referral", 5, None)):
        org = factories.create_org(name, segment=segment, partner_type="dealer" if name == "Echo" else "integrator")
        services.record_signed(org.id, at(0))
        if deal is not None:
            services.record_first_deal(org.id, at(deal))
        if win is not None:
            services.record_win(900 + org.id, org.id, day(win), 100_000_00)
        orgs[name] = org
    for application_id, qualified, declined in ((1, 2, None), (2, 6, None), (3, None, None), (4, None, 1)):
        services.record_application(application_id, partner_type="agent", submitted_at=at(0))
        if qualified is not None:
            services.record_decision(application_id, "qualified", at(qualified), None)
        if declined is not None:
            services.record_decision(application_id, "declined", at(declined), None)
    from hub.extensions import db
    db.session.commit()
    return orgs


def stats_of(segment, filters=Filters()):
    part = next(p for p in services.by_segment(services.entries(filters)) if p.segment == segment)
    return {s.stage: (s.reached, s.now, s.conversion, s.median_days) for s in part.stats}


def test_counts_conversion_and_median_per_stage(data):
    sales = stats_of("sales")
    assert sales["applied"] == (0, 0, None, None)
    assert sales["onboarding"] == (4, 1, Decimal("75.0"), Decimal("20.0"))     # 3 of 4 registered: 10, 20, 40 days
    assert sales["first_deal"] == (3, 1, Decimal("66.7"), Decimal("15.0"))     # 2 of 3 won: 20 and 10 days
    assert sales["first_won"] == (2, 2, Decimal("0.0"), None)
    assert sales["expanding"] == (0, 0, None, None)
    applicants = stats_of(services.NO_SEGMENT)
    assert applicants["applied"] == (4, 1, Decimal("50.0"), Decimal("4.0"))    # 2 of 4 qualified: 2 and 6 days
    assert applicants["qualified"] == (2, 2, Decimal("0.0"), None)


def test_relationships_are_never_added_together(data):
    parts = services.by_segment(services.entries())
    assert [p.segment for p in parts] == ["referral", "sales", services.NO_SEGMENT]
    assert [p.stats[2].reached for p in parts] == [1, 4, 0]
    assert stats_of("referral")["onboarding"] == (1, 0, Decimal("100.0"), Decimal("5.0"))
    # Broken down by partner type, each type is still split by relationship.
    by_type = {(p.key, p.segment): p.stats[2].reached for p in services.by(services.entries(), "partner_type")}
    assert by_type == {("integrator", "sales"): 4, ("dealer", "referral"): 1, ("agent", services.NO_SEGMENT): 0}


def test_filters_narrow_the_entries(data):
    assert {e.name for e in services.entries(Filters(segment="referral"))} == {"Echo"}
    assert len(services.entries(Filters(segment=services.NO_SEGMENT))) == 4
    assert {e.name for e in services.entries(Filters(partner_type="dealer"))} == {"Echo"}
    assert len(services.entries(Filters(cohort="2026-01"))) == 5       # signed on 5 January; applicants have no cohort
    assert services.entries(Filters(cohort="2025-12")) == []
    cohorts = services.by(services.entries(), "cohort")
    assert [(p.key, p.segment, p.total) for p in cohorts] == [("2026-01", "referral", 1), ("2026-01", "sales", 4)]


def test_stalled_uses_the_rules_per_stage(data):
    found = {(s.entry.name or s.entry.application_id, s.stage, s.days) for s in services.stalled(services.entries(), at(100))}
    assert found == {(3, "applied", 100), (1, "qualified", 98), (2, "qualified", 94), ("Delta", "onboarding", 100),
                     ("Echo", "first_deal", 95)}
    # Bravo: 80 days with a first deal (limit 90); Alpha and Charlie won their first deal (limit 180).


def test_expanding_rule_arithmetic():
    wins = [(day(0), 1), (day(100), 1), (day(364), 1)]
    assert services.expanding_on(wins, 3, 0, 365) == day(364)
    assert services.expanding_on(wins, 3, 0, 364) is None           # day 0 is out of a 364-day window ending day 364
    assert services.expanding_on(wins, 0, 2, 365) == day(100)       # by revenue only
    assert services.expanding_on([], 1, 0, 365) is None


@pytest.mark.parametrize("cohort", ["2026-13", "2026-1", "26-01", "1999-12", "2026-01; drop", ""])
def test_bad_cohorts_are_refused(cohort):
    with pytest.raises(services.FunnelError):
        services.check_cohort(cohort)


def _refused(tmp_path, mutate) -> str:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    mutate(data["funnel"])
    path = tmp_path / "program.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load(path)
    return str(caught.value)


def test_the_rules_section_is_validated(app, tmp_path):
    assert "funnel" in str(_refused(tmp_path, lambda f: f.update(expanding_won_deals=0, expanding_revenue_rub=0)))
    assert "stalled_days" in _refused(tmp_path, lambda f: f["stalled_days"].update(expanded=3))
    assert "expanding_window_days" in _refused(tmp_path, lambda f: f.update(expanding_window_days=0))
    assert "stalled_days" in _refused(tmp_path, lambda f: f["stalled_days"].update(applied=-1))


def test_a_partner_without_a_relationship_is_kept_apart(data):
    org = factories.create_org("Nobody Set", segment=None)
    services.record_signed(org.id, at(1))
    from hub.extensions import db
    db.session.commit()
    parts = {p.segment: p.stats[2].reached for p in services.by_segment(services.entries())}
    assert parts == {"referral": 1, "sales": 4, services.UNSET: 1, services.NO_SEGMENT: 0}
    assert [e.name for e in services.entries(Filters(segment=services.UNSET))] == ["Nobody Set"]
