"""The acceptance test of issue 8, point 1: a broken rewards listener never costs the partner the
win or the commission line, and the worker brings the line exactly once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.database import utcnow
from hub.deals import services as deals
from hub.deals.models import WON, Deal
from hub.domain_events.models import DONE, PENDING, EventDelivery
from hub.extensions import db
from hub.rewards.models import CommissionLine, WonDeal
from tests import factories

from .conftest import url

pytestmark = pytest.mark.listener_failures


@pytest.fixture
def app_config():
    # A failed delivery is due again at once, so that `worker --once` right after retries it.
    return {"EVENTS_RETRY_SECONDS": 0}


def commission_rules(deal_id: int) -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(CommissionLine.rule).where(CommissionLine.deal_id == deal_id)))


def delivery(listener: str) -> EventDelivery:
    db.session.expire_all()
    return db.session.scalar(select(EventDelivery).where(EventDelivery.listener == listener))


def mark_won(client, deal):
    return client.post(url("deals.won", deal_id=deal.id), follow_redirects=True,
                       data={"final_amount": "1 000 000", "closed_on": deals.program_today().isoformat()})


def test_a_raising_rewards_listener_costs_the_partner_nothing(app, client, login, world, monkeypatch):
    from hub.rewards import listeners

    def rewards_is_down(*args, **kwargs):
        raise RuntimeError("rewards is down")
    monkeypatch.setattr(listeners, "record_win", rewards_is_down)
    deal = factories.create_deal(world.org_a, world.a_member, status="approved")
    login(world.a_member)

    response = mark_won(client, deal)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Marked won: «" in page and "flash-success" in page
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).status == WON
    assert commission_rules(deal.id) == []
    failed = delivery("rewards.record_win")
    assert failed.status == PENDING and failed.attempts == 1 and "RuntimeError: rewards is down" in failed.last_error
    assert delivery("academy.first_deal_won").status == DONE  # the other listener had its delivery

    monkeypatch.undo()  # the fix is deployed
    runner = app.test_cli_runner()
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "events: delivered 1, to retry 0, failed 0" in result.output
    # Exactly one commission line (and the organisation's first-deal SPIFF), once.
    assert commission_rules(deal.id) == ["commission", "spiff"]
    assert delivery("rewards.record_win").status == DONE

    again = runner.invoke(args=["worker", "--once"])
    assert again.exit_code == 0 and "delivered 0" in again.output
    assert commission_rules(deal.id) == ["commission", "spiff"]
    assert db.session.scalar(select(WonDeal.deal_id)) == deal.id


def test_a_raising_academy_listener_leaves_rewards_and_the_request_alone(app, client, login, world, monkeypatch):
    from hub.academy import onboarding as academy

    def academy_is_down(*args, **kwargs):
        raise LookupError("academy is down")
    monkeypatch.setattr(academy, "_first_deal", academy_is_down)
    deal = factories.create_deal(world.org_a, world.a_member, status="approved")
    login(world.a_member)
    response = mark_won(client, deal)
    assert response.status_code == 200 and "Marked won: «" in response.get_data(as_text=True)
    assert commission_rules(deal.id) == ["commission", "spiff"]
    assert "LookupError: academy is down" in delivery("academy.first_deal_won").last_error


def test_the_tick_command_retries_deliveries_for_cron_only_installations(app, world, monkeypatch):
    from hub.rewards import listeners

    monkeypatch.setattr(listeners, "record_win", lambda *a, **kw: 1 / 0)
    deal = factories.create_deal(world.org_a, world.a_member, status="approved")
    deals.mark_won(deal, world.a_member, 500_000_00, deals.program_today())
    assert commission_rules(deal.id) == []
    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "events: delivered 1" in result.output
    assert commission_rules(deal.id) == ["commission", "spiff"]
    assert delivery("rewards.record_win").last_attempt_at <= utcnow()
