"""The list, the month view and the event page run a fixed number of queries whatever the data."""
from datetime import timedelta

from hub.community.events import services
from hub.database import utcnow

from .conftest import make_event, url


def _count(client, count_queries, path):
    client.get(path)  # warm: the session's login row, the rules
    with count_queries() as counter:
        assert client.get(path).status_code == 200
    return counter.count


def test_pages_do_not_grow_with_events_or_registrations(client, login, world, count_queries):
    login(world.a_member)
    start = (utcnow() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    first = make_event("e-0", starts=start, capacity=50)
    services.register(world.a_member, first.id)
    month = start.strftime("%Y-%m")
    paths = [url("events.index"), url("events.month", month=month), url("events.show", slug="e-0")]
    few = [_count(client, count_queries, p) for p in paths]
    for n in range(1, 15):
        event = make_event(f"e-{n}", starts=start + timedelta(hours=n), capacity=50)
        services.register(world.a_member, event.id)
        services.register(world.b_member, event.id)
    many = [_count(client, count_queries, p) for p in paths]
    assert many == few
