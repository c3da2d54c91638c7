"""Walkthrough fixes on the rewards pages (issue 9 point 7): period names and headings in the
viewer's language, and the home tile that says "first deal won" only once a deal is won."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from hub import facts
from hub.rewards import services

from .conftest import url, win


@pytest.mark.parametrize("key, ru, en", [
    ("2026-12", "Декабрь 2026", "December 2026"),
    ("2026-05", "Май 2026", "May 2026"),
    ("2026-Q4", "IV квартал 2026", "Quarter IV 2026"),
    ("2026-Q1", "I квартал 2026", "Quarter I 2026"),
    ("2026", "2026", "2026"),
    ("all", "За всё время", "All time"),
])
def test_period_names(app, key, ru, en):
    assert services.period_label(key, "ru") == ru
    assert services.period_label(key, "en") == en


def test_leaderboard_heading_is_localized_and_never_first_zero(client, login, world):
    login(world.a_member)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    html = client.get(url("rewards.leaderboard", metric="points", period="all")).get_data(as_text=True)
    heading = html[html.index('id="board-heading"'):html.index("</h2>", html.index('id="board-heading"'))]
    assert "За всё время" in heading and "Баллы" in heading and ">all<" not in html
    assert "Первые 0" not in html and "Показаны" not in html


def test_leaderboard_heading_names_the_month(client, login, world):
    win(world.org_a, world.a_member, closed_on=services.program_date(datetime.now(timezone.utc)))
    login(world.a_member)
    html = client.get(url("rewards.leaderboard", metric="revenue", period="month")).get_data(as_text=True)
    month = services.period_label(services.period_key("month", services.program_date(datetime.now(timezone.utc))), "en")
    heading = html[html.index('id="board-heading"'):html.index("</h2>", html.index('id="board-heading"'))]
    assert f"Won revenue · {month}" in heading
    assert "The first 1 organisation." in html


def test_the_first_deal_tile_needs_a_won_deal_not_a_registered_one(client, login, world):
    saved = dict(facts._PROVIDERS)
    facts._PROVIDERS["onboarding_status"] = lambda org_id, now: {
        "started_at": now, "deadline": now, "days_left": 41, "first_deal_at": now, "steps": []}
    try:
        login(world.a_member)
        page = client.get(url("core.home")).get_data(as_text=True)
        assert "Days left to win your first deal" in page and "the first deal is done" not in page
        win(world.org_a, world.a_member)
        page = client.get(url("core.home")).get_data(as_text=True)
    finally:
        facts._PROVIDERS.clear()
        facts._PROVIDERS.update(saved)
    assert "Deal won: the first deal is done" in page and "Days left to win your first deal" not in page
