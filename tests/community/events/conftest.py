from datetime import datetime, timedelta, timezone

import pytest

from hub.community.events.models import Event
from hub.extensions import db
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)

# A fixed moment for the service tests: Monday 1 March 2027, 12:00 in Moscow.
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)


def make_event(slug="crm-webinar", starts=None, capacity=10, **kw) -> Event:
    starts = starts or NOW + timedelta(days=10)
    values = dict(slug=slug, kind="webinar", format="online", language="ru", title_ru="Вебинар о CRM",
                  title_en="CRM webinar", summary_ru="О новом релизе.", summary_en="About the release.",
                  timezone="Europe/Moscow", starts_at=starts, ends_at=starts + timedelta(hours=2),
                  registration_closes_at=kw.pop("closes", starts), capacity=capacity, offer_hours=24,
                  questions=[], agenda=[], speakers=[], status="scheduled")
    values.update(kw)
    event = Event(**values)
    db.session.add(event)
    db.session.commit()
    return event


@pytest.fixture
def event(app):
    return make_event()


@pytest.fixture
def demo_badges(app):
    """The badges of content/badges.yml, loaded as `flask content load` does."""
    from hub.core.cli import CONTENT_LOADERS
    CONTENT_LOADERS["badges"](app.config["CONTENT_DIR"], lambda _text: None)
    db.session.commit()
