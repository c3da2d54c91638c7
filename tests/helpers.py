"""Helpers shared by the feature test folders."""
import pytest


def url(endpoint: str, **values) -> str:
    """url_for from a test (the tests hold an app context, not a request)."""
    from flask import current_app, url_for
    with current_app.test_request_context():
        return url_for(endpoint, **values)


@pytest.fixture(autouse=True)
def _english_browser(request):
    """Route tests read the English UI (the default locale is Russian). A feature's conftest opts in
    with `from tests.helpers import _english_browser  # noqa: F401`."""
    if "client" in request.fixturenames:
        client = request.getfixturevalue("client")
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def events(name: str | None = None) -> list[tuple[str, dict]]:
    """The domain events stored so far (oldest first) as (name, decoded payload)."""
    from sqlalchemy import select

    from hub.domain_events.models import DomainEvent
    from hub.extensions import db
    from hub.signals import CATALOGUE
    query = select(DomainEvent).order_by(DomainEvent.id)
    if name is not None:
        query = query.where(DomainEvent.name == name)
    return [(e.name, CATALOGUE[e.name].decode(e.payload)) for e in db.session.scalars(query)]


def payloads(name: str) -> list[dict]:
    return [payload for _, payload in events(name)]


class listening:
    """`with listening("tests.spy", signals.deal_won) as seen:` — a listener for the block's
    duration that records each event it receives (or runs `func(event)` when given)."""

    def __init__(self, name, *event_types, func=None):
        self.name, self.event_types, self.func = name, event_types, func
        self.seen: list = []

    def __enter__(self):
        from hub import signals

        def receive(event):
            self.seen.append(event)
            if self.func is not None:
                self.func(event)
        signals.subscribe(self.name, *self.event_types)(receive)
        return self.seen

    def __exit__(self, *exc):
        from hub.domain_events.outbox import unsubscribe
        unsubscribe(self.name)
        return False
