"""Issue 8, point 6: eight partner sessions opening and downloading library items at once, against
the WSGI app on a file-backed SQLite (and on PostgreSQL): no error, and every view and download
counted exactly, each with its library_item_used event."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hub.accounts.models import MEMBER
from hub.domain_events.models import DomainEvent
from hub.extensions import db
from hub.library.models import LibraryItem, LibraryUsage
from tests import factories

from .conftest import url

pytestmark = pytest.mark.usefixtures("library")

THREADS = 8
ROUNDS = 25
ITEMS = [("crm-roi-payback-calculator", "kvant-crm-roi-calculator.xlsx"),
         ("battlecard-crm-vs-1c-crm", "battlecard-crm-vs-1c-crm.pdf")]


def test_eight_sessions_view_and_download_at_once(app, world, login):
    users = [world.a_member, world.a_admin, world.b_member, world.b_admin]
    users += [factories.create_user(org, MEMBER) for org in (world.org_a, world.org_b) for _ in range(2)]
    people = [(u.id, u.organisation_id) for u in users]
    pages = [(url("library.show", slug=slug), url("library.download", slug=slug, name=name)) for slug, name in ITEMS]
    clients = []
    for user in users:
        # A plain client: each request pushes its own app context (and session), as under gunicorn.
        client = FlaskClient(app, app.response_class, use_cookies=True)
        login(user, target=client)
        clients.append(client)
    db.session.commit()
    db.session.remove()

    barrier = threading.Barrier(THREADS)
    errors: list[str] = []
    lock = threading.Lock()

    def run(client: FlaskClient, n: int) -> None:
        try:
            barrier.wait(timeout=60)
            for i in range(ROUNDS):
                show, download = pages[(n + i) % len(pages)]
                for target in (show, download):
                    response = client.get(target)
                    response.close()
                    if response.status_code != 200:
                        with lock:
                            errors.append(f"{target}: {response.status_code}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(client, n)) for n, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert errors == []

    expected = Counter()
    for n, (_user_id, org_id) in enumerate(people):
        for i in range(ROUNDS):
            expected[(ITEMS[(n + i) % len(ITEMS)][0], org_id)] += 1
    slugs = dict(db.session.execute(select(LibraryItem.id, LibraryItem.slug)).all())
    usage = {(slugs[u.item_id], u.organisation_id): (u.views, u.downloads) for u in db.session.scalars(select(LibraryUsage))}
    assert usage == {key: (count, count) for key, count in expected.items()}
    assert sum(v for v, _ in usage.values()) == THREADS * ROUNDS
    assert db.session.scalar(select(func.count(DomainEvent.id)).where(
        DomainEvent.name == "library_item_used")) == 2 * THREADS * ROUNDS
