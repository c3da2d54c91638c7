"""Each KPI's arithmetic on the hand-built data set (conftest.data), per relationship type and partner
type, never summed into one column; periods; the read model's idempotency and replay."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hub import signals
from hub.domain_events.models import EventDelivery
from hub.domain_events import outbox
from hub.extensions import db
from hub.insights.kpis import services
from hub.insights.kpis.models import KpiFact, KpiPartner
from hub.recruitment.models import Cost

from .conftest import NOW, RUB, at, feed, submitted, won

Q3 = services.parse_period("quarter", "2026-Q3", NOW)


def test_every_kpi_per_relationship_type(data):
    table = services.kpi_table(Q3, "segment", NOW)
    assert table.groups == ["referral", "sales", "strategic"]  # no "all" column, ever
    v = table.values
    assert v["partners"] == {"referral": 2, "sales": 5, "strategic": 1}
    assert v["signed"] == {"referral": 1, "sales": 0, "strategic": 0}
    assert v["activity"] == {"referral": Decimal("100.0"), "sales": Decimal("20.0"), "strategic": Decimal("0.0")}
    # first deals in the quarter: 49 and 81 days (referral), 221 days (sales)
    assert v["ttfd_median"] == {"referral": Decimal("65.0"), "sales": Decimal("221.0"), "strategic": None}
    assert v["ttfd_share"] == {"referral": Decimal("50.0"), "sales": Decimal("0.0"), "strategic": None}
    assert v["won"] == {"referral": 1, "sales": 2, "strategic": 0}
    assert v["revenue"] == {"referral": 1_000_000 * RUB, "sales": 6_000_000 * RUB, "strategic": 0}
    assert v["average_deal"] == {"referral": 1_000_000 * RUB, "sales": 3_000_000 * RUB, "strategic": None}
    assert v["arpp"] == {"referral": 500_000 * RUB, "sales": 1_200_000 * RUB, "strategic": 0}
    assert v["large_share"] == {"referral": Decimal("0.0"), "sales": Decimal("50.0"), "strategic": None}
    assert v["nps"] == {"referral": Decimal("100.0"), "sales": Decimal("0.0"), "strategic": None}
    # key partners that won last quarter: Gold (won again) and Platinum (did not)
    assert v["key_retention"] == {"referral": None, "sales": Decimal("50.0"), "strategic": None}
    assert v["mdf_approved"]["sales"] == 200_000 * RUB and v["mdf_paid"]["sales"] == 100_000 * RUB
    assert v["mdf_utilisation"]["sales"] == Decimal("50.0") and v["mdf_utilisation"]["referral"] is None
    assert v["mdf_roi"]["sales"] == Decimal("50.0")  # 5 000 000 won by the MDF partner / 100 000 paid
    assert v["attendances"] == {"referral": 0, "sales": 0, "strategic": 2}
    assert v["attending_share"]["strategic"] == Decimal("100.0")


def test_key_partner_view_per_relationship_type(data):
    table = services.kpi_table(Q3, "segment", NOW)
    sales = table.concentration["sales"]
    assert sales["top20_share"] == Decimal("83.3") and sales["top_count"] == 1  # 5 of 6 million
    assert (sales["make80"], sales["make80_share"]) == (1, Decimal("20.0"))
    assert table.concentration["strategic"]["top20_share"] is None  # no revenue: nothing to concentrate
    assert table.tiers["sales"]["silver"] == (2, Decimal("40.0"))
    assert table.tiers["sales"]["platinum"] == (1, Decimal("20.0"))
    assert services.in_guide("platinum", Decimal("20.0")) is False
    assert services.in_guide("silver", Decimal("16")) is True


def test_concentration_arithmetic():
    c = services.concentration([50, 30, 10, 5, 5], 10)
    assert c["top20_share"] == Decimal("80.0") and c["top_count"] == 2
    assert (c["make80"], c["make80_share"]) == (2, Decimal("20.0"))
    assert services.concentration([], 4)["top20_share"] is None


def test_per_partner_type_never_one_column(data):
    table = services.kpi_table(Q3, "partner_type", NOW)
    assert table.groups == ["integrator", "distributor", "agent", "dealer"]
    assert table.values["revenue"] == {"integrator": 1_000_000 * RUB, "distributor": 6_000_000 * RUB,
                                       "agent": 0, "dealer": 0}
    assert table.values["won"]["distributor"] == 2


def test_not_set_is_its_own_column(data):
    data.t1.segment = None
    db.session.commit()
    table = services.kpi_table(Q3, "segment", NOW)
    assert table.groups == ["referral", "sales", "strategic", None]
    assert table.values["attendances"] == {"referral": 0, "sales": 0, "strategic": 0, None: 2}


def test_cacp_is_program_wide_and_per_quarter(data):
    db.session.add_all([Cost(period="2026-Q3", campaign="A", amount_kopecks=200_000 * RUB, note=""),
                        Cost(period="2026-Q3", campaign="B", amount_kopecks=100_000 * RUB, note=""),
                        Cost(period="2026-Q2", campaign="A", amount_kopecks=999 * RUB, note="")])
    db.session.commit()
    table = services.kpi_table(Q3, "segment", NOW)
    cacp = services.cacp(Q3, table, services.recruitment_costs())
    assert cacp["cost"] == 300_000 * RUB and cacp["signed"] == {"referral": 1, "sales": 0, "strategic": 0}
    assert cacp["cacp"] == 300_000 * RUB
    month = services.parse_period("month", "2026-07", NOW)
    assert services.cacp(month, services.kpi_table(month, "segment", NOW), services.recruitment_costs())["cacp"] is None
    year = services.parse_period("year", "2026", NOW)
    assert services.cacp(year, services.kpi_table(year, "segment", NOW), services.recruitment_costs())["cost"] == 300_999 * RUB


def test_month_and_year_periods(data):
    july = services.kpi_table(services.parse_period("month", "2026-07", NOW), "segment", NOW)
    assert july.values["revenue"]["sales"] == 5_000_000 * RUB and july.values["won"]["referral"] == 0
    year = services.kpi_table(services.parse_period("year", "2026", NOW), "segment", NOW)
    assert year.values["revenue"]["sales"] == 9_000_000 * RUB


def test_trend_over_time(data):
    trend = services.trend(Q3, "segment", NOW)
    assert [p.key for p in trend["periods"]][-3:] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert len(trend["periods"]) == services.TREND_POINTS["quarter"]
    assert trend["values"]["revenue"]["sales"][-2:] == [3_000_000 * RUB, 6_000_000 * RUB]
    assert trend["values"]["average_deal"]["sales"][-2] == 1_500_000 * RUB
    assert trend["values"]["nps"]["referral"][-1] == Decimal("100.0")
    assert trend["values"]["activity"]["sales"][-1] == Decimal("20.0")
    assert trend["values"]["key_retention"]["sales"][-1] == Decimal("50.0")  # every KPI, not only the charted
    assert trend["values"]["won"]["strategic"] == [0] * len(trend["periods"])


@pytest.mark.parametrize("kind, key", [("quarter", "2026-Q5"), ("month", "2026-13"), ("month", "26-01"),
                                       ("year", "1999"), ("year", "2027"), ("quarter", "2027-Q1"),
                                       ("week", ""), ("month", "2026-11x"), ("year", "0000")])
def test_bad_periods_are_refused(kind, key):
    with pytest.raises(services.PeriodError):
        services.parse_period(kind, key, NOW)


def test_periods():
    assert services.parse_period("quarter", "", NOW).key == "2026-Q4"
    assert services.parse_period("month", "2026-10", NOW).end == date(2026, 11, 1)
    assert services.parse_period("quarter", "2026-Q1", NOW).previous().key == "2025-Q4"
    assert [p.key for p in services.history(services.parse_period("year", "2001", NOW))] == ["2000", "2001"]


def test_a_delivery_twice_counts_once(data):
    before = db.session.scalar(select(func.count()).select_from(KpiFact))
    again = 777_001
    won(data.t1, at(2026, 9, 20), 4_000_000 * RUB, deal_id=again)
    won(data.t1, at(2026, 9, 20), 4_000_000 * RUB, deal_id=again)
    submitted(data.t1, at(2026, 9, 19), deal_id=again)
    submitted(data.t1, at(2026, 9, 19), deal_id=again)
    assert db.session.scalar(select(func.count()).select_from(KpiFact)) == before + 2
    table = services.kpi_table(Q3, "segment", NOW)
    assert table.values["won"]["strategic"] == 1 and table.values["revenue"]["strategic"] == 4_000_000 * RUB
    # the first deal stays the earliest seen, whatever order the registrations arrive in
    submitted(data.r1, at(2026, 9, 1))
    assert db.session.get(KpiPartner, data.r1.id).first_deal_at == at(2026, 7, 20)
    submitted(data.r1, at(2026, 7, 1))
    db.session.expire_all()
    assert db.session.get(KpiPartner, data.r1.id).first_deal_at == at(2026, 7, 1)


def test_events_reach_the_read_model_through_the_outbox_and_replay_rebuilds_it(app, world):
    signals.deal_lost.emit(deal_id=5, organisation_id=world.org_a.id, created_by_id=None, closed_on=date(2026, 9, 1),
                           reason=None, actor_id=None)
    signals.organisation_created.emit(organisation_id=world.org_b.id, slug="beta", kind="partner",
                                      partner_type="distributor", created_at=at(2026, 9, 2), actor_id=None)
    db.session.commit()
    kinds = sorted(db.session.scalars(select(KpiFact.kind)))
    assert kinds == ["lost", "signed"]
    # lose the read model (and its deliveries), then rebuild it from history
    db.session.execute(KpiFact.__table__.delete())
    db.session.execute(KpiPartner.__table__.delete())
    db.session.execute(EventDelivery.__table__.delete().where(EventDelivery.listener == "insights.kpis"))
    db.session.commit()
    assert outbox.replay("insights.kpis") == 2
    outbox.run_due()
    assert sorted(db.session.scalars(select(KpiFact.kind))) == ["lost", "signed"]
    assert outbox.replay("insights.kpis") == 0
    assert db.session.get(KpiPartner, world.org_b.id).signed_at == at(2026, 9, 2)


def test_vendor_organisations_are_not_partners(app, world):
    feed(signals.organisation_created, at(2026, 9, 2), organisation_id=world.vendor.id, slug="kvant", kind="vendor",
         partner_type=None, created_at=at(2026, 9, 2), actor_id=None)
    assert db.session.scalar(select(func.count()).select_from(KpiFact)) == 0


def test_weekly_moves(data):
    start, end = date(2026, 9, 1), date(2026, 9, 8)
    moves = services.weekly_moves(start, end)
    assert ("won", "sales", 0, 1) in moves and ("revenue", "sales", 0, 1_000_000 * RUB) in moves
    assert all(m[1] != "referral" or m[0] != "won" for m in moves)  # nothing moved for referral wins
    assert services.weekly_moves(date(2030, 1, 1), date(2030, 1, 8)) == []


def test_the_rules_section_is_validated(tmp_path):
    from hub.program import rules as program_rules
    from pathlib import Path
    text = Path("content/program.yml").read_text(encoding="utf-8")
    assert program_rules.load("content/program.yml").kpis.large_deal_kopecks == 3_000_000 * RUB
    bad = tmp_path / "program.yml"
    bad.write_text(text.replace("key_tiers: [platinum, gold]", "key_tiers: [diamond]"), encoding="utf-8")
    with pytest.raises(program_rules.RulesError, match="diamond"):
        program_rules.load(bad)
    bad.write_text(text.replace("large_deal_rub: 3000000", "large_deal_rub: lots"), encoding="utf-8")
    with pytest.raises(program_rules.RulesError, match="large_deal_rub"):
        program_rules.load(bad)
