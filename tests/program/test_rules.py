"""The program rules file (P5): broken copies are refused with the file, the key path and the problem."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from hub import create_app
from hub.deals import rules as deal_rules
from hub.program import rules as program_rules
from hub.program.rules import RulesError, load

from ..conftest import make_config

RULES_FILE = Path(__file__).resolve().parents[2] / "content" / "program.yml"


@pytest.fixture
def original() -> dict:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "program.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def refused(tmp_path: Path, data) -> RulesError:
    path = write(tmp_path, data)
    with pytest.raises(RulesError) as caught:
        load(path)
    error = caught.value
    assert str(path) in str(error), "the message names the file"
    return error


def test_the_shipped_file_is_valid_and_complete():
    rules = load(RULES_FILE)
    assert [t.code for t in rules.tiers] == ["bronze", "silver", "gold", "platinum"]
    assert {p.code for p in rules.products} == {"crm", "bi", "servicedesk"}
    assert len(rules.regions) == 10
    assert rules.rate("crm", "silver") == Decimal(25)
    assert rules.product("crm").licence_price_kopecks == 36_000_00
    assert rules.tier("platinum").mdf_quarter_kopecks == 1_500_000_00
    assert rules.tier("platinum").min_quality == Decimal("8.5")
    assert rules.spiff_first_deal_kopecks == 50_000_00
    assert [s.min_quarter_revenue_kopecks for s in rules.retro_bonuses] == [5_000_000_00, 15_000_000_00]
    assert rules.territories.exclusive_partner("kaliningrad", date(2027, 12, 31)) == "baltic-integration"
    assert rules.territories.exclusive_partner("kaliningrad", date(2028, 1, 1)) is None
    assert (rules.deals.amount_min_kopecks, rules.deals.amount_max_kopecks) == (1_000_00, 10_000_000_000_00)
    assert rules.deals.expected_close_max_days == 730


def test_the_deal_limits_are_optional(tmp_path, original):
    """A program.yml written before the limits existed still loads, with the defaults."""
    for key in ("amount_min_rub", "amount_max_rub", "expected_close_max_days"):
        original["deals"].pop(key)
    rules = load(write(tmp_path, original))
    assert (rules.deals.amount_min_kopecks, rules.deals.amount_max_kopecks, rules.deals.expected_close_max_days) == (
        deal_rules.DEFAULT_AMOUNT_MIN_KOPECKS, deal_rules.DEFAULT_AMOUNT_MAX_KOPECKS,
        deal_rules.DEFAULT_EXPECTED_CLOSE_MAX_DAYS)


@pytest.mark.parametrize("mutate, key, problem", [
    # a missing key
    (lambda d: d["deals"].pop("protection_days"), "deals.protection_days", "is missing"),
    (lambda d: d.pop("commissions"), "commissions", "is missing"),
    (lambda d: d["tiers"][2].pop("mdf_quarter_rub"), "tiers[2].mdf_quarter_rub", "is missing"),
    (lambda d: d["program"]["name"].pop("en"), "program.name.en", "non-empty text"),
    # a wrong type
    (lambda d: d["deals"].update(protection_days="ninety"), "deals.protection_days",
     "must be a whole number, got 'ninety'"),
    (lambda d: d["deals"].update(decision_sla_hours=4.5), "deals.decision_sla_hours", "must be a whole number"),
    (lambda d: d.update(products={"crm": 1}), "products", "must be a non-empty list"),
    (lambda d: d["tiers"][0].update(benefits="all of them"), "tiers[0].benefits", "must be a non-empty list"),
    (lambda d: d["commissions"].update(crm=[20, 25, 32, 40]), "commissions.crm", "must be a mapping"),
    (lambda d: d["commissions"]["bi"].update(gold="a lot"), "commissions.bi.gold", "must be a number, got 'a lot'"),
    # a tier missing, unknown or out of order
    (lambda d: d["tiers"].pop(2), "tiers", "tier 'gold' is missing"),
    (lambda d: d["tiers"][3].update(code="diamond"), "tiers", "tier 'platinum' is missing"),
    (lambda d: d["tiers"].reverse(), "tiers", "in that order"),
    (lambda d: d["commissions"]["crm"].pop("platinum"), "commissions.crm.platinum", "is missing"),
    # percent out of range
    (lambda d: d["commissions"]["crm"].update(gold=120), "commissions.crm.gold",
     "must be between 0 and 100, got 120"),
    (lambda d: d["retro_bonus"][0].update(percent=101), "retro_bonus[0].percent", "between 0 and 100"),
    (lambda d: d["commissions"]["bi"].update(bronze=-1), "commissions.bi.bronze", "between 0 and 100, got -1"),
    # unknown product in commissions, product without commissions
    (lambda d: d["commissions"].update(erp={"bronze": 1, "silver": 2, "gold": 3, "platinum": 4}),
     "commissions.erp", "names a product that is not in products"),
    (lambda d: d["commissions"].pop("bi"), "commissions.bi", "every product needs a rate per tier"),
    # a bad region in territories
    (lambda d: d["territories"][0].update(region="atlantis"), "territories[0].region",
     "is not one of the regions: 'atlantis'"),
    (lambda d: d["territories"][0].update(until="next year"), "territories[0].until", "must be a date"),
    (lambda d: d.update(territories={"kaliningrad": "x"}), "territories", "must be a list"),
    # negative or fractional money
    (lambda d: d["spiff"].update(first_deal_rub=-50000), "spiff.first_deal_rub", "must be at least 0, got -50000"),
    (lambda d: d["products"][0].update(licence_price_rub=-1), "products[0].licence_price_rub", "must be at least 0"),
    (lambda d: d["tiers"][1].update(mdf_quarter_rub=-150000), "tiers[1].mdf_quarter_rub", "must be at least 0"),
    (lambda d: d["products"][1].update(licence_price_rub=10.555), "products[1].licence_price_rub", "whole kopecks"),
    # thresholds going down from one tier to the next
    (lambda d: d["tiers"][2]["thresholds"].update(revenue_12m_rub=1000000), "tiers[2].thresholds.revenue_12m_rub",
     "must not be lower than the threshold of silver"),
    (lambda d: d["tiers"][3]["thresholds"].update(certified_people=3), "tiers[3].thresholds.certified_people",
     "must not be lower than the threshold of gold"),
    (lambda d: d["tiers"][3]["thresholds"].update(min_quality=7), "tiers[3].thresholds.min_quality",
     "must not be lower than the threshold of gold"),
    (lambda d: d["tiers"][2]["thresholds"].update(min_quality=11), "tiers[2].thresholds.min_quality",
     "between 0 and 10"),
    # retro-bonus steps that do not go up
    (lambda d: d["retro_bonus"][1].update(quarter_revenue_rub=5000000), "retro_bonus[1].quarter_revenue_rub",
     "must be higher than the step before it"),
    (lambda d: d["retro_bonus"][1].update(percent=1), "retro_bonus[1].percent", "higher than the percent"),
    # codes and duplicates, time zone, unknown keys
    (lambda d: d["products"].append(dict(d["products"][0])), "products", "code 'crm' appears twice"),
    (lambda d: d["regions"][0].update(code="moscow region"), "regions[0].code", "must be a code"),
    (lambda d: d["program"].update(timezone="Mars/Olympus"), "program.timezone", "not a known time zone"),
    (lambda d: d.update(teritories=[]), "teritories", "is not a known key"),
    (lambda d: d["points"].update(deal_won=-5), "points.deal_won", "must be at least 0"),
    (lambda d: d["program"].update(ttfd_target_days=0), "program.ttfd_target_days", "must be at least 1"),
    # the deal limits
    (lambda d: d["deals"].update(amount_min_rub=0), "deals.amount_min_rub", "must be more than zero"),
    (lambda d: d["deals"].update(amount_min_rub=0.001), "deals.amount_min_rub", "whole kopecks"),
    (lambda d: d["deals"].update(amount_max_rub=500), "deals.amount_max_rub", "higher than deals.amount_min_rub"),
    (lambda d: d["deals"].update(amount_max_rub=10**14), "deals.amount_max_rub", "must be at most 10000000000000"),
    (lambda d: d["deals"].update(amount_max_rub="a lot"), "deals.amount_max_rub", "must be a number"),
    (lambda d: d["deals"].update(expected_close_max_days=0), "deals.expected_close_max_days", "at least 1"),
    (lambda d: d["deals"].update(expected_close_max_days=5000), "deals.expected_close_max_days", "at most 3650"),
])
def test_a_broken_copy_names_the_key_and_the_problem(tmp_path, original, mutate, key, problem):
    mutate(original)
    error = refused(tmp_path, original)
    assert error.key == key
    assert problem in error.problem
    assert f": {key}: " in str(error)


def test_invalid_yaml_names_the_file_and_the_line(tmp_path):
    path = tmp_path / "program.yml"
    path.write_text(RULES_FILE.read_text(encoding="utf-8").replace("deals:\n", "deals: [\n", 1), encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load(path)
    assert str(path) in str(caught.value)
    assert "is not valid YAML" in str(caught.value)
    assert "line" in str(caught.value)


def test_a_file_that_is_not_a_mapping_or_is_missing(tmp_path):
    error = refused(tmp_path, ["a", "list"])
    assert error.key == "(top level)"
    with pytest.raises(RulesError, match="does not exist"):
        load(tmp_path / "nowhere.yml")


def test_the_app_refuses_to_start_with_a_broken_file(tmp_path, original, database_url, data_dir):
    original["commissions"]["crm"]["gold"] = 150
    path = write(tmp_path, original)
    with pytest.raises(RulesError) as caught:
        create_app(make_config(database_url, data_dir, PROGRAM_RULES=str(path)))
    assert str(caught.value) == f"{path}: commissions.crm.gold: must be between 0 and 100, got 150"


def test_a_file_broken_while_running_keeps_the_last_valid_rules(tmp_path, original, database_url, data_dir, caplog):
    import os
    path = write(tmp_path, original)
    app = create_app(make_config(database_url, data_dir, PROGRAM_RULES=str(path)))
    with app.app_context():
        assert program_rules.current().deals.protection_days == 90
        original["deals"]["protection_days"] = 60
        write(tmp_path, original)
        os.utime(path, (1, 1))
        assert program_rules.current().deals.protection_days == 60, "a changed file is read again"
        original["deals"]["protection_days"] = "sixty"
        write(tmp_path, original)
        os.utime(path, (2, 2))
        assert program_rules.current().deals.protection_days == 60
        assert "deals.protection_days" in caplog.text
