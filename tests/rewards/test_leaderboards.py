"""R4: order, ties, the viewer's row, filters and periods in program time."""
from datetime import date, datetime, timedelta, timezone

from hub.extensions import db
from hub.rewards import leaderboards, services
from hub.rewards.leaderboards import Filters
from hub.rewards.models import DEAL_APPROVED
from tests import factories

T0 = datetime(2026, 4, 15, 9, 0, tzinfo=timezone.utc)
_deal = iter(range(1, 10_000))


def won(org, amount, at=T0, closed_on=date(2026, 4, 10)):
    services.record_won_deal(next(_deal), org.id, None, "crm", amount, closed_on, now=at)
    db.session.commit()


def test_ties_share_a_rank_and_are_ordered_by_who_reached_first_then_name(world):
    c = factories.create_org("Aardvark Systems")
    d = factories.create_org("Zeta Soft")
    won(world.org_b, 500, at=T0)
    won(d, 300, at=T0)
    won(c, 300, at=T0)                        # same value and time as Zeta: the name decides
    won(world.org_a, 300, at=T0 - timedelta(hours=1))  # reached 300 first
    board = leaderboards.board(Filters(period="month"), now=T0)
    assert [(r.name, r.rank, r.tie) for r in board.rows] == [
        ("Beta Distribution", 1, False), ("Alpha Integration", 2, True),
        ("Aardvark Systems", 2, True), ("Zeta Soft", 2, True)]
    assert [r.position for r in board.rows] == [1, 2, 3, 4]


def test_viewer_outside_the_top_is_shown_with_its_rank(world):
    others = [factories.create_org(f"Org {i:02d}") for i in range(5)]
    for i, org in enumerate(others):
        won(org, 1000 + i)
    won(world.org_a, 10)
    won(world.org_b, 10)
    board = leaderboards.board(Filters(period="all"), viewer_org_id=world.org_a.id, now=T0, limit=3)
    assert len(board.rows) == 3 and not any(r.is_viewer for r in board.rows)
    assert (board.viewer.position, board.viewer.rank, board.viewer.tie) == (6, 6, True)
    mine = leaderboards.board(Filters(period="all"), viewer_org_id=others[4].id, now=T0, limit=3)
    assert mine.viewer is None and mine.rows[0].is_viewer


def test_filters_by_partner_type_region_and_tier(world):
    south = factories.create_org("South Dealer", partner_type="dealer", region="south", tier="silver")
    won(world.org_a, 100)
    won(south, 50)
    names = lambda f: [r.name for r in leaderboards.board(f, now=T0).rows]
    assert names(Filters(period="all", partner_type="dealer")) == ["South Dealer"]
    assert names(Filters(period="all", region="moscow")) == ["Alpha Integration"]
    assert names(Filters(period="all", tier="silver")) == ["South Dealer"]
    assert names(Filters(period="all")) == ["Alpha Integration", "South Dealer"]


def test_periods_follow_moscow_time(world):
    # Points at 21:30 UTC on 31 December 2025 are New Year 2026 in Moscow.
    services.credit(services.Credit(DEAL_APPROVED, "deal:1", world.org_a.id, None),
                    now=datetime(2025, 12, 31, 21, 30, tzinfo=timezone.utc))
    db.session.commit()
    jan = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    for kind in ("month", "quarter", "year"):
        board = leaderboards.board(Filters(metric="points", period=kind), now=jan)
        assert [r.value for r in board.rows] == [10], kind
    dec = datetime(2025, 12, 31, 20, 59, tzinfo=timezone.utc)  # 23:59 in Moscow, still 2025
    assert leaderboards.board(Filters(metric="points", period="year"), now=dec).rows == []
    assert leaderboards.board(Filters(metric="points", period="year"), now=dec).period_key == "2025"


def test_revenue_and_deals_boards(world):
    won(world.org_a, 100)
    won(world.org_a, 100)
    won(world.org_b, 150)
    revenue = leaderboards.board(Filters(metric="revenue", period="quarter"), now=T0)
    deals = leaderboards.board(Filters(metric="deals", period="quarter"), now=T0)
    assert [(r.name, r.value) for r in revenue.rows] == [("Alpha Integration", 200), ("Beta Distribution", 150)]
    assert [(r.name, r.value) for r in deals.rows] == [("Alpha Integration", 2), ("Beta Distribution", 1)]
