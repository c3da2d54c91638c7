"""Invitations: who may invite whom where, the e-mail with its absolute link, single use, expiry,
the accept page, the team page and revoking."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.accounts import services
from hub.accounts.models import Invitation, User, token_digest
from hub.core.models import OutboxMessage
from hub.database import utcnow
from hub.extensions import db

from .helpers import audit_actions, count, link_path, mails_to, text

EN = {"Accept-Language": "en"}


def invite_post(client, **data):
    return client.post("/invitations/new", data=data, headers=EN)


# --- sending --------------------------------------------------------------------------------------

def test_partner_admin_invites_a_colleague_to_own_org(client, world, login):
    login(world.a_admin)
    page = text(client.get("/invitations/new", headers=EN))
    assert "Alpha Integration" in page and 'name="organisation"' in page
    response = invite_post(client, email="New.Person@alpha-partner.ru", name="Nina New",
                           organisation=world.org_a.id, role="member")
    assert response.status_code == 303
    assert response.headers["Location"] == "/team"
    invitation = db.session.scalar(select(Invitation))
    assert invitation.email == "new.person@alpha-partner.ru"
    assert invitation.organisation_id == world.org_a.id and invitation.role == "member"
    assert invitation.invited_by_id == world.a_admin.id
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    [mail] = mails_to("new.person@alpha-partner.ru")
    assert "Alpha Integration" in mail.subject
    path = link_path(mail)
    token = path.rsplit("/", 1)[1]
    # Only the digest is stored, never the token itself.
    assert invitation.token_hash == token_digest(token) and token not in invitation.token_hash
    assert audit_actions("invitation") == ["sent"]
    team = text(client.get("/team", headers=EN))
    assert "new.person@alpha-partner.ru" in team and "Pending" in team


def test_partner_admin_cannot_forge_another_organisation(client, world, login):
    login(world.a_admin)
    response = invite_post(client, email="spy@beta-partner.ru", organisation=world.org_b.id, role="member")
    assert response.status_code == 422
    assert count(Invitation) == 0 and count(OutboxMessage) == 0


@pytest.mark.parametrize("role", ["manager", "admin", "root"])
def test_partner_admin_cannot_forge_a_vendor_role(client, world, login, role):
    login(world.a_admin)
    response = invite_post(client, email="boss@alpha-partner.ru", organisation=world.org_a.id, role=role)
    assert response.status_code == 422
    assert 'id="role-error"' in text(response)
    assert count(Invitation) == 0


def test_member_cannot_invite(client, world, login):
    login(world.a_member)
    assert client.get("/invitations/new").status_code == 403
    response = invite_post(client, email="x@alpha-partner.ru", organisation=world.org_a.id, role="member")
    assert response.status_code == 403
    assert client.get("/team").status_code == 403
    assert count(Invitation) == 0


def test_anonymous_cannot_invite(client, world):
    response = client.post("/invitations/new", data={"email": "x@alpha-partner.ru", "role": "member",
                                                     "organisation": world.org_a.id})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert count(Invitation) == 0


def test_manager_invites_to_any_partner_org(client, world, login):
    login(world.manager)
    page = text(client.get(f"/invitations/new?organisation={world.org_b.id}", headers=EN))
    assert f'<option selected value="{world.org_b.id}">' in page
    response = invite_post(client, email="boss@beta-partner.ru", organisation=world.org_b.id,
                           role="partner_admin")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/organisations/{world.org_b.id}"
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.organisation_id, invitation.role) == (world.org_b.id, "partner_admin")


def test_manager_invites_a_manager_to_the_vendor(client, world, login):
    login(world.manager)
    response = invite_post(client, email="second.manager@kvant.ru", organisation=world.vendor.id,
                           role="manager")
    assert response.status_code == 303
    assert count(Invitation, Invitation.role == "manager") == 1


def test_manager_cannot_make_an_admin_but_an_admin_can(client, world, login):
    login(world.manager)
    response = invite_post(client, email="a2@kvant.ru", organisation=world.vendor.id, role="admin")
    assert response.status_code == 422
    login(world.admin)
    response = invite_post(client, email="a2@kvant.ru", organisation=world.vendor.id, role="admin")
    assert response.status_code == 303


@pytest.mark.parametrize("org_attr,role", [("vendor", "member"), ("vendor", "partner_admin"),
                                           ("org_a", "manager"), ("org_a", "admin")])
def test_roles_must_fit_the_organisation(client, world, login, org_attr, role):
    login(world.admin)
    response = invite_post(client, email="x@somewhere.ru", organisation=getattr(world, org_attr).id, role=role)
    assert response.status_code == 422
    assert 'id="role-error"' in text(response)
    assert count(Invitation) == 0


def test_existing_account_is_refused_next_to_the_email(client, world, login):
    login(world.manager)
    response = invite_post(client, email="Admin@Beta.test", organisation=world.org_b.id, role="member")
    # .test is a reserved domain: the e-mail field is where the refusal must show either way.
    assert response.status_code == 422
    world.b_member.email = "berta@beta-partner.ru"
    db.session.commit()
    response = invite_post(client, email="BERTA@beta-partner.ru", organisation=world.org_b.id, role="member")
    assert response.status_code == 422
    page = text(response)
    assert 'id="email-error"' in page and "already has an account" in page
    assert count(Invitation) == 0 and count(OutboxMessage) == 0


def test_invalid_form_shows_errors_and_saves_nothing_plain_and_htmx(client, world, login):
    login(world.a_admin)
    for headers in (EN, {**EN, "HX-Request": "true"}):
        response = client.post("/invitations/new", data={"email": "not-an-address", "role": "member",
                                                         "organisation": world.org_a.id}, headers=headers)
        assert response.status_code == 422
        page = text(response)
        assert 'id="email-error"' in page and 'aria-invalid="true"' in page
        if "HX-Request" in headers:
            assert page.lstrip().startswith("<form") and "<html" not in page
        else:
            assert "<html" in page
    assert count(Invitation) == 0


def test_second_pending_invitation_to_same_address_is_refused(client, world, login):
    login(world.a_admin)
    assert invite_post(client, email="twice@alpha-partner.ru", organisation=world.org_a.id,
                       role="member").status_code == 303
    response = invite_post(client, email="twice@alpha-partner.ru", organisation=world.org_a.id, role="member")
    assert response.status_code == 422 and "still pending" in text(response)
    assert count(Invitation) == 1


def test_htmx_invite_success_answers_with_hx_location(client, world, login):
    login(world.a_admin)
    response = client.post("/invitations/new", headers={"HX-Request": "true"},
                           data={"email": "hx@alpha-partner.ru", "role": "member", "organisation": world.org_a.id})
    assert response.status_code == 200 and response.headers["HX-Location"] == "/team"


def test_service_refuses_a_partner_admin_for_a_foreign_org(app, world):
    with app.test_request_context():
        with pytest.raises(PermissionError):
            services.invite(world.a_admin, "x@beta-partner.ru", "member", world.org_b)
        with pytest.raises(PermissionError):
            services.invite(world.a_member, "x@alpha-partner.ru", "member", world.org_a)
    assert count(Invitation) == 0


# --- accepting ------------------------------------------------------------------------------------

def _invite(world, email="new@alpha-partner.ru", role="member", org=None, now=None):
    invitation, token = services.invite(world.a_admin if org is None else world.manager, email, role,
                                        org or world.org_a, now=now)
    return invitation, token


def test_accept_creates_the_account_logs_in_and_is_single_use(app, client, world):
    invitation, token = _invite(world)
    path = link_path(mails_to("new@alpha-partner.ru")[0])
    assert path == f"/invitations/accept/{token}"
    page = client.get(path, headers=EN)
    assert page.status_code == 200 and "Alpha Integration" in text(page)
    response = client.post(path, data={"name": "Nina New", "password": "a long password 1",
                                       "confirm": "a long password 1"}, headers=EN)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    user = db.session.scalar(select(User).where(User.email == "new@alpha-partner.ru"))
    assert user.name == "Nina New" and user.role == "member" and user.organisation_id == world.org_a.id
    assert user.password_hash.startswith("scrypt:") and "a long password 1" not in user.password_hash
    assert "Nina New" in text(client.get("/"))  # logged in as the new user
    db.session.refresh(invitation)
    assert invitation.accepted_at is not None
    assert audit_actions("invitation") == ["sent", "accepted"]
    # Second use: a clear page, no second account.
    client.post("/logout")
    again = client.get(path, headers=EN)
    assert again.status_code == 410 and "already been used" in text(again)
    again = client.post(path, data={"name": "Evil", "password": "another password", "confirm": "another password"})
    assert again.status_code == 410
    assert count(User, User.email == "new@alpha-partner.ru") == 1


def test_expired_invitation_is_refused(app, client, world):
    _invitation, token = _invite(world, now=utcnow() - timedelta(days=8))
    response = client.get(f"/invitations/accept/{token}", headers=EN)
    assert response.status_code == 410 and "expired" in text(response)
    response = client.post(f"/invitations/accept/{token}",
                           data={"name": "Late", "password": "a long password 1", "confirm": "a long password 1"})
    assert response.status_code == 410
    assert count(User, User.email == "new@alpha-partner.ru") == 0


def test_unknown_token_gets_a_clear_page(client):
    response = client.get("/invitations/accept/not-a-real-token", headers=EN)
    assert response.status_code == 410 and "not valid" in text(response)


@pytest.mark.parametrize("data,field", [
    ({"name": "", "password": "a long password 1", "confirm": "a long password 1"}, "name"),
    ({"name": "Nina", "password": "short", "confirm": "short"}, "password"),
    ({"name": "Nina", "password": "a long password 1", "confirm": "a long password 2"}, "confirm"),
])
def test_accept_form_errors_next_to_field_nothing_saved(client, world, data, field):
    invitation, token = _invite(world)
    for headers in (EN, {**EN, "HX-Request": "true"}):
        response = client.post(f"/invitations/accept/{token}", data=data, headers=headers)
        assert response.status_code == 422
        assert f'id="{field}-error"' in text(response)
    assert count(User, User.email == "new@alpha-partner.ru") == 0
    db.session.refresh(invitation)
    assert invitation.accepted_at is None


def test_address_that_got_an_account_meanwhile_is_refused(client, world):
    _invitation, token = _invite(world)
    from tests.factories import create_user
    create_user(world.org_b, email="new@alpha-partner.ru")
    response = client.post(f"/invitations/accept/{token}",
                           data={"name": "Nina", "password": "a long password 1", "confirm": "a long password 1"})
    assert response.status_code == 410
    assert count(User, User.email == "new@alpha-partner.ru") == 1


# --- team page and revoking -----------------------------------------------------------------------

def test_team_page_lists_own_people_only(client, world, login):
    login(world.a_admin)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/team", headers=headers)
        page = text(response)
        assert "member@alpha.test" in page and "admin@alpha.test" in page
        assert "beta.test" not in page
        assert ("<html" in page) == ("HX-Request" not in headers)


def test_revoke_pending_invitation(client, world, login):
    invitation, token = _invite(world)
    login(world.a_admin)
    response = client.post(f"/invitations/{invitation.id}/revoke")
    assert response.status_code == 303 and response.headers["Location"] == "/team"
    db.session.refresh(invitation)
    assert invitation.revoked_at is not None
    assert audit_actions("invitation") == ["sent", "revoked"]
    client.post("/logout")
    page = client.get(f"/invitations/accept/{token}", headers=EN)
    assert page.status_code == 410 and "withdrawn" in text(page)


def test_revoke_of_foreign_invitation_is_404(client, world, login):
    invitation, _token = services.invite(world.b_admin, "x@beta-partner.ru", "member", world.org_b)
    login(world.a_admin)
    assert client.post(f"/invitations/{invitation.id}/revoke").status_code == 404
    login(world.a_member)
    assert client.post(f"/invitations/{invitation.id}/revoke").status_code == 403
    db.session.refresh(invitation)
    assert invitation.revoked_at is None
    login(world.manager)
    assert client.post(f"/invitations/{invitation.id}/revoke").status_code == 303
    db.session.refresh(invitation)
    assert invitation.revoked_at is not None


def test_revoking_an_accepted_invitation_changes_nothing(client, world, login):
    invitation, token = _invite(world)
    services.accept_invitation(token, "Nina", "a long password 1")
    login(world.a_admin)
    response = client.post(f"/invitations/{invitation.id}/revoke", headers=EN, follow_redirects=True)
    assert "Only a pending invitation" in text(response)
    db.session.refresh(invitation)
    assert invitation.revoked_at is None


def test_revoked_address_can_be_invited_again(app, world):
    invitation, _token = _invite(world)
    services.revoke_invitation(world.a_admin, invitation)
    again, _token = _invite(world)
    assert again.id != invitation.id
