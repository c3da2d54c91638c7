"""Partner applications: the public form (validation, duplicates, honeypot, consent), the managers' queue
(qualify with the checklist, ask, answer by token, decline, approve) and the whole path to the new
partner's first login. Statuses can't be skipped; partners and visitors never reach the queue."""
from sqlalchemy import select

from hub.accounts.models import Invitation, Organisation, User
from hub.domain_events.models import EventDelivery
from hub.extensions import db
from hub.recruitment import services
from hub.recruitment.models import APPROVED, DECLINED, INFO, QUALIFIED, SUBMITTED, Application, Target
from hub.recruitment.rules import CHECKLIST
from tests.helpers import events

from .conftest import INN, INN2, audit_actions, count, form_data, link_path, mails_to, text, values

HX = {"HX-Request": "true", "HX-Target": "apply-form"}


def test_program_page_buttons_open_the_form(client):
    page = text(client.get("/program"))
    assert page.count('href="/recruitment/apply"') == 2
    form = client.get("/recruitment/apply")
    assert form.status_code == 200
    body = text(form)
    for name in ("company", "inn", "website", "partner_type", "regions", "products", "expected_deals",
                 "contact_name", "contact_email", "contact_phone", "consent"):
        assert f'name="{name}"' in body
    assert "<div hidden>" in body and 'name="nickname"' in body


def test_apply_saves_links_target_and_mails_the_applicant(w, client):
    db.session.add(Target(company="Новый партнёр", domain="new-partner.example", stage="contacted"))
    db.session.commit()
    response = client.post("/recruitment/apply", data=form_data())
    assert response.status_code == 303 and response.headers["Location"] == "/recruitment/apply/thanks"
    assert "Your application is received" in text(client.get(response.headers["Location"]))
    app_row = db.session.scalar(select(Application))
    assert (app_row.status, app_row.inn, app_row.open_inn) == (SUBMITTED, INN, INN)
    assert app_row.contact_email == "nadia@new-partner.example" and app_row.domain == "new-partner.example"
    assert app_row.regions == "moscow,spb" and app_row.products == "crm"
    target = db.session.scalar(select(Target))
    assert app_row.target_id == target.id and target.stage == "applied"
    [mail] = mails_to("nadia@new-partner.example")
    assert "ООО «Новый партнёр»" in mail.body
    assert audit_actions("recruitment_application") == ["submitted"]
    assert events("application_submitted")


def test_apply_with_htmx_returns_the_form_block_or_a_location(w, client):
    bad = client.post("/recruitment/apply", data=form_data(inn="1234567890"), headers=HX)
    assert bad.status_code == 422
    body = text(bad)
    assert body.lstrip().startswith("<form") and "<html" not in body
    assert "not a valid INN" in body
    good = client.post("/recruitment/apply", data=form_data(), headers=HX)
    assert good.status_code == 200 and good.headers["HX-Location"] == "/recruitment/apply/thanks"
    assert count(Application) == 1


def test_bad_input_saves_nothing(w, client):
    cases = [
        (form_data(inn="7707083894"), "not a valid INN"),               # checksum
        (form_data(inn="1111111111"), "not a valid INN"),               # placeholder
        (form_data(consent=None), "only be reviewed with your consent"),
        (form_data(regions=None), "Choose at least one region"),
        (form_data(regions=["atlantis"]), "Choose only from the list"),
        (form_data(contact_email="not-an-address"), "Invalid email"),
        (form_data(company=""), "This field is required"),
        (form_data(referrer="nobody-knows"), "No partner has this referral code"),
        (form_data(company="x" * 300), "200"),
        (form_data(company="bad\x00byte"), ""),
        (form_data(website="javascript://%0aalert(1)"), "address of the company"),
        (form_data(website="not a site"), "address of the company"),
    ]
    for data, message in cases:
        response = client.post("/recruitment/apply", data=data)
        assert response.status_code in (400, 422), (data, response.status_code)
        assert message in text(response), (message, text(response)[:3000])
    assert count(Application) == 0
    assert not mails_to("nadia@new-partner.example")


def test_honeypot_pretends_and_keeps_nothing(w, client):
    response = client.post("/recruitment/apply", data=form_data(nickname="buy cheap pills"))
    assert response.status_code == 303 and response.headers["Location"] == "/recruitment/apply/thanks"
    assert count(Application) == 0 and not mails_to("nadia@new-partner.example")


