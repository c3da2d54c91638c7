"""Organisations for the vendor side: list with filters and pagination, page with people,
creating a partner organisation (slug, INN checksum, audit, signal)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from hub import signals
from hub.accounts import services
from hub.accounts.models import Organisation
from hub.extensions import db
from tests.factories import create_org, create_user
from tests.helpers import listening

from .helpers import audit_actions, count, text

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize("who", ["a_member", "a_admin"])
def test_partners_cannot_see_organisations(client, world, login, who):
    login(getattr(world, who))
    assert client.get("/organisations").status_code == 403
    assert client.get(f"/organisations/{world.org_b.id}").status_code == 404  # another organisation
    assert client.get("/organisations/new").status_code == 403
    assert client.post("/organisations/new", data={"name": "X"}).status_code == 403
    assert count(Organisation) == 3


def test_list_shows_type_segment_region_tier_and_people(client, world, login):
    login(world.manager)
    response = client.get("/organisations", headers=EN)
    assert response.status_code == 200
    page = text(response)
    for expected in ("Alpha Integration", "Beta Distribution", "Kvant Soft", "Integrator", "Distributor",
                     "Sales partner", "Moscow region", "Bronze", "<th scope=\"col\">"):
        assert expected in page


def test_filters_and_htmx_block(client, world, login):
    create_org("Gamma Agents", partner_type="agent", segment="referral", region="ural", tier="gold")
    login(world.manager)
    response = client.get("/organisations?partner_type=agent", headers=EN)
    page = text(response)
    assert "Gamma Agents" in page and "Alpha Integration" not in page
    for query, shown, hidden in (("segment=referral", "Gamma", "Alpha"), ("region=ural", "Gamma", "Beta"),
                                 ("tier=gold", "Gamma", "Alpha"), ("q=alpha", "Alpha", "Gamma"),
                                 ("partner_type=distributor", "Beta", "Gamma")):
        response = client.get(f"/organisations?{query}", headers={**EN, "HX-Request": "true"})
        page = text(response)
        assert response.status_code == 200 and "<html" not in page and 'id="org-results"' in page
        assert shown in page and hidden not in page, query
    assert "HX-Request" in response.headers["Vary"]
    # A filter value the page never offers is refused with a message naming it, not silently dropped.
    response = client.get("/organisations?tier=diamond&region=mars", headers=EN)
    assert response.status_code == 400 and "“region”" in text(response)


def test_pagination_and_bounded_queries(client, world, login, count_queries, app):
    for n in range(30):
        org = create_org(f"Zeta {n:02d}")
        create_user(org)
    login(world.manager)
    first = text(client.get("/organisations", headers=EN))
    assert "33 organisations" in first and 'rel="next"' in first
    second = text(client.get("/organisations?page=2", headers=EN))
    assert "Zeta 29" in second and "Zeta 00" not in second
    db.session.expire_all()
    with count_queries() as few:
        client.get("/organisations?page=2")
    for n in range(30, 60):
        create_user(create_org(f"Zeta {n:02d}"))
    db.session.expire_all()
    with count_queries() as many:
        client.get("/organisations?page=2")
    assert few.count == many.count <= 8, (few.statements, many.statements)


def test_organisation_page_lists_its_people(client, world, login):
    services.invite(world.manager, "pending@beta-partner.ru", "member", world.org_b)
    login(world.manager)
    for headers in (EN, {**EN, "HX-Request": "true"}):
        page = text(client.get(f"/organisations/{world.org_b.id}", headers=headers))
        assert "member@beta.test" in page and "admin@beta.test" in page and "alpha.test" not in page
        assert "pending@beta-partner.ru" in page
    assert client.get("/organisations/99999").status_code == 404


def _create(client, headers=EN, **data):
    form = {"name": "ООО «Рога и Копыта»", "partner_type": "dealer", "segment": "strategic",
            "region": "spb", "tier": "silver", "inn": "7707083893"}
    form.update(data)
    return client.post("/organisations/new", data=form, headers=headers)


def test_create_partner_organisation(client, world, login):
    login(world.manager)
    assert client.get("/organisations/new").status_code == 200
    with listening("tests.organisations", signals.organisation_created) as received:
        response = _create(client)
    org = db.session.scalar(select(Organisation).where(Organisation.inn == "7707083893"))
    assert response.status_code == 303 and response.headers["Location"] == f"/organisations/{org.id}"
    assert org.slug == "roga-i-kopyta" and org.kind == "partner"
    assert (org.partner_type, org.segment, org.region, org.tier) == ("dealer", "strategic", "spb", "silver")
    assert audit_actions("organisation") == ["created"]
    assert [(e.organisation_id, e.slug, e.kind, e.partner_type, e.actor_id) for e in received] == [
        (org.id, "roga-i-kopyta", "partner", "dealer", world.manager.id)]
    # Same name again: a free slug, and the INN must differ.
    response = _create(client, inn="")
    assert response.status_code == 303
    assert db.session.scalar(select(Organisation.slug).order_by(Organisation.id.desc()).limit(1)) == "roga-i-kopyta-2"


@pytest.mark.parametrize("data,field", [
    ({"name": ""}, "name"),
    ({"inn": "7707083894"}, "inn"),
    ({"inn": "12345"}, "inn"),
    ({"partner_type": "pirate"}, "partner_type"),
    ({"segment": "friends"}, "segment"),
    ({"region": "mars"}, "region"),
    ({"tier": "diamond"}, "tier"),
])
def test_create_errors_next_to_field_nothing_saved(client, world, login, data, field):
    login(world.admin)
    for headers in (EN, {**EN, "HX-Request": "true"}):
        response = _create(client, headers=headers, **data)
        assert response.status_code == 422
        page = text(response)
        assert f'id="{field}-error"' in page
        assert ("<html" in page) == ("HX-Request" not in headers)
    assert count(Organisation) == 3


def test_duplicate_inn_is_refused(client, world, login):
    login(world.manager)
    assert _create(client).status_code == 303
    response = _create(client, name="Another")
    assert response.status_code == 422 and "already exists" in text(response)


def test_twelve_digit_inn_is_accepted(client, world, login):
    login(world.manager)
    assert _create(client, inn="500100732259").status_code == 303


@pytest.mark.parametrize("name,slug", [
    ("ООО «Рога и Копыта»", "roga-i-kopyta"),
    ("Щукин & Ёжиков LLC", "shchukin-ezhikov"),
    ("Alpha Integration", "alpha-integration"),
    ("ООО", "ooo"),
    ("!!!", "partner"),
])
def test_slugify(app, name, slug):
    assert services.slugify(name) == slug
