"""Absolute links come from HUB_BASE_URL only (one helper, in and outside a request); hosts outside
HUB_TRUSTED_HOSTS are refused with a 400 page; `safe_next` never leaves the hub."""
from __future__ import annotations

import threading

import pytest

from hub import config
from hub.web import absolute_url, path_for, safe_next

BASE = "https://partners.example.test"


@pytest.fixture
def app_config():
    return {"HUB_BASE_URL": BASE + "/"}


def test_absolute_url_outside_a_request_uses_hub_base_url(app):
    assert absolute_url("deals.show", deal_id=7) == BASE + "/deals/7"
    assert absolute_url("core.home") == BASE + "/"
    assert absolute_url("deals.index", status="won", _anchor="list") == BASE + "/deals/?status=won#list"
    assert path_for("deals.show", deal_id=7) == "/deals/7"


def test_absolute_url_in_a_request_ignores_the_host_header(app):
    with app.test_request_context("/", headers={"Host": "evil.test"}):
        assert absolute_url("accounts.reset_password", token="abc") == BASE + "/password/reset/abc"
        assert path_for("deals.show", deal_id=1) == "/deals/1"


def test_absolute_url_in_a_thread(app):
    seen = []

    def work():
        with app.app_context():
            seen.append(absolute_url("academy.verify", code="xyz"))
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [BASE + "/academy/verify/xyz"]


def test_a_hub_mounted_under_a_path_keeps_it(app):
    app.config["HUB_BASE_URL"] = "https://example.test/hub"
    assert absolute_url("deals.show", deal_id=3) == "https://example.test/hub/deals/3"
    assert path_for("deals.show", deal_id=3) == "/hub/deals/3"


def test_trusted_hosts_setting():
    assert config.trusted_hosts(None, BASE) is None
    assert config.trusted_hosts(" , ", BASE) is None
    assert config.trusted_hosts("Hub.Example.com, .example.org", BASE) == [
        "hub.example.com", ".example.org", "partners.example.test"]
    assert config.trusted_hosts("partners.example.test", BASE) == ["partners.example.test"]


@pytest.mark.parametrize("target", [
    "/\\evil.test", "/\\/evil.test", "\\\\evil.test", "\\evil.test", "/%5Cevil.test", "/%5cevil.test",
    "/%255Cevil.test", "/%2F/evil.test", "/%2f%2fevil.test", "//evil.test", "/\t/evil.test",
    "/\n/evil.test", "/%09/evil.test", "https://evil.test/", "http:/evil.test", "javascript:alert(1)",
    "evil.test", "",
])
def test_safe_next_refuses_everything_that_may_leave_the_hub(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/profile", "/deals/?status=won&q=a%20b", "/library/x#y", "/"])
def test_safe_next_keeps_local_paths(target):
    assert safe_next(target, "/home") == target


def test_login_does_not_follow_a_backslash_next(client, world):
    from tests.factories import PASSWORD
    response = client.post("/login", query_string={"next": "/\\evil.test"},
                           data={"email": "member@alpha.test", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/"


class TestTrustedHosts:
    @pytest.fixture
    def app_config(self):
        return {"HUB_BASE_URL": BASE, "TRUSTED_HOSTS": config.trusted_hosts("localhost", BASE)}

    def test_a_listed_host_is_served(self, client):
        assert client.get("/login").status_code == 200
        assert client.get("/login", headers={"Host": "partners.example.test"}).status_code == 200

    def test_another_host_gets_a_400_page_not_a_500(self, client, world):
        from hub.accounts.models import PasswordReset
        from hub.core.models import OutboxMessage
        from hub.extensions import db
        for method, path, data in (("GET", "/login", None), ("GET", "/deals/1", None),
                                   ("POST", "/password/forgot", {"email": "member@alpha.test"}),
                                   ("POST", "/login", {"email": "member@alpha.test", "password": "x"})):
            for headers in ({"Host": "evil.test", "Accept-Language": "en"},
                            {"Host": "evil.test", "Accept-Language": "en", "HX-Request": "true"}):
                response = client.open(path, method=method, data=data, headers=headers)
                assert response.status_code == 400, (method, path)
                page = response.get_data(as_text=True)
                assert "This address does not belong to the hub" in page
                assert "evil.test" not in page
        assert db.session.query(OutboxMessage).count() == 0 and db.session.query(PasswordReset).count() == 0

    def test_a_refused_host_under_csrf_gets_the_same_page(self, app, client):
        app.config["WTF_CSRF_ENABLED"] = True
        response = client.post("/password/forgot", data={"email": "x@y.z"},
                               headers={"Host": "evil.test", "Accept-Language": "en"})
        assert response.status_code == 400
        assert "This address does not belong to the hub" in response.get_data(as_text=True)
