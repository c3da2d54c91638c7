"""The links in reset and invitation e-mails point to HUB_BASE_URL, whatever Host the request named:
`POST /password/forgot` with `Host: evil.test` must not mail the victim a link to evil.test."""
from __future__ import annotations

import pytest

from tests.factories import PASSWORD

from .helpers import link_path, mails_to

BASE = "https://partners.example.test"
FORGED = {"Host": "evil.test", "Accept-Language": "en"}


@pytest.fixture
def app_config():
    return {"HUB_BASE_URL": BASE}


def _bodies(mail) -> str:
    return mail.body + "\n" + (getattr(mail, "html_body", None) or "")


def test_reset_mail_links_to_hub_base_url_not_the_forged_host(client, world):
    response = client.post("/password/forgot", data={"email": "member@alpha.test"}, headers=FORGED)
    assert response.status_code == 303
    [mail] = mails_to("member@alpha.test")
    assert f"{BASE}/password/reset/" in mail.body
    assert "evil.test" not in _bodies(mail) and "localhost" not in _bodies(mail)
    # and the link works on the hub
    assert client.get(link_path(mail), headers={"Accept-Language": "en"}).status_code == 200


def test_invitation_mail_links_to_hub_base_url_not_the_forged_host(client, world):
    # Logged in through the forged host too, so the browser's cookie belongs to it.
    assert client.post("/login", data={"email": "admin@alpha.test", "password": PASSWORD},
                       headers=FORGED).status_code == 303
    response = client.post("/invitations/new", headers=FORGED,
                           data={"email": "new@alpha-partner.ru", "organisation": world.org_a.id,
                                 "role": "member"})
    assert response.status_code == 303
    [mail] = mails_to("new@alpha-partner.ru")
    assert f"{BASE}/invitations/accept/" in mail.body
    assert "evil.test" not in _bodies(mail) and "localhost" not in _bodies(mail)
