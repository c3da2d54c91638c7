from datetime import date, datetime, timedelta, timezone

import pytest

from hub.deals import services
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)

# A fixed moment for the service tests: Monday 2 March 2026, 12:00 in Moscow.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
TODAY = date(2026, 3, 2)


def deal_input(**overrides) -> services.DealInput:
    values = dict(customer_name="ООО «Рога и Копыта»", inn="7707083893", domain="roga.example",
                  contact_name="Ivan Petrov", contact_email="ivan@roga.example", product="crm",
                  amount_kopecks=150_000_000, expected_close_date=TODAY + timedelta(days=60), region="moscow")
    values.update(overrides)
    return services.DealInput(**values)


@pytest.fixture
def register():
    def _register(user, now=NOW, **overrides):
        return services.register_deal(user, deal_input(**overrides), now=now)
    return _register


