"""The organisation profile (issue 9 point 4): partner admins edit their own, managers any; lists from
closed vocabularies, the logo through hub.files (PNG/JPEG, SVG refused); the onboarding step ticks when
the profile is complete; the account manager's contacts are on the organisation page."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from hub import facts, files
from hub.academy import onboarding as academy
from hub.accounts import profile
from hub.accounts.models import Organisation, OrganisationTag
from hub.database import utcnow
from hub.extensions import db
from tests.files import samples
from tests.helpers import url

EN = {"Accept-Language": "en"}


def form(**overrides):
    data = {"website": "volga.example", "description": "Внедряем CRM в Поволжье.",
            "expertise": ["implementation", "training"], "industries": ["retail"], "regions": ["volga", "moscow"],
            "products": ["crm", "bi"], "languages": ["ru"]}
    data.update(overrides)
    return data


def with_logo(data, content: bytes = None, name: str = "logo.png"):
    return {**data, "logo": (io.BytesIO(content if content is not None else samples.png()), name)}


@pytest.fixture
def onboarding(app):
    from hub.academy import loaders
    from tests.academy.conftest import source
    loaders.sync_academy(source())
    db.session.commit()
    academy.ensure_plans()


def test_a_partner_admin_completes_the_profile_and_the_onboarding_step_ticks(client, login, world, onboarding):
    org = world.org_a
    step = lambda: next(s for s in facts.get("onboarding_status", org.id, utcnow())["steps"]  # noqa: E731
                        if s["id"] == "complete-profile")
    assert not step()["done"]
    login(world.a_admin)
    page = client.get(url("accounts.organisation_profile", org_id=org.id), headers=EN)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    response = client.post(url("accounts.organisation_profile", org_id=org.id), data=with_logo(form()),
                           content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.refresh(org)
    assert org.website == "https://volga.example"
    assert org.profile_values("regions") == ["volga", "moscow"] and org.profile_values("products") == ["crm", "bi"]
    assert files.path_of(org.logo_sha256).read_bytes() == samples.png() and org.logo_content_type == "image/png"
    assert org.profile_completed_at is not None and step()["done"] and step()["done_at"] == org.profile_completed_at

    page = client.get(url("accounts.organisation", org_id=org.id), headers=EN).get_data(as_text=True)
    for expected in ("https://volga.example", "Implementation", "User training", "Retail", "Kvant CRM",
                     "Внедряем CRM в Поволжье.", 'class="org-logo"'):
        assert expected in page, expected
    logo = client.get(url("files.download", owner_name=profile.LOGO_OWNER, key=str(org.id)))
    assert logo.status_code == 200 and logo.data == samples.png()
    assert logo.headers["Content-Type"] == "image/png" and logo.headers["Content-Disposition"].startswith("inline;")
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    logo.close()


def test_an_incomplete_profile_says_what_is_missing_and_does_not_tick(client, login, world):
    login(world.a_admin)
    client.post(url("accounts.organisation_profile", org_id=world.org_a.id), data=form(products=[]),
                content_type="multipart/form-data")
    db.session.refresh(world.org_a)
    assert world.org_a.profile_completed_at is None
    page = client.get(url("accounts.organisation", org_id=world.org_a.id), headers=EN).get_data(as_text=True)
    assert "To complete the profile, add a logo, the products you work with." in page


@pytest.mark.parametrize("overrides, field, message", [
    ({"website": "javascript:alert(1)"}, "website", "Enter the company's web address"),
    ({"website": "https://user:pw@example.ru"}, "website", "Enter the company's web address"),
    ({"website": "not a site"}, "website", "Enter the company's web address"),
    ({"website": "https://" + "a" * 200 + ".ru"}, "website", "Field cannot be longer than 200 characters."),
    ({"description": "x" * 2001}, "description", "Field cannot be longer than 2000 characters."),
    ({"regions": ["atlantis"]}, "regions", "Choose only from the list."),
    ({"expertise": ["hacking"]}, "expertise", "Choose only from the list."),
    ({"products": ["crm", "<script>"]}, "products", "Choose only from the list."),
])
def test_bad_input_is_named_next_to_the_field_and_nothing_is_saved(client, login, world, overrides, field, message):
    login(world.a_admin)
    response = client.post(url("accounts.organisation_profile", org_id=world.org_a.id), data=with_logo(form(**overrides)),
                           content_type="multipart/form-data", headers=EN)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html and "Nothing was saved." in html
    db.session.refresh(world.org_a)
    assert world.org_a.website is None and world.org_a.logo_sha256 is None
    assert db.session.scalar(select(OrganisationTag.id)) is None


@pytest.mark.parametrize("content, name, message", [
    (samples.svg(), "logo.svg", "not of an accepted type (accepted: PNG, JPEG)"),
    (samples.pdf(), "logo.png", "not of an accepted type"),
    (samples.exe(), "logo.jpg", "not of an accepted type"),
    (samples.png() + b"0" * 2048, "big.png", "This file is too large: at most 1 KB."),
])
def test_a_wrong_logo_is_refused_and_nothing_is_saved(client, login, world, content, name, message, monkeypatch):
    # Below werkzeug's 500 KB spooling threshold: its test client leaves larger bodies' temp files open.
    assert profile.LOGO.max_bytes == 1024 * 1024
    monkeypatch.setattr(profile, "LOGO", files.UploadRule(types=profile.LOGO.types, max_bytes=1024))
    login(world.a_admin)
    response = client.post(url("accounts.organisation_profile", org_id=world.org_a.id),
                           data=with_logo(form(), content, name), content_type="multipart/form-data", headers=EN)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="logo-error"' in html and message in html
    db.session.refresh(world.org_a)
    assert world.org_a.website is None and world.org_a.logo_sha256 is None


def test_removing_the_logo(client, login, world):
    login(world.a_admin)
    client.post(url("accounts.organisation_profile", org_id=world.org_a.id), data=with_logo(form()),
                content_type="multipart/form-data")
    client.post(url("accounts.organisation_profile", org_id=world.org_a.id), data={**form(), "remove_logo": "y"},
                content_type="multipart/form-data")
    db.session.refresh(world.org_a)
    assert world.org_a.logo_sha256 is None
    assert world.org_a.profile_completed_at is not None  # a step once done stays done


def test_another_organisation_is_404_for_partners_and_members_cannot_edit(client, login, world):
    login(world.b_admin)
    assert client.get(url("accounts.organisation", org_id=world.org_a.id)).status_code == 404
    assert client.get(url("accounts.organisation_profile", org_id=world.org_a.id)).status_code == 404
    assert client.post(url("accounts.organisation_profile", org_id=world.org_a.id), data=form()).status_code == 404
    login(world.b_member)
    assert client.post(url("accounts.organisation_profile", org_id=world.org_a.id), data=form()).status_code == 404
    login(world.a_member)
    assert client.get(url("accounts.organisation", org_id=world.org_a.id)).status_code == 200
    assert client.post(url("accounts.organisation_profile", org_id=world.org_a.id), data=form()).status_code == 403
    db.session.refresh(world.org_a)
    assert world.org_a.website is None


def test_another_organisations_logo_is_404_and_anonymous_viewers_log_in(client, login, world):
    login(world.a_admin)
    client.post(url("accounts.organisation_profile", org_id=world.org_a.id), data=with_logo(form()),
                content_type="multipart/form-data")
    logo_url = url("files.download", owner_name=profile.LOGO_OWNER, key=str(world.org_a.id))
    login(world.b_member)
    assert client.get(logo_url).status_code == 404
    assert client.get(url("files.download", owner_name=profile.LOGO_OWNER, key="../1")).status_code == 404
    login(world.manager)
    response = client.get(logo_url)
    assert response.status_code == 200
    response.close()
    with client.session_transaction() as session:
        session.clear()
    response = client.get(logo_url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_manager_edits_any_profile_and_assigns_the_account_manager(client, login, world):
    login(world.manager)
    response = client.post(url("accounts.organisation_profile", org_id=world.org_b.id),
                           data={**form(), "account_manager": str(world.manager.id)}, content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.refresh(world.org_b)
    assert world.org_b.account_manager_id == world.manager.id
    # a forged manager id (a partner person) is refused
    response = client.post(url("accounts.organisation_profile", org_id=world.org_b.id),
                           data={**form(), "account_manager": str(world.b_admin.id)}, content_type="multipart/form-data")
    assert response.status_code == 422
    db.session.refresh(world.org_b)
    assert world.org_b.account_manager_id == world.manager.id
    # the vendor's own organisation has no partner profile
    assert client.get(url("accounts.organisation_profile", org_id=world.vendor.id)).status_code == 403


def test_partners_find_their_account_managers_contacts_on_the_organisation_page(client, login, world):
    login(world.a_member)
    page = client.get(url("accounts.my_organisation"), headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "Your channel managers" in page and "manager@example.test" in page and "Maria Manager" in page
    assert "Edit the profile" not in page and "Invitations" not in page  # members only read
    world.org_a.account_manager_id = world.admin.id
    db.session.commit()
    page = client.get(url("accounts.organisation", org_id=world.org_a.id), headers=EN).get_data(as_text=True)
    assert "Your account manager" in page and 'href="mailto:admin@example.test"' in page and "Anton Admin" in page


def test_the_faq_points_to_a_page_that_exists(client, login, world):
    from pathlib import Path
    faq = (Path(__file__).resolve().parents[2] / "content" / "pages" / "faq.en.md").read_text(encoding="utf-8")
    assert "organisation's page" in faq
    login(world.a_admin)
    page = client.get(url("accounts.profile"), headers=EN).get_data(as_text=True)
    assert url("accounts.organisation", org_id=world.org_a.id) in page