def test_duplicate_open_application_and_existing_organisation(w, client):
    assert client.post("/recruitment/apply", data=form_data()).status_code == 303
    again = client.post("/recruitment/apply", data=form_data(contact_email="other@new-partner.example"))
    assert again.status_code == 422 and "already being reviewed" in text(again)
    w.org_a.inn = INN2
    db.session.commit()
    taken = client.post("/recruitment/apply", data=form_data(inn=INN2))
    assert taken.status_code == 422 and "already exists" in text(taken)
    assert count(Application) == 1
    # the service refuses too (a caller that skipped the form)
    try:
        services.submit(values())
        raise AssertionError("a second open application for one INN")
    except services.RecruitmentError as exc:
        assert exc.field == "inn"
    assert count(Application) == 1


def test_a_declined_inn_may_apply_again(w):
    first = services.submit(values())
    services.decline(w.manager, first.id, "Not now")
    again = services.submit(values())
    assert again.id != first.id and again.open_inn == INN


def test_referral_link_fills_the_code(w, client):
    page = text(client.get("/recruitment/apply?ref=alpha"))
    assert 'value="alpha"' in page
    assert 'value="nope"' not in text(client.get("/recruitment/apply?ref=nope"))
    client.post("/recruitment/apply", data=form_data(referrer="alpha"))
    assert db.session.scalar(select(Application)).referrer_id == w.org_a.id


def test_partners_and_visitors_never_reach_the_queue(w, client, login):
    application = services.submit(values())
    assert client.get("/recruitment/").status_code in (302, 401)
    for who in (w.a_admin, w.a_member):
        login(who)
        for path in ("/recruitment/", f"/recruitment/applications/{application.id}", "/recruitment/targets",
                     "/recruitment/costs"):
            assert client.get(path).status_code == 403, path
        for step in ("qualify", "approve", "decline", "ask"):
            response = client.post(f"/recruitment/applications/{application.id}/{step}",
                                   data={"checklist": list(CHECKLIST), "decline-reason": "x", "ask-reason": "x",
                                         "segment": "sales"})
            assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == SUBMITTED
    try:
        services.approve(w.a_admin, application.id)
        raise AssertionError("a partner approved")
    except services.NotFound:
        pass


def test_queue_lists_by_status_plain_and_htmx(w, client, login):
    a = services.submit(values())
    b = services.submit(values(inn=INN2, company="Второй"))
    services.decline(w.manager, b.id, "No")
    login(w.manager)
    page = text(client.get("/recruitment/"))
    assert "ООО «Новый партнёр»" in page and "Второй" not in page and "Declined (1)" in page
    block = client.get("/recruitment/?status=declined", headers={"HX-Request": "true", "HX-Target": "applications"})
    assert block.status_code == 200 and "Второй" in text(block) and "<html" not in text(block)
    assert client.get("/recruitment/?status=forged").status_code == 400
    assert client.get(f"/recruitment/applications/{a.id}").status_code == 200
    assert client.get("/recruitment/applications/999999").status_code == 404


def test_statuses_cannot_be_skipped_or_forged(w, client, login):
    application = services.submit(values())
    login(w.manager)
    # approve straight from "submitted"
    response = client.post(f"/recruitment/applications/{application.id}/approve", data={"segment": "sales"})
    assert response.status_code == 409 and "no longer in a state" in text(response)
    # qualify without every checklist item
    response = client.post(f"/recruitment/applications/{application.id}/qualify", data={"checklist": list(CHECKLIST[:2])})
    assert response.status_code == 422 and "Tick every item" in text(response)
    response = client.post(f"/recruitment/applications/{application.id}/qualify", data={"checklist": ["forged"]})
    assert response.status_code == 422
    # decline without a reason
    response = client.post(f"/recruitment/applications/{application.id}/decline", data={"decline-reason": " "})
    assert response.status_code == 422
    assert client.post(f"/recruitment/applications/{application.id}/forged").status_code == 404
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == SUBMITTED
    assert count(Organisation) == 3
    services.decline(w.manager, application.id, "No")
    # a decided application takes no decision any more
    for step, data in (("qualify", {"checklist": list(CHECKLIST)}), ("decline", {"decline-reason": "again"}),
                       ("ask", {"ask-reason": "?"})):
        assert client.post(f"/recruitment/applications/{application.id}/{step}", data=data).status_code == 409


