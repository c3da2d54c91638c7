from datetime import timedelta

import pytest

from hub.database import utcnow
from hub.extensions import db
from hub.marketing.mdf import services
from tests import factories
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)


def values(**kw):
    start = utcnow().date() + timedelta(days=3)
    out = {"activity": "webinar", "title": "CRM webinar", "starts_on": start, "ends_on": start,
           "planned_cost_kopecks": 100_000_00, "share_percent": 50, "requested_kopecks": 50_000_00,
           "expected_leads": 10, "expected_pipeline_kopecks": 1_000_000_00}
    out.update(kw)
    return out


def form_data(**kw):
    start = (utcnow().date() + timedelta(days=3)).isoformat()
    out = {"activity": "webinar", "title": "CRM webinar", "starts_on": start, "ends_on": start,
           "planned_cost": "100000", "share_percent": "50", "requested": "50000", "expected_leads": "10",
           "expected_pipeline": "1000000"}
    out.update(kw)
    return out


@pytest.fixture
def w(app):
    world = factories.world()
    world.org_a.tier = "silver"  # 150 000 ₽ a quarter
    world.org_b.tier = "gold"
    world.manager2 = factories.create_user(world.vendor, "manager", "manager2@example.test", name="Mikhail")
    db.session.commit()
    return world


def quarter():
    return services.quarter_of(services.today() + timedelta(days=3))


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def approved(w, ended_days_ago=1, requested=50_000_00, org="a", **kw):
    """An approved request (50 000 ₽ of 100 000 ₽ planned, 50 % share) whose activity ended
    `ended_days_ago` days ago (negative: still to come)."""
    from hub.marketing.mdf.models import MdfRequest
    member = w.a_member if org == "a" else w.b_member
    r = services.submit(member, values(planned_cost_kopecks=requested * 2, requested_kopecks=requested, **kw))
    services.approve(w.manager, r.id)
    r = db.session.get(MdfRequest, r.id)
    end = services.today() - timedelta(days=ended_days_ago)
    r.starts_on, r.ends_on = end - timedelta(days=1), end
    db.session.commit()
    return r


def claim_data(**kw):
    from io import BytesIO
    out = {"actual_cost": "80000", "claimed": "45000", "note": "120 guests", "kind1": "invoice",
           "file1": (BytesIO(PDF), "invoice.pdf")}
    out.update(kw)
    return out


def add_deal(w, deal_id, amount=1_000_000_00, won=None, org=None, days_ago=0):
    """A deal as the deals feature announces it: MDF's listener records it (signals, no import)."""
    from hub import signals
    from hub.database import utcnow
    org = org or w.org_a
    signals.deal_submitted.emit(deal_id=deal_id, organisation_id=org.id, created_by_id=None, product="crm",
                                region="moscow", amount_kopecks=amount,
                                submitted_at=utcnow() - timedelta(days=days_ago), conflict_with_id=None,
                                actor_id=None)
    db.session.commit()
    if won is not None:
        signals.deal_won.emit(deal_id=deal_id, organisation_id=org.id, created_by_id=None, product="crm",
                              amount_kopecks=won, closed_on=None, actor_id=None)
        db.session.commit()
