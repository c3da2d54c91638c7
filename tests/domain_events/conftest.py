import pytest

from hub import signals
from hub.domain_events import outbox
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)


@pytest.fixture
def spy():
    """Temporary listeners for one test: spy("tests.name", event_type, func=None) -> list of events
    received. All are unregistered afterwards."""
    names = []

    def register(name, *event_types, func=None):
        seen = []

        def receive(event):
            seen.append(event)
            if func is not None:
                func(event)
        signals.subscribe(name, *event_types)(receive)
        names.append(name)
        return seen
    yield register
    for name in names:
        outbox.unsubscribe(name)