def test_ask_answer_by_token_then_decline(w, client, login):
    application = services.submit(values())
    login(w.manager)
    response = client.post(f"/recruitment/applications/{application.id}/ask",
                           data={"ask-reason": "How many certified engineers do you have?"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == INFO
    mail = mails_to("nadia@new-partner.example")[-1]
    assert "certified engineers" in mail.body
    path = link_path(mail, "/answer/")
    client.post("/logout")
    page = client.get(path)
    assert page.status_code == 200 and "certified engineers" in text(page)
    assert client.post(path, data={"answer": ""}).status_code == 422
    assert client.post(path, data={"answer": "Three"}).status_code == 303
    db.session.expire_all()
    row = db.session.get(Application, application.id)
    assert (row.status, row.answer, row.answer_token_hash) == (SUBMITTED, "Three", None)
    # the link works once
    assert client.get(path).status_code == 404
    assert client.post(path, data={"answer": "Again"}).status_code == 404
    assert client.get("/recruitment/apply/answer/not-a-token").status_code == 404
    login(w.manager)
    response = client.post(f"/recruitment/applications/{application.id}/decline",
                           data={"decline-reason": "No implementation experience"})
    assert response.status_code == 303
    db.session.expire_all()
    row = db.session.get(Application, application.id)
    assert (row.status, row.open_inn) == (DECLINED, None)
    assert "No implementation experience" in mails_to("nadia@new-partner.example")[-1].body
    assert audit_actions("recruitment_application") == ["submitted", "info_requested", "answered", "declined"]


def test_full_path_to_the_first_login(w, client, login):
    db.session.add(Target(company="Новый партнёр", inn=INN, stage="interested"))
    db.session.commit()
    assert client.post("/recruitment/apply", data=form_data(referrer="alpha")).status_code == 303
    application = db.session.scalar(select(Application))
    login(w.manager)
    response = client.post(f"/recruitment/applications/{application.id}/qualify", data={"checklist": list(CHECKLIST)})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == QUALIFIED
    response = client.post(f"/recruitment/applications/{application.id}/approve", data={"segment": "referral"})
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]))
    assert "is a partner now and its contact is invited" in page
    db.session.expire_all()
    row = db.session.get(Application, application.id)
    org = db.session.get(Organisation, row.organisation_id)
    assert row.status == APPROVED and row.open_inn is None
    assert (org.name, org.inn, org.kind, org.partner_type, org.segment, org.region, org.tier) == (
        "ООО «Новый партнёр»", INN, "partner", "integrator", "referral", "moscow", "bronze")
    assert db.session.scalar(select(Target)).stage == "signed"
    # the onboarding plan: academy received organisation_created and handled it
    delivery = db.session.scalar(select(EventDelivery).where(EventDelivery.listener == "academy.onboarding_plan"))
    assert delivery is not None and delivery.status == "done"
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.email, invitation.organisation_id, invitation.role) == (
        "nadia@new-partner.example", org.id, "partner_admin")
    mails = mails_to("nadia@new-partner.example")
    assert len(mails) == 4  # received, qualified, approved, the invitation
    assert "first review" in mails[1].body and "approved" in mails[2].body
    path = link_path(mails[3], "/invitations/accept/")
    client.post("/logout")
    response = client.post(path, data={"name": "Nadia New", "password": "a long password 1",
                                       "confirm": "a long password 1"})
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "nadia@new-partner.example"))
    assert user.organisation_id == org.id and user.role == "partner_admin"
    assert "Nadia New" in text(client.get("/"))
    actions = audit_actions("recruitment_application")
    assert actions == ["submitted", "qualified", "approved"]
    assert [p["decision"] for _n, p in events("application_decided")] == ["qualified", "approved"]


def test_approve_when_the_contact_already_has_an_account(w, client, login):
    application = services.submit(values(contact_email="member@alpha.test"))
    services.qualify(w.manager, application.id, list(CHECKLIST))
    login(w.manager)
    response = client.post(f"/recruitment/applications/{application.id}/approve", data={"segment": "sales"})
    assert response.status_code == 303
    assert "no invitation was sent" in text(client.get(response.headers["Location"]))
    db.session.expire_all()
    row = db.session.get(Application, application.id)
    assert row.status == APPROVED and row.organisation_id
    assert count(Invitation) == 0
    assert "already has an account" in text(client.get(f"/recruitment/applications/{application.id}"))


def test_approve_twice_makes_one_organisation(w):
    application = services.submit(values())
    services.qualify(w.manager, application.id, list(CHECKLIST))
    services.approve(w.manager, application.id)
    try:
        services.approve(w.manager2, application.id)
        raise AssertionError("approved twice")
    except services.RecruitmentError:
        pass
    assert count(Organisation, Organisation.inn == INN) == 1
