from datetime import timedelta

import pytest

from hub import signals
from hub.accounts.models import OrganisationTag
from hub.community.directory.models import DirectoryOrganisation, DirectoryPerson
from hub.database import utcnow
from hub.extensions import db
from tests import factories
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)

_cert_ids = iter(range(1000, 10**6))
_deal_ids = iter(range(5000, 10**6))


def listing(org, *, directory=True, locator=False):
    db.session.merge(DirectoryOrganisation(organisation_id=org.id, in_directory=directory, in_locator=locator))
    db.session.commit()


def list_person(user, title="Presale engineer", listed=True):
    db.session.merge(DirectoryPerson(user_id=user.id, organisation_id=user.organisation_id, listed=listed,
                                     job_title=title))
    db.session.commit()


def tag(org, facet, *values):
    for value in values:
        db.session.add(OrganisationTag(organisation_id=org.id, facet=facet, value=value))
    db.session.commit()


def certify(user, track="sales", days=365, cert_id=None):
    """What the academy emits when someone earns a certificate."""
    cert_id = cert_id or next(_cert_ids)
    now = utcnow()
    signals.certificate_earned.emit(certificate_id=cert_id, user_id=user.id, organisation_id=user.organisation_id,
                                    track_slug=track, issued_at=now, expires_at=now + timedelta(days=days),
                                    renewal=False)
    db.session.commit()
    return cert_id


def expire(user, cert_id, track="sales"):
    signals.certificate_expired.emit(certificate_id=cert_id, user_id=user.id, organisation_id=user.organisation_id,
                                     track_slug=track, reason="expired", expired_at=utcnow() + timedelta(seconds=1))
    db.session.commit()


def win(org, region="moscow", *, won_first=False):
    """What deals emits when a deal is registered in a region and later won (in either order)."""
    deal_id = next(_deal_ids)
    now = utcnow()

    def submitted():
        signals.deal_submitted.emit(deal_id=deal_id, organisation_id=org.id, created_by_id=None, product="crm",
                                    region=region, amount_kopecks=100_000, submitted_at=now, conflict_with_id=None,
                                    actor_id=None)

    def won():
        signals.deal_won.emit(deal_id=deal_id, organisation_id=org.id, created_by_id=None, product="crm",
                              amount_kopecks=100_000, closed_on=now.date(), actor_id=None)
    for step in ((won, submitted) if won_first else (submitted, won)):
        step()
        db.session.commit()
    return deal_id


@pytest.fixture(autouse=True)
def _fresh_limits(app):
    """The limiter is one object for every test app: an app that enabled it (another feature's throttle
    test) leaves it on, counting this module's contact posts against the same address."""
    from hub.extensions import limiter
    if getattr(limiter, "_storage", None) is not None:
        limiter.reset()


@pytest.fixture
def w(world):
    return world


def org_with_admin(name, **kw):
    org = factories.create_org(name, **kw)
    admin = factories.create_user(org, "partner_admin", name=f"{name} Admin")
    return org, admin
