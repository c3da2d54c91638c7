"""Open Badges 2.0 hosted verification (G3): Issuer Profile, BadgeClass and Assertion as JSON-LD,
checked field by field against the specification (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html)."""
from __future__ import annotations

import hashlib
from datetime import datetime

import pytest
from sqlalchemy import select

from hub.academy import services
from hub.academy.models import Certificate
from hub.extensions import db

from .conftest import finish_courses, pass_exam, url

CONTEXT = "https://w3id.org/openbadges/v2"
BASE = "https://partners.example.test"  # HUB_BASE_URL; requests come to http://localhost


@pytest.fixture
def app_config():
    return {"HUB_BASE_URL": BASE}


@pytest.fixture
def cert(academy, world):
    finish_courses(world.a_member, "sales")
    pass_exam(world.a_member, "sales")
    return db.session.scalar(select(Certificate))


def ld(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.data
    assert response.mimetype == "application/ld+json"
    return response.get_json(force=True)


def test_assertion_has_every_required_field(client, cert, world):
    path = url("academy.badge_assertion", code=cert.code)
    data = ld(client, path)
    assert data["@context"] == CONTEXT
    assert data["type"] == "Assertion"
    assert data["id"] == BASE + path  # hosted: the id is where it is served, at HUB_BASE_URL
    recipient = data["recipient"]
    assert recipient["type"] == "email" and recipient["hashed"] is True
    assert recipient["salt"] == cert.salt and len(cert.salt) >= 16
    expected = "sha256$" + hashlib.sha256((world.a_member.email + cert.salt).encode()).hexdigest()
    assert recipient["identity"] == expected
    assert world.a_member.email not in response_text(client, path)
    assert data["badge"] == BASE + url("academy.badge_class", slug="sales")
    assert data["verification"] == {"type": "hosted"}
    assert datetime.fromisoformat(data["issuedOn"]) == cert.issued_at
    assert datetime.fromisoformat(data["expires"]) == cert.expires_at
    evidence = data["evidence"]
    assert isinstance(evidence, list) and evidence[0]["id"].endswith(url("academy.verify", code=cert.code))
    assert evidence[0]["narrative"]


def response_text(client, path):
    return client.get(path).get_data(as_text=True)


def test_badge_class_and_issuer_have_every_required_field(client, cert):
    badge = ld(client, url("academy.badge_class", slug="sales"))
    assert badge["@context"] == CONTEXT and badge["type"] == "BadgeClass"
    assert badge["id"] == BASE + url("academy.badge_class", slug="sales")
    assert badge["name"] == "Kvant Sales Specialist" and badge["description"]
    assert badge["criteria"]["narrative"]
    image = client.get(badge["image"].replace(BASE, ""))
    assert image.status_code == 200 and image.mimetype == "image/svg+xml" and b"<svg" in image.data
    issuer = ld(client, badge["issuer"].replace(BASE, ""))
    assert issuer["@context"] == CONTEXT and issuer["type"] == "Profile"
    assert issuer["id"] == badge["issuer"]
    assert issuer["name"] == "Kvant Soft" and issuer["url"] == BASE + "/"
    assert "@" in issuer["email"]


def test_a_revoked_assertion_answers_410(client, cert, world):
    services.revoke(cert, world.manager, "Shared the exam answers")
    data = ld(client, url("academy.badge_assertion", code=cert.code), status=410)
    assert data["revoked"] is True and data["revocationReason"] == "Shared the exam answers"
    assert data["id"].endswith(url("academy.badge_assertion", code=cert.code))


def test_unknown_codes_and_tracks_are_404(client, academy):
    assert client.get(url("academy.badge_assertion", code="nope")).status_code == 404
    assert client.get(url("academy.badge_class", slug="nope")).status_code == 404
    assert client.get(url("academy.verify", code="x" * 100)).status_code == 404


def test_verification_page_is_public(client, cert, world):
    page = client.get(url("academy.verify", code=cert.code))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert world.a_member.name in html and "Alpha Integration" in html and "Kvant Sales Specialist" in html
    assert "This certificate is valid." in html
    assert world.a_member.email not in html
    services.revoke(cert, world.manager, "Fraud")
    assert "This certificate was revoked." in client.get(url("academy.verify", code=cert.code)).get_data(as_text=True)


def test_ids_come_from_hub_base_url_never_from_the_host_header(client, cert):
    """A forged Host must not turn the hosted verification ids into links to another site."""
    forged = {"Host": "evil.test"}
    for path in (url("academy.badge_assertion", code=cert.code), url("academy.badge_class", slug="sales"),
                 url("academy.badge_issuer")):
        response = client.get(path, headers=forged)
        assert response.status_code == 200
        data = response.get_json(force=True)
        assert data["id"] == BASE + path
        assert "evil.test" not in response.get_data(as_text=True)
