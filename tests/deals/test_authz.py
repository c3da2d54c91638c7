"""Authorisation matrix: every deal route x every role, on organisation A's deal.

Anonymous -> the login page; another organisation's partner -> 404 (the deal "does not exist");
a partner on a manager's action -> 403; a refused request changes nothing.
"""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hub.core.models import AuditEntry
from hub.deals import services
from hub.deals.models import APPROVED, SUBMITTED, Deal, DealClaim
from hub.extensions import db
from tests import factories

from .conftest import url

ROLES = ("anonymous", "a_member", "a_admin", "b_admin", "manager", "admin")
PARTNER_A = {"a_member", "a_admin"}
VENDOR = {"manager", "admin"}
EVERYONE = PARTNER_A | VENDOR | {"b_admin"}


def _register_data():
    return {"customer_name": "Новый клиент", "inn": "500100732259", "domain": "new-client.example",
            "contact_name": "Anna", "contact_email": "anna@new-client.example", "product": "bi",
            "amount": "100000", "expected_close_date": (services.program_today() + timedelta(days=10)).isoformat(),
            "region": "volga"}


# route name -> (method, endpoint, needs a deal in this state, form data, roles allowed, success status)
ROUTES = {
    "list": ("GET", "deals.index", None, None, EVERYONE, 200),
    "new_form": ("GET", "deals.new", None, None, PARTNER_A | {"b_admin"}, 200),
    "register": ("POST", "deals.new", None, _register_data, PARTNER_A | {"b_admin"}, 303),
    "field": ("GET", "deals.validate_field", None, None, PARTNER_A | {"b_admin"}, 200),
    "check": ("GET", "deals.check", None, None, EVERYONE, 200),
    "queue": ("GET", "deals.queue", None, None, VENDOR, 200),
    "export": ("GET", "deals.export", None, None, VENDOR, 200),
    "show": ("GET", "deals.show", SUBMITTED, None, PARTNER_A | VENDOR, 200),
    "approve": ("POST", "deals.approve", SUBMITTED, {}, VENDOR, 303),
    "reject": ("POST", "deals.reject", SUBMITTED, {"reason": "Not qualified"}, VENDOR, 303),
    "won": ("POST", "deals.won", APPROVED, lambda: {"final_amount": "5000",
                                                    "closed_on": services.program_today().isoformat()},
            PARTNER_A | VENDOR, 303),
    "lost": ("POST", "deals.lost", APPROVED, {"lost_reason": "Budget"}, PARTNER_A | VENDOR, 303),
    "extension": ("POST", "deals.extension", APPROVED, {"extension_reason": "Tender moved"}, PARTNER_A, 303),
    "extension_decision": ("POST", "deals.extension_decision", "extension", {"decision": "grant"}, VENDOR, 303),
}


def _snapshot():
    return (
        db.session.scalar(select(func.count()).select_from(Deal)),
        tuple(db.session.execute(select(Deal.id, Deal.status, Deal.protected_until, Deal.extension_decision,
                                        Deal.extension_requested_at).order_by(Deal.id)).all()),
        db.session.scalar(select(func.count()).select_from(DealClaim)),
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def _deal(world, state):
    if state is None:
        return None
    if state == "extension":
        return factories.create_deal(world.org_a, world.a_member, status=APPROVED,
                                     extension_requested_at=services.utcnow(), extension_reason="More time",
                                     protected_until=date.today() + timedelta(days=5))
    return factories.create_deal(world.org_a, world.a_member, status=state)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES)
def test_matrix(client, login, world, route, role):
    method, endpoint, state, data, allowed, success = ROUTES[route]
    deal = _deal(world, state)
    values = {"deal_id": deal.id} if deal else {}
    if endpoint == "deals.validate_field":
        values = {"name": "amount", "amount": "100000"}
    target = url(endpoint, **values)
    if role != "anonymous":
        login(getattr(world, role))
    payload = data() if callable(data) else data
    before = _snapshot()
    response = client.open(target, method=method, data=payload)

    if role == "anonymous":
        assert response.status_code == 302
        assert url("accounts.login") in response.headers["Location"]
        expected_change = False
    elif role in allowed:
        assert response.status_code == success, response.get_data(as_text=True)[:500]
        expected_change = method == "POST"
    elif deal is not None and role == "b_admin":
        assert response.status_code == 404
        expected_change = False
    else:  # a role that may never do this: refused as such
        assert response.status_code == 403
        expected_change = False
    db.session.expire_all()
    after = _snapshot()
    if expected_change:
        assert after != before
    else:
        assert after == before


def test_foreign_deal_page_does_not_leak(client, login, world):
    deal = factories.create_deal(world.org_a, customer_name="Секретный клиент")
    login(world.b_admin)
    response = client.get(url("deals.show", deal_id=deal.id))
    assert response.status_code == 404
    assert "Секретный клиент" not in response.get_data(as_text=True)
    # a missing deal answers the same
    assert client.get(url("deals.show", deal_id=deal.id + 1000)).status_code == 404


def test_foreign_deals_absent_from_list_and_export(client, login, world):
    factories.create_deal(world.org_a, customer_name="Клиент Альфы")
    login(world.b_admin)
    html = client.get(url("deals.index", q="клиент")).get_data(as_text=True)
    assert "Клиент Альфы" not in html and "0 deals" in html
    assert client.get(url("deals.export")).status_code == 403
