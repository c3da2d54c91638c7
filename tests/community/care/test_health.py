"""The relationship-health score on a hand-built set (every component's arithmetic), its explanation
on the pages, the at-risk order of the managers' list, the account manager's measured response time,
and bounded queries."""
from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest

from hub import facts
from hub.community.care import services
from hub.database import utcnow
from tests import factories

from .conftest import make_item, make_qbr, url


@pytest.fixture
def fixed_facts(monkeypatch):
    """Certifications, attendance and NPS as hand-set facts (their own features are tested there)."""
    values = {"certified_people": {}, "events_attended": {}, "partner_nps": {}}
    for name in ("certified_people", "events_attended"):
        monkeypatch.setitem(facts._PROVIDERS, name, lambda *args, _name=name, **kw: values[_name])
    # The shape hub/community/nps/facts.py gives: per organisation its NPS (None: no answer yet).
    monkeypatch.setitem(facts._PROVIDERS, "partner_nps", lambda *args, **kw: {
        "overall": {"nps": None}, "organisations": {org: {"nps": value} for org, value in values["partner_nps"].items()}})
    return values


def seed_alpha(w, fixed_facts):
    """Gold partner A: won 300 000 ₽ in the last 6 months and 600 000 ₽ in the 6 before; 2 registrations in
    90 days; 2 certified people of 3; 1 attendance of 3; NPS 20; 4 open action items, 1 overdue."""
    today = services.today()
    now = utcnow()
    factories.create_deal(w.org_a, w.a_member, status="won", final_amount_kopecks=300_000_00,
                          closed_on=today - timedelta(days=30), submitted_at=now - timedelta(days=40))
    factories.create_deal(w.org_a, w.a_member, status="won", final_amount_kopecks=600_000_00,
                          closed_on=today - timedelta(days=250), submitted_at=now - timedelta(days=300))
    factories.create_deal(w.org_a, w.a_member, status="submitted", submitted_at=now - timedelta(days=2))
    factories.create_deal(w.org_b, w.b_member, status="won", final_amount_kopecks=100_00,  # not A's
                          closed_on=today - timedelta(days=10))
    fixed_facts["certified_people"].update({w.org_a.id: 2})
    fixed_facts["events_attended"].update({w.org_a.id: 1})
    fixed_facts["partner_nps"].update({w.org_a.id: 20})
    qbr = make_qbr(w.org_a, w.manager)
    make_item(qbr, w.a_member, due_days=-1)
    for _ in range(3):
        make_item(qbr, w.manager, due_days=5)
    make_item(qbr, w.manager, due_days=-9, done=True)  # done: neither open nor overdue


def test_health_arithmetic_on_a_hand_built_set(w, fixed_facts):
    seed_alpha(w, fixed_facts)
    health = {h.organisation.id: h for h in services.health_of([w.org_a, w.org_b])}
    a = health[w.org_a.id]
    points = {c.key: c.points for c in a.components}
    assert points == {"revenue": Fraction(15), "certifications": Fraction(40, 3), "activity": Fraction(8),
                      "events": Fraction(10, 3), "nps": Fraction(6), "actions": Fraction(15, 2)}
    assert a.score == 53  # 53.17 rounded
    assert not a.at_risk
    # B: revenue up from nothing (full points), no open items (full), one registration; no NPS answer from B:
    # not measured, so its 10 are shared by the others (of 90 instead of 100).
    b = health[w.org_b.id]
    assert not b.component("nps").measured
    assert b.component("revenue").points == Fraction(100, 3) and b.component("actions").points == Fraction(100, 9)
    assert b.component("activity").points == Fraction(40, 9)  # its one deal was registered just now
    assert b.score == 49 and b.at_risk  # 48.89


def test_without_an_nps_provider_its_weight_is_shared(w, fixed_facts, monkeypatch):
    seed_alpha(w, fixed_facts)
    monkeypatch.delitem(facts._PROVIDERS, "partner_nps")
    a = services.health_of([w.org_a])[0]
    nps = a.component("nps")
    assert not nps.measured and nps.points == 0
    assert a.component("revenue").max_points == Fraction(100 * 30, 90)
    # (15 + 13.33 + 8 + 3.33 + 7.5) of 90 -> 52.41 of 100
    assert a.score == 52


def test_score_edges():
    weights = {"revenue": 30, "certifications": 20, "activity": 20, "events": 10, "nps": 10, "actions": 10}
    targets = {"certifications": 3, "activity": 5, "events": 3}
    nothing = services.score_components({"nps": -100}, weights, targets)
    assert services.total(nothing) == 10  # only "no open action items"
    best = services.score_components({"recent_kopecks": 5, "before_kopecks": 1, "certified": 99, "deals_90d": 99,
                                      "events": 99, "nps": 100, "open_items": 2, "overdue_items": 0},
                                     weights, targets)
    assert services.total(best) == 100
    late = services.score_components({"open_items": 2, "overdue_items": 2, "nps": 0}, weights, targets)
    assert next(c for c in late if c.key == "actions").points == 0


def test_managers_list_is_sorted_by_risk_and_explained(client, login, w, fixed_facts):
    seed_alpha(w, fixed_facts)
    login(w.manager)
    page = client.get(url("care.index")).get_data(as_text=True)
    assert page.index("Beta Distribution") < page.index("Alpha Integration")  # 49 before 53
    assert "at risk" in page and "Gamma Silver" not in page
    detail = client.get(url("care.organisation", org_id=w.org_a.id)).get_data(as_text=True)
    assert "Relationship health: 53 / 100" in detail
    assert "People with a valid certificate: 2 (full points at 3)." in detail
    assert "Open action items: 4, of them overdue: 1." in detail
    assert "What moves it: win at least as much as in the 6 months before." in detail
    login(w.a_member)
    own = client.get(url("care.index")).get_data(as_text=True)
    assert "Relationship health: 53 / 100" in own
    login(w.c_admin)  # Silver: no score, no reviews
    page = client.get(url("care.index")).get_data(as_text=True)
    assert "Relationship health" not in page and "held with key partners" in page


