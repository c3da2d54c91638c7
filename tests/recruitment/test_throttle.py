"""The public form is rate limited per address, like /login."""
import pytest

from hub.recruitment.models import Application

from .conftest import INN, INN2, count, form_data


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "APPLY_RATE_PER_ADDRESS": "2 per minute"}


def test_too_many_posts_are_refused(w, client):
    assert client.post("/recruitment/apply", data=form_data()).status_code == 303
    assert client.post("/recruitment/apply", data=form_data(inn=INN2)).status_code == 303
    third = client.post("/recruitment/apply", data=form_data(inn="7736207543"))
    assert third.status_code == 429
    assert count(Application) == 2
    assert client.get("/recruitment/apply").status_code == 200  # reading the form is not limited
    assert INN != INN2
