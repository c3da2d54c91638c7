"""/admin/event-deliveries: admins only, failed and pending deliveries with their error, retry one
or all, bounded queries, both languages."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from hub import signals
from hub.domain_events.models import DONE, FAILED, PENDING, EventDelivery
from hub.extensions import db

from .conftest import url

pytestmark = pytest.mark.listener_failures


def used(n: int) -> None:
    signals.library_item_used.emit(item_id=n, item_slug=f"item-{n}", item_kind="case_study", user_id=1,
                                   organisation_id=1, action="view", file_name=None)
    db.session.commit()


@pytest.fixture
def broken(spy):
    """A listener that fails until state["broken"] is False."""
    state = {"broken": True}

    def flaky(event):
        if state["broken"]:
            raise ValueError(f"cannot file item {event.item_id}")
    spy("tests.flaky", signals.library_item_used, func=flaky)
    return state


def rows():
    db.session.expire_all()
    return list(db.session.scalars(select(EventDelivery).order_by(EventDelivery.id)))


@pytest.mark.parametrize("who, status", [("manager", 403), ("a_admin", 403), ("a_member", 403)])
def test_only_admins_see_the_page(client, login, world, who, status):
    login(getattr(world, who))
    assert client.get(url("domain_events.deliveries")).status_code == status
    assert client.post(url("domain_events.retry_all")).status_code == status
    page = client.get(url("core.home")).get_data(as_text=True)
    assert url("domain_events.deliveries") not in page


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(url("domain_events.deliveries"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_failed_and_pending_deliveries_with_error_and_retry(client, login, world, broken):
    used(1)
    used(2)
    first, second = rows()
    first.status, first.attempts = FAILED, 10
    db.session.commit()
    login(world.admin)
    home = client.get(url("core.home")).get_data(as_text=True)
    assert f'href="{url("domain_events.deliveries")}"' in home  # in the admin's navigation

    page = client.get(url("domain_events.deliveries")).get_data(as_text=True)
    assert "Event deliveries" in page
    assert page.count("<code>library_item_used</code>") == 2 and page.count("<code>tests.flaky</code>") == 2
    assert "ValueError: cannot file item 1" in page and "ValueError: cannot file item 2" in page
    assert ">failed<" in page and ">pending<" in page
    assert "Failed (1)" in page and "Pending (1)" in page and "Not delivered (2)" in page
    assert page.index("cannot file item 1") < page.index("cannot file item 2")  # failed first
    assert f'action="{url("domain_events.retry", delivery_id=first.id)}"' in page

    only_failed = client.get(url("domain_events.deliveries", status=FAILED)).get_data(as_text=True)
    assert "cannot file item 1" in only_failed and "cannot file item 2" not in only_failed

    # Still broken: the retry is recorded and said so; then fixed: delivered.
    response = client.post(url("domain_events.retry", delivery_id=first.id), follow_redirects=True)
    assert "The listener failed again" in response.get_data(as_text=True)
    assert (rows()[0].status, rows()[0].attempts) == (PENDING, 1)
    broken["broken"] = False
    response = client.post(url("domain_events.retry", delivery_id=first.id), data={"status": FAILED})
    assert response.status_code == 303 and response.headers["Location"].endswith("status=failed")
    assert rows()[0].status == DONE
    page = client.get(url("domain_events.deliveries")).get_data(as_text=True)
    assert "Delivered.</p>" in page and "cannot file item 1" not in page

    response = client.post(url("domain_events.retry", delivery_id=first.id), follow_redirects=True)
    assert "Nothing to retry" in response.get_data(as_text=True)
    assert client.post(url("domain_events.retry", delivery_id=999_999)).status_code == 303
    assert client.post("/admin/event-deliveries/99999999999999999999/retry").status_code == 404


def test_retry_all(client, login, world, broken):
    for n in range(3):
        used(n)
    for row in rows():
        row.status = FAILED
    db.session.commit()
    login(world.admin)
    response = client.post(url("domain_events.retry_all"), follow_redirects=True)
    assert "3 deliveries are due now" in response.get_data(as_text=True)
    assert {(r.status, r.attempts) for r in rows()} == {(PENDING, 0)}
    assert client.post(url("domain_events.retry_all"), headers={"HX-Request": "true"}).headers["HX-Location"]


def test_the_page_speaks_russian_and_its_queries_are_bounded(client, login, world, broken, count_queries):
    used(1)
    login(world.admin)
    ru = client.get(url("domain_events.deliveries"), headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Доставка событий" in ru and "Повторить" in ru
    db.session.expire_all()
    with count_queries() as one:
        client.get(url("domain_events.deliveries"))
    for n in range(2, 30):
        used(n)
    db.session.expire_all()
    with count_queries() as many:
        page = client.get(url("domain_events.deliveries")).get_data(as_text=True)
    assert page.count("<code>tests.flaky</code>") == 29
    assert many.count == one.count


def test_nothing_to_show(client, login, world):
    login(world.admin)
    page = client.get(url("domain_events.deliveries"), headers={"HX-Request": "true", "HX-Target": "deliveries"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Every event has reached every listener." in html and "<html" not in html