def test_the_account_managers_card_measures_the_response_time(client, login, w):
    now = utcnow()
    for hours in (2, 4, 30):
        factories.create_deal(w.org_a, w.a_member, status="approved", submitted_at=now - timedelta(days=5),
                              decided_at=now - timedelta(days=5) + timedelta(hours=hours))
    factories.create_deal(w.org_a, w.a_member, status="rejected", submitted_at=now - timedelta(days=300),
                          decided_at=now - timedelta(days=200))  # outside the 90 days
    factories.create_deal(w.org_b, w.b_member, status="approved", submitted_at=now - timedelta(days=5),
                          decided_at=now - timedelta(days=1))  # another partner's
    card = services.response_time(w.org_a.id)
    assert (card.median_hours, card.decisions) == (4, 3)
    login(w.a_member)
    home = client.get(url("core.home")).get_data(as_text=True)
    assert "Your account manager" in home and "Maria Manager" in home and "manager@example.test" in home
    assert "Median response to your deal registrations: 4 h (3 decisions in 90 days)." in home
    org_page = client.get(url("accounts.organisation", org_id=w.org_a.id)).get_data(as_text=True)
    assert "Median response to your deal registrations: 4 h" in org_page
    login(w.c_admin)
    home = client.get(url("core.home")).get_data(as_text=True)
    assert "No dedicated account manager" in home and "Not measured yet" in home


def test_query_counts_do_not_grow_with_key_partners(client, login, w, count_queries, fixed_facts):
    def measure(endpoint, **args):
        client.get(url(endpoint, **args))
        with count_queries() as counter:
            assert client.get(url(endpoint, **args)).status_code == 200
        return counter.count

    seed_alpha(w, fixed_facts)
    login(w.manager)
    small = measure("care.index")
    small_qbr = measure("care.organisation", org_id=w.org_a.id)
    for n in range(6):
        org = factories.create_org(f"Key {n}", tier="gold")
        person = factories.create_user(org, "member", f"m{n}@key.test")
        factories.create_deal(org, person, status="won", final_amount_kopecks=100_00,
                              closed_on=services.today(), claim=False)
        qbr = make_qbr(org, w.manager)
        make_item(qbr, person, due_days=-1)
        make_qbr(w.org_a, w.manager)
        make_item(make_qbr(w.org_a, w.manager, days=-n), w.a_admin)
    assert measure("care.index") == small
    assert measure("care.organisation", org_id=w.org_a.id) == small_qbr
    assert small <= 10 and small_qbr <= 12


def test_review_page_queries_do_not_grow_with_items(client, login, w, count_queries):
    qbr = make_qbr(w.org_a, w.manager)
    make_item(qbr, w.a_member)

    def measure():
        client.get(url("care.qbr", qbr_id=qbr.id))
        with count_queries() as counter:
            assert client.get(url("care.qbr", qbr_id=qbr.id)).status_code == 200
        return counter.count

    for who in (w.a_admin, w.manager):
        login(who)
        small = measure()
        for n in range(10):
            extra = factories.create_user(w.org_a, "member", f"x{n}{who.id}@alpha.test")
            make_item(qbr, extra if n % 2 else w.manager, due_days=n - 5)
        assert measure() == small, who
        assert small <= 10


def test_managers_list_pages_filters_at_risk_and_follows_changes(client, login, w, fixed_facts, monkeypatch):
    seed_alpha(w, fixed_facts)  # Alpha 53, Beta 49 (at risk)
    monkeypatch.setattr(services, "HEALTH_PER_PAGE", 2)
    healthy = []
    for n in range(3):  # three more Gold partners, each with a won deal and certified people: healthy
        org = factories.create_org(f"Zeta {n}", tier="gold")
        factories.create_deal(org, factories.create_user(org, "member", f"z{n}@zeta.test"), status="won",
                              final_amount_kopecks=100_00, closed_on=services.today(), claim=False)
        fixed_facts["certified_people"][org.id] = 3
        healthy.append(org)
    login(w.manager)
    first = client.get(url("care.index")).get_data(as_text=True)
    assert "5 key partners, 1 of them at risk." in first  # counted over all of them, not the page
    assert "Beta Distribution" in first and "Page 1 of 3" in first and "Zeta 2" not in first
    assert "Zeta" in client.get(url("care.index", page=3)).get_data(as_text=True)
    assert client.get(url("care.index", page=4)).status_code == 404
    assert client.get(url("care.index", page="x")).status_code == 404
    risky = client.get(url("care.index", risk="1")).get_data(as_text=True)
    assert "Beta Distribution" in risky and "Alpha Integration" not in risky and "Page 1" not in risky
    # An overdue action item is a change of state: the next view scores it, with nothing cleared.
    qbr = make_qbr(w.org_a, w.manager)
    for _ in range(4):
        make_item(qbr, w.manager, due_days=-3)
    risky = client.get(url("care.index", risk="1")).get_data(as_text=True)
    assert "Alpha Integration" in risky and "2 of them at risk" in client.get(url("care.index")).get_data(as_text=True)
    # A partner that stops being a key partner leaves the list at once.
    healthy[0].tier = "silver"
    from hub.extensions import db
    db.session.commit()
    assert "4 key partners" in client.get(url("care.index")).get_data(as_text=True)
