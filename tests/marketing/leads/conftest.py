from datetime import timedelta

import pytest

from hub.extensions import db
from hub.marketing.leads import services
from hub.deals import public as deals
from tests import factories
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)

INN = "7707083893"  # a valid legal entity's INN
OTHER_INN = "7728168971"


def lead_values(**kw):
    out = dict(source="web", company="Romashka LLC", inn=INN, contact_name="Ivan Petrov",
               contact_email="ivan@romashka.test", contact_phone="", region="spb", segment="retail", product="crm",
               notes="Wants CRM for 40 seats")
    out.update(kw)
    return out


def convert_data(**kw):
    out = {"inn": INN, "domain": "", "product": "crm", "amount": "1500000",
           "expected_close_date": (deals.program_today() + timedelta(days=30)).isoformat()}
    out.update(kw)
    return out


@pytest.fixture
def w(app):
    world = factories.world()
    world.org_a.region, world.org_a.tier = "spb", "gold"
    world.org_b.region = "moscow"
    world.a_admin2 = factories.create_user(world.org_a, "partner_admin", "admin2@alpha.test", name="Alina Alpha")
    world.ref_org = factories.create_org("Gamma Customer", slug="gamma", segment="referral", tier="silver")
    world.ref_member = factories.create_user(world.ref_org, "member", "member@gamma.test", name="Gleb Gamma")
    db.session.commit()
    return world


def offered(w, org=None, **kw):
    lead = services.new_lead(w.manager, lead_values(**kw))
    return services.offer(w.manager, lead.id, (org or w.org_a).id)
