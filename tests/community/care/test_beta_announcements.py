"""The beta programme (publish, sign up once, feedback, managers see both) and closed announcements
by tier (only the chosen tiers see and hear of them, per each person's e-mail choice)."""
from datetime import timedelta

from sqlalchemy import func, select

from hub.community.care import services
from hub.community.care.models import CareAnnouncement, CareBeta, CareBetaSignup
from hub.core.models import Notification, NotificationPreference
from hub.extensions import db

from .conftest import url


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def make_beta(w, tiers="gold,platinum", closes_days=10) -> CareBeta:
    beta = CareBeta(title="Analytics beta", description="Early access", tiers=tiers,
                    signup_closes_on=services.today() + timedelta(days=closes_days), created_by_id=w.manager.id)
    db.session.add(beta)
    db.session.commit()
    return beta


def test_manager_publishes_a_beta_and_bad_input_is_refused(client, login, w):
    login(w.manager)
    closes = (services.today() + timedelta(days=5)).isoformat()
    good = {"title": "Analytics beta", "description": "Early access", "tiers": ["gold", "platinum"],
            "signup_closes_on": closes}
    for bad in ({**good, "tiers": []}, {**good, "tiers": ["diamond"]}, {**good, "title": ""},
                {**good, "signup_closes_on": (services.today() - timedelta(days=1)).isoformat()},
                {**good, "signup_closes_on": "9999-12-31"}, {**good, "description": "x\x00"}):
        assert client.post(url("care.beta_new"), data=bad).status_code == 422, bad
    assert count(CareBeta) == 0
    response = client.post(url("care.beta_new"), data=good)
    assert response.status_code == 303
    beta = db.session.scalar(select(CareBeta))
    assert beta.tier_list == ["gold", "platinum"]
    login(w.a_admin)
    assert client.post(url("care.beta_new"), data=good).status_code == 403


def test_key_partners_sign_up_once_and_leave_feedback(client, login, w):
    beta = make_beta(w)
    login(w.a_member)
    assert "Analytics beta" in client.get(url("care.betas")).get_data(as_text=True)
    assert client.post(url("care.beta_feedback", beta_id=beta.id), data={"feedback": "Early"}).status_code == 409
    assert client.post(url("care.beta_signup", beta_id=beta.id)).status_code == 303
    login(w.a_admin)  # a colleague: the organisation is already signed up
    response = client.post(url("care.beta_signup", beta_id=beta.id))
    assert response.status_code == 409 and "already signed up" in response.get_data(as_text=True)
    assert count(CareBetaSignup) == 1
    assert client.post(url("care.beta_feedback", beta_id=beta.id), data={"feedback": "  "}).status_code == 422
    assert client.post(url("care.beta_feedback", beta_id=beta.id), data={"feedback": "Works well"}).status_code == 303
    login(w.manager)
    page = client.get(url("care.beta", beta_id=beta.id)).get_data(as_text=True)
    assert "Alpha Integration" in page and "Works well" in page and "Arkady Alpha" in page


def test_other_tiers_and_closed_betas(client, login, w):
    beta = make_beta(w, tiers="platinum")
    login(w.a_admin)  # Gold
    assert "Analytics beta" not in client.get(url("care.betas")).get_data(as_text=True)
    assert client.get(url("care.beta", beta_id=beta.id)).status_code == 404
    assert client.post(url("care.beta_signup", beta_id=beta.id)).status_code == 404
    assert client.post(url("care.beta_feedback", beta_id=beta.id), data={"feedback": "x"}).status_code == 404
    closed = make_beta(w, closes_days=-1)
    response = client.post(url("care.beta_signup", beta_id=closed.id))
    assert response.status_code == 409 and "closed" in response.get_data(as_text=True)
    login(w.manager)
    assert client.post(url("care.beta_signup", beta_id=beta.id)).status_code == 403
    assert count(CareBetaSignup) == 0
    # Platinum B does not see A's feedback page of sign-ups (partners never see the list).
    services.sign_up(w.b_admin, beta)
    login(w.b_member)
    page = client.get(url("care.beta", beta_id=beta.id)).get_data(as_text=True)
    assert "Sign-ups and feedback" not in page and "signed up on" in page


def test_announcements_reach_only_the_chosen_tiers(client, login, w):
    db.session.add(NotificationPreference(user_id=w.b_member.id, type="care.announcement", email="off"))
    db.session.commit()
    login(w.manager)
    for bad in ({"title": "", "body": "x", "tiers": ["gold"]}, {"title": "T", "body": "x", "tiers": []},
                {"title": "T", "body": "x", "tiers": ["nope"]}):
        assert client.post(url("care.announcement_new"), data=bad).status_code == 422
    assert count(CareAnnouncement) == 0
    response = client.post(url("care.announcement_new"),
                           data={"title": "Platinum discount", "body": "5 % more", "tiers": ["platinum"]})
    assert response.status_code == 303
    row = db.session.scalar(select(CareAnnouncement))
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.type == "care.announcement")))
    assert told == {w.b_admin.id, w.b_member.id}
    from flask import current_app

    from hub.core.models import OutboxMessage
    mailed = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "care.announcement")))
    assert [m.recipient for m in mailed] == [w.b_admin.email]  # b_member chose no e-mail
    link = current_app.config["HUB_BASE_URL"].rstrip("/") + url("care.announcement", announcement_id=row.id)
    assert link in mailed[0].body
    login(w.a_admin)
    assert "Platinum discount" not in client.get(url("care.announcements")).get_data(as_text=True)
    assert client.get(url("care.announcement", announcement_id=row.id)).status_code == 404
    login(w.b_member)
    assert "Platinum discount" in client.get(url("care.announcements")).get_data(as_text=True)
    assert "5 % more" in client.get(url("care.announcement", announcement_id=row.id)).get_data(as_text=True)
    login(w.a_admin)
    assert client.post(url("care.announcement_new"), data={"title": "T", "body": "x", "tiers": ["gold"]}
                       ).status_code == 403


def test_htmx_posts_answer_with_hx_location_and_pages_render_in_russian(client, login, w):
    beta = make_beta(w)
    login(w.a_admin)
    response = client.post(url("care.beta_signup", beta_id=beta.id), headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Location"] == url("care.beta", beta_id=beta.id)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    for path in (url("care.index"), url("care.betas"), url("care.beta", beta_id=beta.id), url("care.announcements")):
        response = client.get(path)
        assert response.status_code == 200, path
    assert "Партнёрство" in client.get(url("care.index")).get_data(as_text=True)
