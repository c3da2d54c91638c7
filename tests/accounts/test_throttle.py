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
