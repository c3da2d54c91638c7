"""Rewards pages: plain and htmx, who may see what, the manager's actions."""
import re
from datetime import date

from sqlalchemy import select

from hub.extensions import db
from hub.rewards.models import APPROVED, PAID, CommissionLine, PeriodStat, TierState

from .conftest import url, win


def test_dashboard_shows_tier_points_and_next_tier(client, login, world, badges_loaded):
    win(world.org_a, world.a_member, amount=1_000_000_00)
    login(world.a_member)
    page = client.get(url("rewards.index")).get_data(as_text=True)
    assert "Bronze" in page and "What you need for Silver" in page
    assert re.search(r'<span class="stat-value">100</span>\s*<span class="stat-label">Points', page)  # the won deal
    assert "First deal won" in page  # the badge
    assert "Commission owed" not in page  # members do not see money


def test_home_page_has_the_rewards_panel(client, login, world):
    win(world.org_a, world.a_member)
    login(world.a_admin)
    page = client.get(url("core.home")).get_data(as_text=True)
    assert "Rewards" in page and "Commission owed" in page


def test_leaderboard_plain_and_htmx_with_viewer_highlighted(client, login, world):
    win(world.org_a, world.a_member, amount=5_00, closed_on=date.today())
    win(world.org_b, world.b_member, amount=9_00, closed_on=date.today())
    login(world.a_member)
    page = client.get(url("rewards.leaderboard", period="all")).get_data(as_text=True)
    assert "<form" in page and page.index("Beta Distribution") < page.index("Alpha Integration")
    assert 'class="viewer"' in page
    fragment = client.get(url("rewards.leaderboard", period="all"), headers={"HX-Request": "true", "HX-Target": "board"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<form" not in text and 'id="board"' in text
    filtered = client.get(url("rewards.leaderboard", period="all", partner_type="distributor")).get_data(as_text=True)
    assert "Beta Distribution" in filtered and "Alpha Integration (you)" not in filtered
    assert "no results in this selection" in filtered


def test_tier_page_is_private_to_the_organisation(client, login, world):
    login(world.a_member)
    assert client.get(url("rewards.tier", org_id=world.org_a.id)).status_code == 200
    assert client.get(url("rewards.tier", org_id=world.org_b.id)).status_code == 404
    assert client.get(url("rewards.tier", org_id=world.vendor.id)).status_code == 404
    assert client.post(url("rewards.override", org_id=world.org_a.id), data={}).status_code == 403


def test_statement_for_partner_admins_and_managers_only(client, login, world):
    win(world.org_a, world.a_member, amount=100_000_00)
    win(world.org_b, world.b_member, amount=300_000_00)
    login(world.a_member)
    assert client.get(url("rewards.statement", org_id=world.org_a.id)).status_code == 403
    login(world.a_admin)
    page = client.get(url("rewards.statement", org_id=world.org_a.id)).get_data(as_text=True)
    assert '<td class="num nowrap">RUB\u00a020,000</td>' in page  # 20 % of 100,000 at Bronze
    assert "SPIFF" in page and "Approve" not in page
    assert client.get(url("rewards.statement", org_id=world.org_b.id)).status_code == 404
    assert client.get(url("rewards.statement_csv", org_id=world.org_b.id)).status_code == 404
    csv = client.get(url("rewards.statement_csv", org_id=world.org_a.id)).get_data(as_text=True)
    assert csv.splitlines()[0] == ("\ufeffLine,Won on,Period,Rule,Description,Deal,Tier,Product,\"Base, RUB\","
                                   "\"Rate, %\",\"Amount, RUB\",Status,Recorded on,Approved on,Paid on")
    assert ",2026-04-10,,Commission on Kvant CRM," in csv
    assert ",Bronze,Kvant CRM,100000.00,20,20000.00,owed," in csv and ",50000.00,owed," in csv
    fragment = client.get(url("rewards.statement", org_id=world.org_a.id, status="owed"),
                          headers={"HX-Request": "true", "HX-Target": "lines"}).get_data(as_text=True)
    assert 'id="lines"' in fragment and "<h1" not in fragment
    assert client.post(url("rewards.line_action", org_id=world.org_a.id),
                       data={"line_id": "1", "action": APPROVED}).status_code == 403


def test_manager_approves_and_pays_a_line(client, login, world):
    win(world.org_a, world.a_member)
    line = db.session.scalar(select(CommissionLine).where(CommissionLine.rule == "commission"))
    login(world.manager)
    assert "Alpha Integration" in client.get(url("rewards.index")).get_data(as_text=True)
    response = client.post(url("rewards.line_action", org_id=world.org_a.id),
                           data={"line_id": str(line.id), "action": APPROVED})
    assert response.status_code == 303
    response = client.post(url("rewards.line_action", org_id=world.org_a.id),
                           data={"line_id": str(line.id), "action": PAID}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Location"]
    db.session.refresh(line)
    assert line.status == PAID
    # Another organisation's id in the URL changes nothing.
    other = client.post(url("rewards.line_action", org_id=world.org_b.id),
                        data={"line_id": str(line.id), "action": APPROVED}, follow_redirects=True)
    assert "no longer" in other.get_data(as_text=True)
    bad = client.post(url("rewards.line_action", org_id=world.org_a.id), data={"line_id": "x", "action": "steal"})
    assert bad.status_code == 422


def test_manager_override_validates_and_saves(client, login, world):
    login(world.manager)
    response = client.post(url("rewards.override", org_id=world.org_a.id),
                           data={"tier": "gold", "until": "2020-01-01", "reason": ""})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Give a reason for the override." in text
    override = select(TierState.override_tier).where(TierState.organisation_id == world.org_a.id)
    assert db.session.scalar(override) is None  # no state row, or one without an override
    response = client.post(url("rewards.override", org_id=world.org_a.id),
                           data={"tier": "gold", "until": "2099-12-31", "reason": "Launch partner"})
    assert response.status_code == 303
    db.session.refresh(world.org_a)
    assert world.org_a.tier == "gold"
    page = client.get(url("rewards.tier", org_id=world.org_a.id)).get_data(as_text=True)
    assert "Launch partner" in page


def test_badges_page(client, login, world, badges_loaded):
    win(world.org_a, world.a_member)
    login(world.a_member)
    page = client.get(url("rewards.badge_list")).get_data(as_text=True)
    assert "Five deals won" in page and "Earned on" in page
    image = client.get("/static/img/badges/first-deal.svg")
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    image.close()


def test_leaderboard_query_count_does_not_grow(client, login, world, count_queries):
    from tests import factories
    login(world.a_member)

    def measure():
        with count_queries() as counter:
            assert client.get(url("rewards.leaderboard", period="all")).status_code == 200
        return counter.count

    for i in range(3):
        win(factories.create_org(), amount=1_000 + i)
    few = measure()
    for i in range(30):
        win(factories.create_org(), amount=5_000 + i)
    win(world.org_a, amount=1)  # the viewer, outside the top 20
    assert measure() <= few + 3  # + the viewer's own row and rank


def test_home_page_query_count_is_bounded(client, login, world, count_queries):
    login(world.a_admin)
    win(world.org_a, world.a_member)
    client.get(url("core.home"))
    db.session.expire_all()  # as in a fresh request: nothing cached in the identity map
    with count_queries() as before:
        client.get(url("core.home"))
    for _ in range(10):
        win(world.org_a, world.a_member)
    db.session.expire_all()
    with count_queries() as after:
        client.get(url("core.home"))
    assert after.count == before.count


def test_badges_on_profile_team_and_organisation_pages(client, login, world, badges_loaded):
    from tests.rewards.conftest import certificate_ns, certified
    win(world.org_a, world.a_member)
    certified(certificate_ns(world.a_member))
    login(world.a_member)
    profile = client.get(url("accounts.profile")).get_data(as_text=True)
    assert "Your badges" in profile and "First certificate" in profile
    login(world.a_admin)
    team = client.get(url("accounts.team")).get_data(as_text=True)
    assert "First deal won" in team
    login(world.manager)
    page = client.get(url("accounts.organisation", org_id=world.org_a.id)).get_data(as_text=True)
    assert "First deal won" in page


def test_home_panel_shows_the_ttfd_countdown_when_onboarding_exists(client, login, world):
    from hub import facts
    login(world.a_member)
    assert "Days left to win your first deal" not in client.get(url("core.home")).get_data(as_text=True)
    saved = dict(facts._PROVIDERS)
    facts._PROVIDERS["onboarding_status"] = lambda org_id, now: {
        "started_at": now, "deadline": now, "days_left": 41, "first_deal_at": None, "steps": []}
    try:
        page = client.get(url("core.home")).get_data(as_text=True)
    finally:
        facts._PROVIDERS.clear()
        facts._PROVIDERS.update(saved)
    assert re.search(r'<span class="stat-value">41</span>\s*<span class="stat-label">Days left to win your first deal', page)
