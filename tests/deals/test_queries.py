"""Bounded SQL: a page makes the same number of queries for 10 deals and for 1,000."""
from datetime import date, timedelta

import pytest
from sqlalchemy import insert

from hub.database import utcnow
from hub.deals.models import APPROVED, STATUSES, SUBMITTED, Deal
from hub.extensions import db
from tests import factories

from .conftest import url


def seed(world, count: int, start: int = 0) -> None:
    """`count` deals for org A and as many spread over fresh organisations, in every status, with
    conflicts and territory flags pointing at different rows (so a lazy load per row would show)."""
    extra = [factories.create_org() for _ in range(max(2, count // 20))]
    now = utcnow()
    rows = []
    for n in range(start, start + count):
        for org in (world.org_a, extra[n % len(extra)]):
            status = STATUSES[n % len(STATUSES)]
            rows.append(dict(
                organisation_id=org.id, created_by_id=world.a_member.id if org is world.org_a else None,
                customer_name=f"Клиент {org.slug} {n}", customer_name_norm=f"клиент {org.slug} {n}",
                inn=None, domain=None, domain_norm=None, contact_name="Ivan", contact_email="i@example.test",
                product="crm", amount_kopecks=100_000 + n, expected_close_date=date(2027, 1, 1),
                region="moscow", status=status, submitted_at=now - timedelta(hours=n),
                decision_due_at=now + timedelta(hours=48 - n), updated_at=now,
                protected_until=date.today() + timedelta(days=n % 20) if status == APPROVED else None,
                territory_org_id=extra[(n + 1) % len(extra)].id if n % 2 == 0 else None,
                extension_requested_at=now - timedelta(hours=1) if status == APPROVED and n % 5 == 0 else None,
                extension_reason="More time" if status == APPROVED and n % 5 == 0 else None,
            ))
    db.session.execute(insert(Deal), rows)
    db.session.commit()
    # Each conflict points at the deal registered just before it.
    db.session.execute(db.update(Deal).where(Deal.status == SUBMITTED, Deal.conflict_with_id.is_(None),
                                             Deal.id > 1).values(conflict_with_id=Deal.id - 1))
    db.session.commit()


PAGES = [
    ("partner", "deals.index", {}),
    ("partner", "deals.index", {"status": "approved", "q": "клиент"}),
    ("manager", "deals.index", {}),
    ("manager", "deals.index", {"period": "month", "org": "alpha"}),
    ("manager", "deals.queue", {}),
    ("partner", "core.home", {}),
    ("manager", "core.home", {}),
]


def _count(client, login, count_queries, user, endpoint, args):
    login(user)
    client.get(url(endpoint, **args))  # warm-up: the first request also loads settings etc.
    with count_queries() as counter:
        response = client.get(url(endpoint, **args))
    assert response.status_code == 200
    return counter.count


@pytest.mark.parametrize("who, endpoint, args", PAGES)
def test_query_count_does_not_grow_with_deals(app, client, login, world, count_queries, who, endpoint, args):
    user = world.a_member if who == "partner" else world.manager
    seed(world, 10)
    small = _count(client, login, count_queries, user, endpoint, args)
    seed(world, 990, start=10)
    large = _count(client, login, count_queries, user, endpoint, args)
    assert small == large, f"{endpoint} {args}: {small} queries for 10 deals, {large} for 1,000"
    # The home page gathers one panel per feature (deals, academy onboarding, rewards, events, the
    # MDF balance, open NPS surveys, the account manager's card), each a fixed handful of queries; the
    # lists are two queries each whatever they hold.
    assert large <= (18 if endpoint == "core.home" else 8)


def test_deal_page_query_count_is_bounded(client, login, world, count_queries):
    from hub.deals import services
    from .conftest import deal_input
    deal = services.register_deal(world.a_member, deal_input(
        expected_close_date=services.program_today() + timedelta(days=5)))
    services.approve(deal, world.manager)
    login(world.manager)
    client.get(url("deals.show", deal_id=deal.id))
    with count_queries() as counter:
        assert client.get(url("deals.show", deal_id=deal.id)).status_code == 200
    assert counter.count <= 8
