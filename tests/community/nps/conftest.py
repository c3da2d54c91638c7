from datetime import datetime, timedelta, timezone

import pytest

from hub.community.nps.models import OPEN, RELATIONSHIP, NpsSurvey
from hub.database import utcnow
from hub.extensions import db
from tests import factories
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)

# A moment in the September round (rules default: rounds open on 1 March and 1 September).
SEPT = datetime(2027, 9, 10, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def w(app):
    world = factories.world()
    world.org_a.tier, world.org_a.segment, world.org_a.partner_type = "gold", "strategic", "integrator"
    world.org_b.tier, world.org_b.segment = "silver", "sales"
    world.manager2 = factories.create_user(world.vendor, "manager", "manager2@example.test", name="Mikhail")
    world.org_a.account_manager_id = world.manager2.id
    db.session.commit()
    return world


def make_survey(user, kind=RELATIONSHIP, key="2027-09", score=None, opened=None, comment="", **kw) -> NpsSurvey:
    """A survey row written directly (the occasion's tick or listener is tested on its own)."""
    opened = opened or utcnow() - timedelta(days=1)
    org = user.organisation
    survey = NpsSurvey(user_id=user.id, organisation_id=user.organisation_id, kind=kind, source_key=key,
                       tier=kw.pop("tier", org.tier), segment=kw.pop("segment", org.segment),
                       partner_type=kw.pop("partner_type", org.partner_type), status=OPEN, opened_at=opened,
                       expires_at=kw.pop("expires_at", opened + timedelta(days=30)), comment=comment,
                       follow_up_note="", **kw)
    if score is not None:
        survey.status, survey.score, survey.answered_at = "answered", score, opened + timedelta(hours=1)
    db.session.add(survey)
    db.session.commit()
    return survey
