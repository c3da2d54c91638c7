"""The public program page (G1) renders from the rules file, in the viewer's language."""
from __future__ import annotations

import re

from hub.extensions import db

EN = {"Accept-Language": "en"}
RU = {"Accept-Language": "ru"}


def text(response) -> str:
    return response.get_data(as_text=True)


def row(page: str, row_id: str) -> str:
    return re.search(rf'<tr id="{row_id}"[^>]*>.*?</tr>', page, re.S).group(0)


def test_public_without_login_with_value_proposition_and_call_to_action(client):
    response = client.get("/program", headers=EN)
    assert response.status_code == 200
    page = text(response)
    assert "<h1" in page and "Kvant Partner Program" in page
    assert "Sell the Kvant platform and earn on licences, implementation and support." in page
    assert "Up to 40 % of every licence, rising with your tier." in page  # a value point
    assert "Implementation and configuration" in page  # extra income
    assert "Our target: your first deal within 60 days of joining." in page  # TTFD
    assert re.search(r'<a class="button" href="/recruitment/apply">Become a partner</a>', page)


def test_tier_table_shows_thresholds_benefits_mdf_and_share(client):
    page = text(client.get("/program", headers=EN))
    gold = row(page, "tier-gold")
    assert "Gold" in gold
    assert "from RUB\u00a015,000,000" in gold  # 12-month revenue
    assert ">4<" in gold  # certified people
    assert "from 8" in gold  # quality
    assert "RUB\u00a0500,000" in gold  # MDF per quarter
    assert "Dedicated channel manager" in gold and "Leads from the vendor" in gold
    assert "7–10 % of partners" in gold
    assert "no minimum" in row(page, "tier-bronze")
    assert "from 8.5" in row(page, "tier-platinum")


def test_commission_table_and_the_other_rules(client):
    page = text(client.get("/program", headers=EN))
    crm = re.search(r"<tr>\s*<th scope=\"row\">Kvant CRM</th>.*?</tr>", page, re.S).group(0)
    assert re.findall(r">([\d.]+%)<", crm) == ["20%", "25%", "32%", "40%"]
    assert "RUB\u00a036,000" in crm
    bi = re.search(r"<tr>\s*<th scope=\"row\">Kvant Analytics</th>.*?</tr>", page, re.S).group(0)
    assert re.findall(r">([\d.]+%)<", bi) == ["15%", "20%", "27%", "35%"]
    assert "90 days from approval" in page
    assert "One extension of 30 days" in page
    assert "within 48 hours" in page
    assert "Kaliningrad region: exclusive to one partner until" in page
    assert "baltic-integration" not in page, "the territory holder is not named in public"
    assert "RUB\u00a050,000" in page  # SPIFF
    retro = re.search(r'<table class="retro-table">.*?</table>', page, re.S).group(0)
    assert "from RUB\u00a05,000,000" in retro and "2%" in retro
    assert "from RUB\u00a015,000,000" in retro and "4%" in retro
    points = re.search(r'<table class="points-table">.*?</table>', page, re.S).group(0)
    assert re.search(r"Deal won</th><td class=\"num\">100<", points)
    assert re.search(r"Event attended \(events in the hub are coming\)</th><td class=\"num\">20<", points)


def test_russian_page_uses_the_russian_texts_and_formats(client):
    page = text(client.get("/program", headers=RU))
    assert 'lang="ru"' in page
    assert "Партнёрская программа «Квант»" in page
    assert "Персональный менеджер канала" in page
    assert "Золото" in page and "Квант CRM" in page
    assert "32\u00a0%" in page
    assert "15\u00a0000\u00a0000\u00a0₽" in page
    assert "8,5" in row(page, "tier-platinum")


def test_the_page_follows_the_rules_file(app_with_rules, client):
    def change(data):
        data["commissions"]["crm"]["gold"] = 33.5
        data["tiers"][1]["mdf_quarter_rub"] = 175000
        data["tiers"][1]["name"]["en"] = "Sterling"
        data["deals"]["protection_days"] = 120
        data["spiff"]["first_deal_rub"] = 75000
    app_with_rules(change)
    page = text(client.get("/program", headers=EN))
    crm = re.search(r"<tr>\s*<th scope=\"row\">Kvant CRM</th>.*?</tr>", page, re.S).group(0)
    assert re.findall(r">([\d.]+%)<", crm) == ["20%", "25%", "33.5%", "40%"]
    silver = row(page, "tier-silver")
    assert "Sterling" in silver and "RUB\u00a0175,000" in silver
    assert "<dd>120 days from approval" in page
    assert "<dd>90 days from approval" not in page
    spiff = re.search(r'<span class="stat-value">([^<]+)</span>', page).group(1)
    assert spiff == "RUB\u00a075,000"


def test_a_partner_sees_its_own_tier_highlighted(client, world, login):
    world.org_a.tier = "gold"
    db.session.commit()
    login(world.a_member)
    page = text(client.get("/program", headers=EN))
    assert "Your organisation Alpha Integration is at Gold tier." in page
    gold = row(page, "tier-gold")
    assert "is-own" in gold and "(your tier)" in gold
    assert "(your tier)" not in row(page, "tier-silver")
    assert re.search(r'<th scope="col" class="num is-own">Gold <strong class="own-mark">\(your tier\)', page)
    assert "Become a partner" not in page
    # the calculator starts at the partner's own tier
    assert re.search(r'<option selected value="gold">|<option value="gold" selected>', page)


def test_a_manager_sees_no_tier_highlight(client, world, login):
    login(world.manager)
    page = text(client.get("/program", headers=EN))
    assert "(your tier)" not in page and "is-own" not in page


def test_the_page_makes_a_bounded_number_of_queries(client, world, login, count_queries):
    from .test_loader import PAGES_DIR, load_pages_from
    load_pages_from(PAGES_DIR)
    login(world.a_member)
    with count_queries() as counter:
        page = text(client.get("/program", headers=EN))
    assert "How deal registration works" in page
    assert counter.count <= 4, counter.statements
