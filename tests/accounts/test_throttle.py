"""Per-address throttling of the login (and password reset request) POSTs."""
from __future__ import annotations

import pytest


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_PER_ADDRESS": "3 per minute"}


def test_fourth_login_post_from_one_address_gets_429(client, world):
    for _ in range(3):
        response = client.post("/login", data={"email": "member@alpha.test", "password": "bad password"})
        assert response.status_code == 422
    response = client.post("/login", data={"email": "member@alpha.test", "password": "bad password"})
    assert response.status_code == 429
    assert "Content-Security-Policy" in response.headers
    # GET is not throttled: the form stays reachable.
    assert client.get("/login").status_code == 200


def test_another_address_is_not_throttled(client, world):
    for _ in range(4):
        client.post("/login", data={"email": "member@alpha.test", "password": "bad"},
                    environ_base={"REMOTE_ADDR": "10.0.0.1"})
    response = client.post("/login", data={"email": "member@alpha.test", "password": "bad"},
                           environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert response.status_code == 422


def test_password_reset_requests_are_throttled_too(client, world):
    for _ in range(3):
        assert client.post("/password/forgot", data={"email": "x@alpha.test"}).status_code == 303
    assert client.post("/password/forgot", data={"email": "x@alpha.test"}).status_code == 429


def test_racing_wrong_passwords_for_an_unknown_address_all_count(app):
    """The first failures of an address without an account are an upsert: eight at once neither
    collide (no error) nor get lost (the address ends up locked, like an account would)."""
    import threading

    from sqlalchemy import select

    from hub.accounts import services
    from hub.accounts.models import LoginFailure
    from hub.database import utcnow
    from hub.extensions import db

    app.config["LOGIN_MAX_FAILURES"] = 100  # count them all, no lock in between
    db.session.remove()
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                assert services.authenticate("racer@nowhere.test", "wrong password") is None
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    row = db.session.scalar(select(LoginFailure))
    assert row.failed_logins == threads_n and row.locked_until is None
    app.config["LOGIN_MAX_FAILURES"] = threads_n + 1
    assert services.authenticate("racer@nowhere.test", "wrong password") is None
    db.session.expire_all()
    assert db.session.scalar(select(LoginFailure)).locked_until > utcnow()
