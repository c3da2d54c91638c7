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
