"""The locator's contact form is public: CSRF-protected and rate limited per address."""
import pytest
from sqlalchemy import func, select

from hub.extensions import db
from hub.marketing.leads.models import Lead

from .conftest import listing, url
from .test_directory import _contact


def leads():
    return db.session.scalar(select(func.count()).select_from(Lead))


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_post_without_the_token_is_refused(self, w, client):
        listing(w.org_a, locator=True)
        response = client.post(url("directory.contact", org_id=w.org_a.id), data=_contact())
        assert response.status_code in (400, 422)
        assert leads() == 0


class TestThrottle:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOCATOR_CONTACT_RATE": "2 per minute"}

    def test_too_many_posts_are_refused(self, w, client):
        listing(w.org_a, locator=True)
        for _ in range(2):
            assert client.post(url("directory.contact", org_id=w.org_a.id), data=_contact()).status_code == 303
        assert client.post(url("directory.contact", org_id=w.org_a.id), data=_contact()).status_code == 429
        assert leads() == 2
        assert client.get(url("directory.locator_partner", org_id=w.org_a.id)).status_code == 200
