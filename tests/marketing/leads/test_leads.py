"""Leads vendor -> partner (D6): the pool, offers ranked by region/segment/tier, accept or decline
within the SLA, the tick returning unanswered offers once, one-click deal registration with the
usual conflict check; and authorisation (another organisation's lead is 404 everywhere)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.core.models import AuditEntry
from hub.core.models import Notification
from hub.database import utcnow
from hub.deals.models import Deal
from hub.extensions import db
from hub.marketing.leads import services
from hub.marketing.leads.models import ACCEPTED, CONVERTED, DECLINED, OFFERED, POOL, RETURNED, Lead, LeadStep
from tests import factories
from tests.helpers import events

from .conftest import INN, OTHER_INN, convert_data, lead_values, offered


def notes(user, kind):
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.type == kind))


def test_suggestions_rank_region_segment_then_tier(w):
    lead = services.new_lead(w.manager, lead_values())
    ranked = [s.organisation.id for s in services.suggestions(lead)]
    assert ranked[0] == w.org_a.id  # St Petersburg, gold
    assert w.ref_org.id not in ranked  # referral partners take no leads


def test_manager_creates_and_offers_a_lead_from_the_pool_page(w, client, login):
    login(w.manager)
    response = client.post("/leads/pool/new", data=lead_values())
    assert response.status_code == 303
    lead = db.session.scalar(select(Lead))
    assert (lead.status, lead.company, lead.source) == (POOL, "Romashka LLC", "web")
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "Alpha Integration" in page and "Offer the lead" in page
    response = client.post(f"/leads/{lead.id}/offer", data={"organisation_id": str(w.org_a.id)})
    assert response.status_code == 303
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert (lead.status, lead.organisation_id, lead.offer_no) == (OFFERED, w.org_a.id, 1)
    assert lead.due_at - lead.offered_at == timedelta(hours=48)
    assert notes(w.a_member, "leads.offered") == 1 and notes(w.b_member, "leads.offered") == 0
    assert "Romashka LLC" in client.get("/leads/pool").get_data(as_text=True)


def test_accept_then_one_click_deal(w, client, login):
    lead = offered(w)
    login(w.a_member)
    page = client.get("/leads/").get_data(as_text=True)
    assert "Romashka LLC" in page
    response = client.post(f"/leads/{lead.id}/accept")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == ACCEPTED
    assert notes(w.manager, "leads.accepted") == 1
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "No other partner has registered this customer." in page and "Register the deal" in page
    response = client.post(f"/leads/{lead.id}/deal", data=convert_data())
    assert response.status_code == 303
    deal = db.session.scalar(select(Deal))
    assert response.headers["Location"].endswith(f"/deals/{deal.id}")
    assert (deal.organisation_id, deal.customer_name, deal.inn, deal.conflict_with_id) == (
        w.org_a.id, "Romashka LLC", INN, None)
    assert deal.amount_kopecks == 1_500_000_00 and deal.region == "spb"
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert (lead.status, lead.deal_id) == (CONVERTED, deal.id)
    assert "Open the deal registration" in client.get(f"/leads/{lead.id}").get_data(as_text=True)
    # a second click changes nothing
    assert client.post(f"/leads/{lead.id}/deal", data=convert_data()).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 1


def test_accept_with_htmx_answers_the_panel(w, client, login):
    lead = offered(w)
    login(w.a_admin)
    response = client.post(f"/leads/{lead.id}/accept", headers={"HX-Request": "true", "HX-Target": "lead-panel"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="lead-panel"' in body and "<html" not in body and "Register the deal" in body
    assert "You accepted the lead" in body


def test_a_customer_registered_by_another_partner_shows_the_conflict(w, client, login):
    other = factories.create_deal(w.org_b, w.b_admin, status="approved", customer_name="Romashka", inn=INN)
    lead = offered(w)
    services.accept(w.a_admin, lead.id)
    login(w.a_admin)
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "already registered by another partner" in page
    assert "Beta Distribution" not in page  # never names the other partner
    response = client.post(f"/leads/{lead.id}/deal", data=convert_data(), follow_redirects=True)
    assert "this customer is already registered by another partner" in response.get_data(as_text=True)
    deal = db.session.scalar(select(Deal).where(Deal.organisation_id == w.org_a.id))
    assert deal.conflict_with_id == other.id
    assert db.session.get(Lead, lead.id).deal_id == deal.id


def test_decline_needs_a_reason_and_returns_the_lead(w, client, login):
    lead = offered(w)
    login(w.a_member)
    response = client.post(f"/leads/{lead.id}/decline", data={"reason": "  "})
    assert response.status_code == 422
    assert "Give a reason for declining." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == OFFERED
    response = client.post(f"/leads/{lead.id}/decline", data={"reason": "No free engineers"})
    assert response.status_code == 303
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert (lead.status, lead.organisation_id, lead.last_outcome, lead.last_reason) == (
        POOL, None, DECLINED, "No free engineers")
    assert notes(w.manager, "leads.declined") == 1
    assert client.get(f"/leads/{lead.id}").status_code == 404  # no longer theirs
    login(w.manager)
    assert "No free engineers" in client.get(f"/leads/{lead.id}").get_data(as_text=True)


def test_unanswered_offer_returns_to_the_pool_once(w, client, login):
    lead = services.new_lead(w.manager, lead_values())
    services.offer(w.manager, lead.id, w.org_a.id, now=utcnow() - timedelta(hours=49))
    assert services.expire_offers() == 1
    assert services.expire_offers() == 0
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert (lead.status, lead.last_outcome, lead.organisation_id) == (POOL, RETURNED, None)
    assert db.session.scalar(select(func.count()).select_from(LeadStep).where(LeadStep.action == RETURNED)) == 1
    assert notes(w.manager, "leads.returned") == 1
    # offered again, it can be returned again (a new offer number)
    services.offer(w.manager, lead.id, w.org_b.id, now=utcnow() - timedelta(hours=49))
    assert services.expire_offers() == 1


def test_accepting_after_the_deadline_is_refused(w, client, login):
    lead = services.new_lead(w.manager, lead_values())
    services.offer(w.manager, lead.id, w.org_a.id, now=utcnow() - timedelta(hours=49))
    login(w.a_admin)
    response = client.post(f"/leads/{lead.id}/accept")
    assert response.status_code == 409
    assert "The time to answer this lead has passed." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == OFFERED


def test_the_tick_job_runs_the_expiry(w, app):
    lead = services.new_lead(w.manager, lead_values())
    services.offer(w.manager, lead.id, w.org_a.id, now=utcnow() - timedelta(hours=49))
    result = app.test_cli_runner().invoke(args=["tick"])
    assert "1 unanswered lead offer(s) returned to the pool" in result.output
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == POOL


@pytest.mark.parametrize("method, path", [
    ("get", "/leads/{id}"), ("post", "/leads/{id}/accept"), ("post", "/leads/{id}/decline"),
    ("post", "/leads/{id}/deal"),
])
def test_another_organisations_lead_is_404_everywhere(w, client, login, method, path):
    lead = offered(w)
    pool_lead = services.new_lead(w.manager, lead_values(company="Pool Only LLC", inn=OTHER_INN))
    for user in (w.b_admin, w.b_member, w.ref_member):
        login(user)
        assert getattr(client, method)(path.format(id=lead.id), data={"reason": "x"}).status_code == 404
    login(w.a_member)
    assert getattr(client, method)(path.format(id=pool_lead.id), data={"reason": "x"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == OFFERED


def test_roles(w, client, login):
    lead = offered(w)
    login(w.a_admin)
    for path in ("/leads/pool", "/leads/pool/new", "/leads/referrals/manage", "/leads/referrals/report"):
        assert client.get(path).status_code == 403
    assert client.post(f"/leads/{lead.id}/offer", data={"organisation_id": str(w.org_b.id)}).status_code == 403
    login(w.manager)
    assert client.post(f"/leads/{lead.id}/accept").status_code == 403
    assert client.get("/leads/").status_code == 403


@pytest.mark.parametrize("field, value, message", [
    ("inn", "7707083890", "This INN is not valid"),
    ("company", "Romashka\x00", "cannot be stored"),
    ("notes", "x" * 5000, "characters"),
    ("contact_email", "not-an-email", "valid e-mail"),
    ("region", "atlantis", "Choose a region"),
])
def test_bad_lead_input_saves_nothing(w, client, login, field, value, message):
    login(w.manager)
    response = client.post("/leads/pool/new", data=lead_values(**{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_create_lead_service_refuses_bad_values(w):
    with pytest.raises(services.LeadError):
        services.create_lead("web", company="X", contact_name="Y", inn="1234567890", contact_email="a@b.test")
    with pytest.raises(services.LeadError):
        services.create_lead("nowhere", company="X LLC", contact_name="Y", contact_email="a@b.test")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0


@pytest.mark.parametrize("data, message", [
    ({"expected_close_date": "2001-01-01"}, "Enter a date between"),
    ({"expected_close_date": "9999-12-31"}, "Enter a date between"),
    ({"amount": "-5"}, ""),
    ({"inn": "", "domain": ""}, "Give the INN or the web domain"),
    ({"product": "nothing"}, "Choose a product"),
])
def test_bad_deal_input_from_a_lead_saves_nothing(w, client, login, data, message):
    lead = offered(w)
    services.accept(w.a_admin, lead.id)
    login(w.a_admin)
    response = client.post(f"/leads/{lead.id}/deal", data=convert_data(**data))
    assert response.status_code in (409, 422)
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 0
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == ACCEPTED


def test_converting_before_accepting_is_refused(w, client, login):
    lead = offered(w)
    login(w.a_admin)
    assert client.post(f"/leads/{lead.id}/deal", data=convert_data()).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 0


def test_lead_received_event_feeds_the_pool_once(w):
    from hub import signals
    from hub.domain_events import outbox
    signals.lead_received.emit(source="locator", organisation_id=w.org_a.id, company="Locator Customer LLC",
                               contact_name="Olga", contact_email="olga@example.test", contact_phone=None,
                               region="spb", message="Call me", consent=True, received_at=utcnow())
    db.session.commit()
    lead = db.session.scalar(select(Lead))
    assert (lead.source, lead.company, lead.status) == ("locator", "Locator Customer LLC", POOL)
    # a replayed delivery adds nothing
    event_id = int(lead.source_key.split(":")[1])
    from hub.domain_events.models import DomainEvent
    event = outbox.CATALOGUE["lead_received"].decode(db.session.get(DomainEvent, event_id).payload)
    assert event
    services.create_lead("locator", company="Locator Customer LLC", contact_name="Olga",
                         contact_email="olga@example.test", source_key=lead.source_key)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 1


def test_every_change_is_audited(w):
    lead = offered(w)
    services.accept(w.a_admin, lead.id)
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "lead")))
    assert actions >= {"created", "offered", "accepted"}


def test_pool_and_partner_pages_run_a_bounded_number_of_queries(w, client, login, count_queries):
    def make(n):
        for i in range(n):
            offered(w, company=f"Customer {i} {n} LLC", inn=None, contact_email=f"c{i}{n}@x.test")
            services.new_lead(w.manager, lead_values(company=f"Pool {i} {n} LLC", inn=None))
    make(2)
    login(w.manager)
    client.get("/leads/pool")
    with count_queries() as few:
        assert client.get("/leads/pool").status_code == 200
    make(6)
    with count_queries() as many:
        assert client.get("/leads/pool").status_code == 200
    assert many.count == few.count
    login(w.a_admin)
    client.get("/leads/")
    with count_queries() as few:
        client.get("/leads/")
    make(3)
    with count_queries() as many:
        client.get("/leads/")
    assert many.count == few.count


def test_lead_received_with_an_unknown_region_keeps_the_enquiry(w):
    from hub import signals
    signals.lead_received.emit(source="web", organisation_id=None, company="Unknown Region LLC",
                               contact_name="Olga", contact_email="olga@example.test", contact_phone="call me",
                               region="atlantis", message=None, consent=True, received_at=utcnow())
    db.session.commit()
    lead = db.session.scalar(select(Lead))
    assert (lead.company, lead.region, lead.contact_phone, lead.status) == ("Unknown Region LLC", None, None, POOL)
    assert "call me" in lead.notes
