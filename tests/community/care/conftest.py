from datetime import timedelta

import pytest

from hub.community.care import services
from hub.community.care.models import CareActionItem, CareQbr
from hub.extensions import db
from tests import factories
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)


@pytest.fixture
def w(app):
    """Two key partners (A Gold, B Platinum) and a Silver one (C), both with account managers."""
    world = factories.world()
    world.org_a.tier, world.org_b.tier = "gold", "platinum"
    world.org_a.account_manager_id = world.manager.id
    world.org_b.account_manager_id = world.manager.id
    world.org_c = factories.create_org("Gamma Silver", slug="gamma", tier="silver")
    world.c_admin = factories.create_user(world.org_c, "partner_admin", "admin@gamma.test", name="Galina Gamma")
    db.session.commit()
    return world


def make_qbr(org, manager, notes="Secret plan of A", days=-10) -> CareQbr:
    qbr = CareQbr(organisation_id=org.id, meeting_on=services.today() + timedelta(days=days),
                  agenda="Quarter results", notes=notes, created_by_id=manager.id)
    db.session.add(qbr)
    db.session.commit()
    return qbr


def make_item(qbr, owner, due_days=5, title="Send the plan", done=False) -> CareActionItem:
    from hub.database import utcnow
    item = CareActionItem(qbr_id=qbr.id, organisation_id=qbr.organisation_id, title=title, owner_id=owner.id,
                          due_on=services.today() + timedelta(days=due_days), done_at=utcnow() if done else None)
    db.session.add(item)
    db.session.commit()
    return item
