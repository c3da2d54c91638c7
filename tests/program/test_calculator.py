"""The earnings calculator: arithmetic to the kopeck (services) and the page, plain and htmx (routes)."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from hub.program.rules import load
from hub.program.services import EarningsInput, estimate, percent_of, retro_step

RULES = load(Path(__file__).resolve().parents[2] / "content" / "program.yml")
RUB = 100  # kopecks


def test_twelve_crm_licences_at_silver():
    result = estimate(RULES, EarningsInput(product="crm", tier="silver", licences=12, deals_per_year=4,
                                           first_deal=True))
    assert result.deal_amount_kopecks == 432_000 * RUB  # 12 × 36 000 ₽
    assert result.percent == Decimal(25)
    assert result.commission_per_deal_kopecks == 108_000 * RUB
    assert result.commission_per_year_kopecks == 432_000 * RUB
    assert result.spiff_kopecks == 50_000 * RUB
    assert result.yearly_revenue_kopecks == 1_728_000 * RUB
    assert result.quarter_revenue_kopecks == 432_000 * RUB
    assert result.retro_percent == 0 and result.retro_per_year_kopecks == 0
    assert result.next_retro.percent == Decimal(2)
    assert result.to_next_retro_kopecks == 4_568_000 * RUB
    assert result.implementation_per_year_kopecks == 0
    assert result.total_kopecks == 482_000 * RUB


def test_large_deals_reach_the_top_retro_step_with_implementation():
    result = estimate(RULES, EarningsInput(product="servicedesk", tier="platinum", licences=250, deals_per_year=12,
                                           implementation_kopecks=500_000 * RUB, first_deal=True))
    assert result.deal_amount_kopecks == 6_000_000 * RUB
    assert result.commission_per_deal_kopecks == 2_100_000 * RUB  # 35 %
    assert result.commission_per_year_kopecks == 25_200_000 * RUB
    assert result.quarter_revenue_kopecks == 18_000_000 * RUB
    assert result.retro_percent == Decimal(4)
    assert result.retro_per_quarter_kopecks == 720_000 * RUB
    assert result.retro_per_year_kopecks == 2_880_000 * RUB
    assert result.next_retro is None and result.to_next_retro_kopecks == 0
    assert result.implementation_per_year_kopecks == 6_000_000 * RUB
    assert result.total_kopecks == (25_200_000 + 50_000 + 2_880_000 + 6_000_000) * RUB


def test_deal_amount_with_kopecks_rounds_half_up_once_per_deal():
    result = estimate(RULES, EarningsInput(product="crm", tier="platinum", deal_amount_kopecks=123_456_789,
                                           licences=99, deals_per_year=3, implementation_kopecks=300_000 * RUB))
    assert result.licences is None, "a given amount wins over licences"
    assert result.commission_per_deal_kopecks == 49_382_716  # 1 234 567,89 ₽ × 40 % = 493 827,156 ₽
    assert result.commission_per_year_kopecks == 148_148_148
    assert result.quarter_revenue_kopecks == Decimal("92592591.75")
    assert result.quarter_revenue_rounded_kopecks == 92_592_592
    assert result.retro_per_year_kopecks == 0
    assert result.spiff_kopecks == 0
    assert result.total_kopecks == 148_148_148 + 90_000_000


@pytest.mark.parametrize("deal_amount, tier, retro_percent, retro_year", [
    (5_000_000 * RUB - 1, "bronze", Decimal(0), 0),  # one kopeck short of the first step each quarter
    (5_000_000 * RUB, "bronze", Decimal(2), 400_000 * RUB),  # exactly the first step
    # just below the second: 2 % of 14 999 999,99 ₽ is 299 999,9998 ₽, rounded to 300 000,00 ₽ a quarter
    (15_000_000 * RUB - 1, "bronze", Decimal(2), 1_200_000 * RUB),
    (15_000_000 * RUB, "bronze", Decimal(4), 2_400_000 * RUB),  # exactly the second
])
def test_retro_step_boundaries(deal_amount, tier, retro_percent, retro_year):
    # four deals a year: each quarter's revenue equals one deal
    result = estimate(RULES, EarningsInput(product="crm", tier=tier, deal_amount_kopecks=deal_amount,
                                           deals_per_year=4))
    assert result.quarter_revenue_kopecks == deal_amount
    assert result.retro_percent == retro_percent
    assert result.retro_per_year_kopecks == retro_year
    assert result.total_kopecks == result.commission_per_year_kopecks + retro_year


def test_the_retro_bonus_is_rounded_per_quarter():
    # 20 000 001 ₽ a year: 5 000 000,25 ₽ a quarter, 2 % of it is 100 000,005 ₽ -> 100 000,01 ₽
    result = estimate(RULES, EarningsInput(product="crm", tier="bronze", deal_amount_kopecks=2_000_000_100,
                                           deals_per_year=1))
    assert result.quarter_revenue_kopecks == 500_000_025
    assert result.retro_per_quarter_kopecks == 10_000_001
    assert result.retro_per_year_kopecks == 40_000_004
    assert result.commission_per_year_kopecks == 400_000_020


def test_percent_of_and_retro_step():
    assert percent_of(50, Decimal(27)) == 14  # 13.5 -> 14
    assert percent_of(1, Decimal(50)) == 1  # 0.5 -> 1
    assert percent_of(3, Decimal("27.5")) == 1  # 0.825 -> 1
    assert percent_of(0, Decimal(40)) == 0
    assert retro_step(RULES, 0) is None
    assert retro_step(RULES, 15_000_000 * RUB).percent == Decimal(4)


@pytest.mark.parametrize("data, problem", [
    (dict(product="erp", tier="gold", licences=1, deals_per_year=1), "unknown product"),
    (dict(product="crm", tier="diamond", licences=1, deals_per_year=1), "unknown tier"),
    (dict(product="crm", tier="gold", licences=0, deals_per_year=1), "licences"),
    (dict(product="crm", tier="gold", deals_per_year=1), "licences"),
    (dict(product="crm", tier="gold", licences=1, deals_per_year=0), "deals_per_year"),
    (dict(product="crm", tier="gold", deal_amount_kopecks=0, deals_per_year=1), "amount"),
    (dict(product="crm", tier="gold", licences=1, deals_per_year=1, implementation_kopecks=-1), "implementation"),
])
def test_the_service_refuses_nonsense(data, problem):
    with pytest.raises(ValueError, match=problem):
        estimate(RULES, EarningsInput(**data))


# --- routes ---------------------------------------------------------------------------------------

QUERY = {"product": "crm", "tier": "silver", "licences": "12", "deals_per_year": "4", "first_deal": "y"}
EN = {"Accept-Language": "en"}
HTMX = {"HX-Request": "true", "HX-Target": "calc-result", "Accept-Language": "en"}


def text(response) -> str:
    return response.get_data(as_text=True)


def test_plain_get_with_a_query_is_a_full_page_with_the_result(client):
    response = client.get("/program/calculator", query_string=QUERY, headers=EN)
    assert response.status_code == 200
    page = text(response)
    assert "<html" in page and "<form" in page and 'type="submit"' in page
    assert "Your estimated income in a year: RUB\u00a0482,000" in page
    assert "12 licences × RUB\u00a036,000 × 25%" in page
    assert "RUB\u00a0108,000 × 4 deals" in page
    assert "RUB\u00a050,000" in page
    # the form keeps what was typed, for a reload or a shared link
    assert re.search(r'<input[^>]*id="licences"[^>]*value="12"', page)
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_gets_only_the_result_block(client):
    response = client.get("/program/calculator", query_string=QUERY, headers=HTMX)
    assert response.status_code == 200
    block = text(response)
    assert "<html" not in block and "<form" not in block
    assert "RUB\u00a0482,000" in block
    assert "HX-Request" in response.headers["Vary"]
    # the error places next to the fields are cleared out of band
    assert re.search(r'<p class="error" id="licences-error" hidden hx-swap-oob="true">', block)


def test_russian_formats_money_and_percent(client):
    page = text(client.get("/program/calculator", query_string=QUERY, headers={"Accept-Language": "ru"}))
    assert "108\u00a0000\u00a0₽" in page
    assert "25\u00a0%" in page


def test_the_program_page_embeds_the_live_calculator(client):
    page = text(client.get("/program", headers=EN))
    form = re.search(r"<form[^>]*calculator-form[^>]*>", page, re.S).group(0)
    assert 'method="get"' in form and 'action="/program/calculator"' in form
    assert 'hx-get="/program/calculator"' in form
    assert 'hx-trigger="input changed delay:300ms, change, submit"' in form
    assert 'hx-target="#calc-result"' in form and 'hx-push-url="true"' in form
    assert 'id="calc-result"' in page
    # the defaults already show a result: 10 CRM licences a deal, 4 deals, first deal, Bronze
    assert "Your estimated income in a year: RUB\u00a0338,000" in page  # 288 000 + 50 000


@pytest.mark.parametrize("headers", [EN, HTMX], ids=["plain", "htmx"])
@pytest.mark.parametrize("change, field, message", [
    ({"licences": "twelve"}, "licences", "Enter a whole number"),
    ({"licences": "0"}, "licences", "Must be at least 1."),
    ({"licences": "", "deal_amount": ""}, "licences", "Enter the number of licences or a deal amount."),
    ({"deals_per_year": "-3"}, "deals_per_year", "Enter a whole number"),
    ({"deals_per_year": "100000"}, "deals_per_year", "Must be at most 10 000."),
    ({"deal_amount": "1,234.5.6"}, "deal_amount", "Enter an amount in roubles"),
    ({"deal_amount": "10.555"}, "deal_amount", "Use at most two decimals (kopecks)."),
    # one money field for the hub: the deal limits of content/program.yml
    ({"deal_amount": "0.01"}, "deal_amount", "The amount must be at least RUB\u00a01,000."),
    ({"deal_amount": "9 999 999 999 999"}, "deal_amount", "The amount must be at most RUB\u00a010,000,000,000."),
    ({"implementation": "1e5"}, "implementation", "Enter an amount in roubles"),
    ({"implementation": "-5"}, "implementation", "Enter an amount in roubles"),
    ({"product": "erp"}, "product", "Not a valid choice"),
    ({"tier": "diamond"}, "tier", "Not a valid choice"),
])
def test_invalid_input_is_422_with_the_error_next_to_the_field(client, headers, change, field, message):
    response = client.get("/program/calculator", query_string={**QUERY, **change}, headers=headers)
    assert response.status_code == 422
    page = text(response)
    error = re.search(rf'<p class="error" id="{field}-error"[^>]*>([^<]*)</p>', page)
    assert error and message in error.group(1)
    assert "Your estimated income" not in page
    if headers is EN:
        # the field says it is invalid and points to its error
        field_html = re.search(rf'<(input|select)[^>]*id="{field}"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in field_html and f"{field}-error" in field_html
    else:
        assert 'hx-swap-oob="true"' in error.group(0)


def test_amounts_are_accepted_as_people_type_them(client):
    query = {**QUERY, "licences": "", "deal_amount": "1 500 000,50", "implementation": "300 000"}
    page = text(client.get("/program/calculator", query_string=query, headers=EN))
    # 1 500 000,50 ₽ × 25 % = 375 000,125 ₽ -> 375 000,13 ₽
    assert "RUB\u00a01,500,000.50 × 25%" in page
    assert "RUB\u00a0375,000.13" in page


def test_the_calculator_uses_the_rules_file(app_with_rules, client):
    app_with_rules(lambda d: d["commissions"]["crm"].update(silver=30))
    page = text(client.get("/program/calculator", query_string=QUERY, headers=EN))
    assert "12 licences × RUB\u00a036,000 × 30%" in page
    assert "RUB\u00a0129,600" in page
