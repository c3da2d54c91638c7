"""Stage transitions from the durable events, idempotency (a delivery run twice, a replay), and the path
through the real recruitment and deal services."""
from sqlalchemy import func, select

from hub.domain_events import outbox
from hub.domain_events.models import EventDelivery
from hub.extensions import db
from hub.insights.funnel import listeners, services
from hub.insights.funnel.models import FunnelApplication, FunnelOrganisation, FunnelWin
from tests import factories

from .conftest import applied, at, decided, signed, submitted, won


def org_row(org_id):
    db.session.expire_all()
    return db.session.scalar(select(FunnelOrganisation).where(FunnelOrganisation.organisation_id == org_id))


def stage_of(org_id):
    entry = next(e for e in services.entries() if e.organisation_id == org_id)
    return services.STAGES[entry.stage]


def test_each_event_moves_the_organisation_one_stage(app, w):
    org = factories.create_org("Gamma", segment="referral")
    applied(10, 0)
    assert [services.STAGES[e.stage] for e in services.entries()] == ["applied"]
    decided(10, "qualified", 3)
    assert [services.STAGES[e.stage] for e in services.entries()] == ["qualified"]
    signed(org, 5)
    decided(10, "approved", 5, organisation_id=org.id)
    assert stage_of(org.id) == "onboarding"
    assert len(services.entries()) == 1  # the application is the organisation's now, not a second entry
    submitted(org, 501, 20)
    assert stage_of(org.id) == "first_deal"
    won(org, 501, 40)
    assert stage_of(org.id) == "first_won"
    won(org, 502, 50)
    assert stage_of(org.id) == "first_won"
    won(org, 503, 60)  # the rules' default: 3 won deals within 365 days
    assert stage_of(org.id) == "expanding"
    row = org_row(org.id)
    assert (row.signed_at, row.first_deal_at, row.won_deals) == (at(5), at(20), 3)
    assert row.first_won_at.date() == at(40).date() and row.expanding_at.date() == at(60).date()


def test_revenue_within_the_window_also_makes_expanding(app, w, monkeypatch):
    org = factories.create_org("Delta")
    signed(org, 0)
    won(org, 1, 10, amount_kopecks=1_000_000_00)
    won(org, 2, 400, amount_kopecks=2_000_000_00)  # the first is out of the 365-day window: 2 m, not 3 m
    assert org_row(org.id).expanding_at is None
    won(org, 3, 500, amount_kopecks=1_000_000_00)
    assert org_row(org.id).expanding_at.date() == at(500).date()


def test_events_out_of_order_give_the_same_dates(app, w):
    org = factories.create_org("Epsilon")
    won(org, 7, 30)          # the win arrives first (a retried delivery), then the registration, then the signing
    submitted(org, 7, 10)
    signed(org, 2)
    row = org_row(org.id)
    assert (row.signed_at, row.first_deal_at, row.first_won_at.date()) == (at(2), at(10), at(30).date())
    submitted(org, 8, 1)     # an earlier registration moves the first deal earlier, never later
    submitted(org, 9, 50)
    assert org_row(org.id).first_deal_at == at(1)


def test_declined_application_leaves_the_funnel(app, w):
    applied(20, 0)
    decided(20, "declined", 2)
    entry = services.entries()[0]
    assert entry.declined_at == at(2) and not entry.open
    stats = services.stage_stats(services.entries())
    assert (stats[0].reached, stats[0].now, stats[0].conversion) == (1, 0, 0)


def test_vendor_organisations_are_not_partners_in_the_funnel(app, w):
    signed(w.vendor, 0)
    assert db.session.scalar(select(func.count()).select_from(FunnelOrganisation)) == 0


def _snapshot():
    db.session.expire_all()
    orgs = [(r.organisation_id, r.signed_at, r.first_deal_at, r.first_won_at, r.expanding_at, r.won_deals)
            for r in db.session.scalars(select(FunnelOrganisation).order_by(FunnelOrganisation.organisation_id))]
    apps = [(r.application_id, r.submitted_at, r.qualified_at, r.organisation_id)
            for r in db.session.scalars(select(FunnelApplication).order_by(FunnelApplication.application_id))]
    return orgs, apps, db.session.scalar(select(func.count()).select_from(FunnelWin))


def test_delivered_twice_and_replayed_changes_nothing(app, w):
    org = factories.create_org("Zeta")
    applied(30, 0)
    decided(30, "qualified", 1)
    signed(org, 2)
    decided(30, "approved", 2, organisation_id=org.id)
    submitted(org, 1, 5)
    won(org, 1, 9)
    won(org, 1, 9)  # the same win told twice
    before = _snapshot()
    assert before[2] == 1

    # Every event again, straight to the listener (as a delivery run a second time would).
    from hub.domain_events.models import DomainEvent
    from hub.signals import CATALOGUE, Event
    for row in db.session.scalars(select(DomainEvent).order_by(DomainEvent.id)):
        listeners.on_event(Event(row.id, CATALOGUE[row.name], row.occurred_at, CATALOGUE[row.name].decode(row.payload)))
    db.session.commit()
    assert _snapshot() == before

    # A rebuild: the listener's deliveries gone, the read model emptied, then `worker --replay`.
    db.session.execute(EventDelivery.__table__.delete().where(EventDelivery.listener == "insights.funnel"))
    for model in (FunnelWin, FunnelApplication, FunnelOrganisation):
        db.session.execute(model.__table__.delete())
    db.session.commit()
    assert outbox.replay("insights.funnel") == 7
    outbox.run_due()
    assert _snapshot() == before
    assert outbox.replay("insights.funnel") == 0


def test_the_real_path_application_to_first_win(app, w):
    from hub.recruitment import services as recruitment
    from hub.recruitment.rules import CHECKLIST
    from tests.recruitment.conftest import values

    application = recruitment.submit(values())
    recruitment.qualify(w.manager, application.id, list(CHECKLIST))
    approval = recruitment.approve(w.manager, application.id, segment="strategic")
    org_id = approval.organisation.id
    entry = next(e for e in services.entries() if e.organisation_id == org_id)
    assert (entry.application_id, entry.segment, services.STAGES[entry.stage]) == (application.id, "strategic",
                                                                                    "onboarding")
    assert all(t is not None for t in entry.times[:3])
    assert not [e for e in services.entries() if e.organisation_id is None]  # no second entry for the application
