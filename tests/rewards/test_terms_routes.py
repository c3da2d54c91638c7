"""R5 pages: the terms page, the forms, "My terms" on the statement and the rewards page, and who may
see or touch an organisation's terms (every route, across organisations and roles)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hub.core.models import AuditEntry
from hub.extensions import db
from hub.rewards import terms
from hub.rewards.models import TERM_ACTIVE, TERM_PENDING, TERM_REVOKED, CommissionLine, Term

from .conftest import url, win

TODAY = date.today()
LATER = TODAY + timedelta(days=120)


def grant(world, org=None, percent="18", product="crm", start=TODAY, end=LATER, reason="Key partner since 2019"):
    term = terms.grant_rate((org or world.org_a).id, product, Decimal(percent), start, end, reason, world.manager)
    db.session.commit()
    return term


def rate_form(**kw):
    data = {"rate-product": "crm", "rate-percent": "18", "rate-valid_from": TODAY.isoformat(),
            "rate-valid_to": LATER.isoformat(), "rate-reason": "Key partner"}
    data.update(kw)
    return data


def plan_form(**kw):
    data = {"plan-target": "1 000 000", "plan-bonus": "50 000", "plan-bonus_percent": "",
            "plan-valid_from": TODAY.isoformat(), "plan-valid_to": LATER.isoformat(), "plan-reason": "Growth"}
    data.update(kw)
    return data


def count_terms():
    return db.session.scalar(select(func.count()).select_from(Term))


def test_manager_grants_a_rate_and_the_statement_shows_which_term_applied(client, login, world):
    login(world.manager)
    page = client.get(url("rewards.terms_page", org_id=world.org_a.id)).get_data(as_text=True)
    assert "Grant an individual rate" in page and "No individual terms" in page
    response = client.post(url("rewards.grant_rate", org_id=world.org_a.id), data=rate_form())
    assert response.status_code == 303
    term = db.session.scalars(select(Term)).one()
    assert (term.status, term.percent, term.product, term.granted_by_id) == \
        (TERM_ACTIVE, Decimal(18), "crm", world.manager.id)
    win(world.org_a, world.a_member, product="crm", amount=100_000_00, closed_on=TODAY)
    win(world.org_a, world.a_member, product="bi", amount=100_000_00, closed_on=TODAY)
    login(world.a_admin)
    page = client.get(url("rewards.statement", org_id=world.org_a.id)).get_data(as_text=True)
    assert "My terms" in page and "Key partner" in page
    assert f"individual rate 18% until {term.valid_to.month}/{term.valid_to.day}/{term.valid_to.strftime('%y')}" \
        " — Key partner" in page
    assert "tier Bronze 15%" in page  # the BI line at the tier's rate
    assert '<td class="num nowrap">RUB\u00a018,000</td>' in page
    index = client.get(url("rewards.index")).get_data(as_text=True)
    assert "My terms" in index and "Individual rate 18% on" in index
    csv = client.get(url("rewards.statement_csv", org_id=world.org_a.id)).get_data(as_text=True)
    assert "at the organisation's individual rate" in csv


def test_the_statement_in_russian_names_the_term(client, login, world):
    term = grant(world)
    win(world.org_a, world.a_member, product="crm", amount=100_000_00, closed_on=TODAY)
    login(world.a_admin)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    page = client.get(url("rewards.statement", org_id=world.org_a.id)).get_data(as_text=True)
    assert f"индивидуальная ставка 18\u00a0% до {term.valid_to.strftime('%d.%m.%Y')} — Key partner since 2019" in page
    assert "Мои условия" in page


def test_manager_sets_a_plan_plain_and_with_htmx(client, login, world):
    login(world.manager)
    response = client.post(url("rewards.grant_plan", org_id=world.org_a.id), data=plan_form(),
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Location"] == url("rewards.terms_page",
                                                                                   org_id=world.org_a.id)
    term = db.session.scalars(select(Term)).one()
    assert (term.kind, term.target_kopecks, term.bonus_kopecks, term.status) == \
        ("plan", 1_000_000_00, 50_000_00, TERM_ACTIVE)
    fragment = client.get(url("rewards.terms_page", org_id=world.org_a.id),
                          headers={"HX-Request": "true", "HX-Target": "terms"}).get_data(as_text=True)
    assert 'id="terms"' in fragment and "<html" not in fragment and "Quarterly plan" in fragment


def test_second_approval_over_the_threshold(client, login, world):
    login(world.manager)
    client.post(url("rewards.grant_rate", org_id=world.org_a.id), data=rate_form(**{"rate-percent": "30"}))
    term = db.session.scalars(select(Term)).one()
    assert term.status == TERM_PENDING
    page = client.get(url("rewards.terms_page", org_id=world.org_a.id)).get_data(as_text=True)
    assert "another manager must approve it" in page
    response = client.post(url("rewards.approve_term", org_id=world.org_a.id, term_id=term.id))
    assert response.status_code == 409 and "you granted it" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Term, term.id).status == TERM_PENDING
    assert "waiting for a second approval" in client.get(url("rewards.index")).get_data(as_text=True)
    login(world.admin)
    assert client.post(url("rewards.approve_term", org_id=world.org_a.id, term_id=term.id)).status_code == 303
    again = client.post(url("rewards.approve_term", org_id=world.org_a.id, term_id=term.id))
    assert again.status_code == 409 and "no longer waiting" in again.get_data(as_text=True)
    db.session.expire_all()
    term = db.session.get(Term, term.id)
    assert (term.status, term.approved_by_id) == (TERM_ACTIVE, world.admin.id)


def test_revoke_needs_a_reason(client, login, world):
    term = grant(world)
    login(world.manager)
    response = client.post(url("rewards.revoke_term", org_id=world.org_a.id, term_id=term.id), data={"reason": ""})
    assert response.status_code == 422 and "Give the reason for revoking the term." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Term, term.id).status == TERM_ACTIVE
    response = client.post(url("rewards.revoke_term", org_id=world.org_a.id, term_id=term.id),
                           data={"reason": "Contract ended"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Term, term.id).status == TERM_REVOKED
    again = client.post(url("rewards.revoke_term", org_id=world.org_a.id, term_id=term.id),
                        data={"reason": "Twice"})
    assert again.status_code == 409 and "already revoked" in again.get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"rate-percent": "-5"}, "Enter a percentage as a number from 0 to 100"),
    ({"rate-percent": "101"}, "A percentage cannot be more than 100."),
    ({"rate-percent": "1e5"}, "Enter a percentage as a number from 0 to 100"),
    ({"rate-percent": "NaN"}, "Enter a percentage as a number from 0 to 100"),
    ({"rate-percent": "abc"}, "Enter a percentage as a number from 0 to 100"),
    ({"rate-percent": ""}, "Enter the rate in percent."),
    ({"rate-product": "nope"}, "Not a valid choice"),
    ({"rate-valid_to": (TODAY - timedelta(days=1)).isoformat()}, "The last day must not be before the first day."),
    ({"rate-valid_from": "2026-13-45"}, "Not a valid date value."),
    ({"rate-valid_from": "9999-01-01", "rate-valid_to": "9999-02-01"}, "Enter a date between"),
    ({"rate-reason": ""}, "Give the reason for the individual term."),
    ({"rate-reason": "x" * 1001}, "Field cannot be longer than 1000 characters."),
    ({"rate-percent": "18\x00"}, None),
])
def test_bad_rate_input_is_explained_next_to_the_field_and_nothing_saved(client, login, world, data, message):
    login(world.manager)
    response = client.post(url("rewards.grant_rate", org_id=world.org_a.id), data=rate_form(**data))
    assert 400 <= response.status_code < 500
    if message:
        assert message in response.get_data(as_text=True)
    assert count_terms() == 0


def test_past_end_date_and_overlap_are_refused(client, login, world):
    login(world.manager)
    old = rate_form(**{"rate-valid_from": "2025-01-01", "rate-valid_to": "2025-03-31"})
    response = client.post(url("rewards.grant_rate", org_id=world.org_a.id), data=old)
    assert response.status_code == 422 and "the last day is in the past" in response.get_data(as_text=True)
    assert client.post(url("rewards.grant_rate", org_id=world.org_a.id), data=rate_form()).status_code == 303
    response = client.post(url("rewards.grant_rate", org_id=world.org_a.id), data=rate_form())
    assert response.status_code == 422 and "This overlaps term #" in response.get_data(as_text=True)
    assert count_terms() == 1


@pytest.mark.parametrize("data, message", [
    ({"plan-target": "0"}, "The amount must be more than zero."),
    ({"plan-target": ""}, "Enter the quarterly target."),
    ({"plan-target": "-100"}, "Enter an amount in roubles"),
    ({"plan-bonus": ""}, "Enter the bonus either in roubles or as a percentage, not both."),
    ({"plan-bonus_percent": "5"}, "Enter the bonus either in roubles or as a percentage, not both."),
    ({"plan-bonus": "", "plan-bonus_percent": "0"}, "A bonus percentage must be above zero."),
    ({"plan-bonus": "", "plan-bonus_percent": "250"}, "A percentage cannot be more than 100."),
    ({"plan-valid_to": (TODAY - timedelta(days=1)).isoformat()}, "The last day must not be before the first day."),
])
def test_bad_plan_input_is_explained_and_nothing_saved(client, login, world, data, message):
    login(world.manager)
    response = client.post(url("rewards.grant_plan", org_id=world.org_a.id), data=plan_form(**data))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count_terms() == 0


def test_htmx_bad_input_is_a_422_fragment_of_the_page(client, login, world):
    login(world.manager)
    response = client.post(url("rewards.grant_rate", org_id=world.org_a.id), data=rate_form(**{"rate-percent": "-1"}),
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and "Enter a percentage" in response.get_data(as_text=True)
    assert count_terms() == 0


def test_nobody_else_sees_or_touches_an_organisations_terms(client, login, world):
    term = grant(world, reason="Secret reason of Alpha")
    pending = grant(world, percent="40", product="bi", reason="Secret pending of Alpha")
    win(world.org_a, world.a_member, product="crm", amount=100_000_00, closed_on=TODAY)
    a = world.org_a.id
    reads = [url("rewards.terms_page", org_id=a), url("rewards.statement", org_id=a),
             url("rewards.statement_csv", org_id=a)]
    writes = [(url("rewards.grant_rate", org_id=a), rate_form(**{"rate-product": "servicedesk"})),
              (url("rewards.grant_plan", org_id=a), plan_form()),
              (url("rewards.approve_term", org_id=a, term_id=pending.id), {}),
              (url("rewards.revoke_term", org_id=a, term_id=term.id), {"reason": "Gone"})]
    # Another organisation's admin and member: 404 on reads; 403 on every write (vendor only).
    for user in (world.b_admin, world.b_member):
        login(user)
        for target in reads:
            assert client.get(target).status_code == 404, (user.email, target)
        for target, data in writes:
            assert client.post(target, data=data).status_code == 403, (user.email, target)
        for page in (url("rewards.index"), url("rewards.statement", org_id=world.org_b.id)):
            response = client.get(page)
            assert "Secret" not in response.get_data(as_text=True)
    # Alpha's member: no money pages (403), nothing on the rewards page; no writes.
    login(world.a_member)
    for target in reads:
        assert client.get(target).status_code == 403, target
    assert "Secret" not in client.get(url("rewards.index")).get_data(as_text=True)
    for target, data in writes:
        assert client.post(target, data=data).status_code == 403, target
    # Alpha's admin reads its own terms but grants, approves and revokes nothing.
    login(world.a_admin)
    assert "Secret reason of Alpha" in client.get(reads[0]).get_data(as_text=True)
    for target, data in writes:
        assert client.post(target, data=data).status_code == 403, target
    # A manager names a term through another organisation's URL: 404.
    login(world.admin)
    b = world.org_b.id
    assert client.post(url("rewards.approve_term", org_id=b, term_id=pending.id)).status_code == 404
    assert client.post(url("rewards.revoke_term", org_id=b, term_id=term.id), data={"reason": "x"}).status_code == 404
    assert client.get(url("rewards.terms_page", org_id=world.vendor.id)).status_code == 404
    assert client.post(url("rewards.grant_rate", org_id=world.vendor.id), data=rate_form()).status_code == 404
    assert "Secret" not in client.get(url("rewards.terms_page", org_id=b)).get_data(as_text=True)
    db.session.expire_all()
    assert count_terms() == 2
    assert (db.session.get(Term, term.id).status, db.session.get(Term, pending.id).status) == \
        (TERM_ACTIVE, TERM_PENDING)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.object_type == "reward_term")) == 2


def test_signed_out_visitors_are_sent_to_log_in(app, world):
    term = grant(world)
    anonymous = app.test_client()
    response = anonymous.get(url("rewards.terms_page", org_id=world.org_a.id))
    assert response.status_code in (302, 303, 401)
    assert anonymous.post(url("rewards.revoke_term", org_id=world.org_a.id, term_id=term.id),
                          data={"reason": "x"}).status_code in (302, 303, 400, 401)
    db.session.expire_all()
    assert db.session.get(Term, term.id).status == TERM_ACTIVE


def test_manager_overview_lists_terms_waiting_for_approval(client, login, world):
    grant(world, percent="40", reason="Big one")
    login(world.admin)
    page = client.get(url("rewards.index")).get_data(as_text=True)
    assert "Individual terms waiting for a second approval" in page and "Alpha Integration" in page


def test_terms_page_and_statement_queries_are_bounded(client, login, world, count_queries):
    for n in range(3):
        grant(world, product=("crm", "bi", "servicedesk")[n])
    for n in range(8):
        win(world.org_a, world.a_member, product=("crm", "bi")[n % 2], amount=100_000_00 + n, closed_on=TODAY)
    login(world.manager)
    client.get(url("rewards.terms_page", org_id=world.org_a.id))
    client.get(url("rewards.statement", org_id=world.org_a.id))
    db.session.expire_all()
    with count_queries() as few:
        client.get(url("rewards.statement", org_id=world.org_a.id))
    for n in range(8):
        win(world.org_a, world.a_member, product="servicedesk", amount=200_000_00 + n, closed_on=TODAY)
    db.session.expire_all()
    with count_queries() as more:
        page = client.get(url("rewards.statement", org_id=world.org_a.id))
    assert page.status_code == 200 and more.count == few.count <= 15
    with count_queries() as terms_page:
        client.get(url("rewards.terms_page", org_id=world.org_a.id))
    assert terms_page.count <= 10
    assert db.session.scalar(select(func.count()).select_from(CommissionLine)
                             .where(CommissionLine.term_id.is_not(None))) == 16


def test_who_is_told_and_mail_links_from_the_base_url(app, client, login, world):
    from hub.core.models import Notification, OutboxMessage
    login(world.manager)
    client.post(url("rewards.grant_rate", org_id=world.org_a.id), data=rate_form(**{"rate-percent": "40"}))
    term = db.session.scalars(select(Term)).one()
    notes = list(db.session.scalars(select(Notification)))
    assert [(n.user_id, n.type) for n in notes] == [(world.admin.id, "rewards.term_awaiting")]  # not the granter
    login(world.admin)
    client.post(url("rewards.approve_term", org_id=world.org_a.id, term_id=term.id))
    told = {n.user_id for n in db.session.scalars(select(Notification).where(Notification.type == "rewards.term_applies"))}
    assert told == {world.a_admin.id}  # not the member, not another organisation
    mails = [m for m in db.session.scalars(select(OutboxMessage)) if m.recipient == world.a_admin.email]
    base = app.config["HUB_BASE_URL"].rstrip("/")
    assert len(mails) == 1 and f"{base}/rewards/organisations/{world.org_a.id}/terms" in mails[0].body
    login(world.a_admin)
    assert "Your organisation has new individual commission terms" in client.get(url("core.inbox")).get_data(as_text=True)
