"""Onboarding (A4): every new partner organisation gets the plan; steps the hub sees tick themselves;
the partner home page shows the plan and the countdown to the first-deal target."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hub import facts
from hub.academy import onboarding, services
from hub.academy.models import OnboardingDone, OnboardingPlan
from hub.accounts import services as accounts
from hub.database import utcnow
from hub.extensions import db

from .conftest import finish_courses, pass_exam, url


def step(status, slug):
    return next(s for s in status["steps"] if s["id"] == slug)


def test_a_new_partner_organisation_gets_the_plan(academy, world):
    org = accounts.create_organisation(world.admin, "Gamma Systems", "integrator", "sales", "moscow", "bronze")
    plan = db.session.scalar(select(OnboardingPlan).where(OnboardingPlan.organisation_id == org.id))
    assert plan is not None and plan.target_days == 60
    status = facts.get("onboarding_status", org.id, plan.started_at + timedelta(days=10))
    assert [s["id"] for s in status["steps"]][:2] == ["sign-agreement", "complete-profile"]
    assert status["days_left"] == 50 and status["deadline"] == plan.started_at + timedelta(days=60)
    assert step(status, "sign-agreement")["overdue"] and not step(status, "first-deal-won")["overdue"]


def test_existing_organisations_get_plans_from_the_loader(academy, world):
    # world's organisations were created directly (no signal): the loader fills the gap, once.
    assert onboarding.ensure_plans() == 2
    assert onboarding.ensure_plans() == 0
    assert facts.get("onboarding_status", world.vendor.id, utcnow()) is None


def test_certificate_and_first_deal_tick_their_steps(academy, world):
    onboarding.ensure_plans()
    org = world.org_a
    before = facts.get("onboarding_status", org.id, utcnow())
    assert not step(before, "sales-certificate")["done"] and not step(before, "first-deal-registered")["done"]
    finish_courses(world.a_member, "sales")
    pass_exam(world.a_member, "sales", now=utcnow())
    assert db.session.scalar(select(OnboardingDone).where(OnboardingDone.step_slug == "sales-certificate")) is not None

    from hub.deals import services as deals
    deal = deals.register_deal(world.a_admin, deals.DealInput(
        customer_name="ООО «Ромашка»", inn="7707083893", domain="romashka.ru", contact_name="Olga",
        product="crm", amount_kopecks=100_000_00, expected_close_date=deals.program_today() + timedelta(days=30),
        region="moscow"))
    after = facts.get("onboarding_status", org.id, utcnow())
    assert step(after, "sales-certificate")["done"]
    assert step(after, "first-deal-registered")["done"] and after["first_deal_at"] == deal.submitted_at
    assert step(after, "invite-team")["done"]  # two people in the organisation
    assert not step(after, "first-deal-won")["done"]


def test_manual_steps_by_the_partner_admin_or_the_manager(academy, world):
    onboarding.ensure_plans()
    with pytest.raises(services.AcademyError):
        onboarding.mark_step(world.org_a.id, "sign-agreement", world.a_member)
    with pytest.raises(services.AcademyError):
        onboarding.mark_step(world.org_a.id, "sign-agreement", world.b_admin)
    with pytest.raises(services.AcademyError, match="ticks itself"):
        onboarding.mark_step(world.org_a.id, "first-deal-registered", world.a_admin)
    onboarding.mark_step(world.org_a.id, "sign-agreement", world.a_admin)
    onboarding.mark_step(world.org_a.id, "presale-session", world.manager)
    status = facts.get("onboarding_status", world.org_a.id, utcnow())
    assert step(status, "sign-agreement")["done"] and step(status, "presale-session")["done"]


def test_home_page_panel_shows_the_plan_and_the_countdown(client, login, academy, world):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    onboarding.ensure_plans()
    login(world.a_admin)
    html = client.get(url("core.home")).get_data(as_text=True)
    assert "Your first 60 days" in html and "days left to the first-deal target" in html
    assert "Sign the partner agreement" in html
    response = client.post(url("academy.onboarding_step", org_id=world.org_a.id, step="sign-agreement"),
                           data={"next": url("core.home")})
    assert response.status_code == 303 and response.headers["Location"].endswith(url("core.home"))
    assert db.session.scalar(select(OnboardingDone).where(OnboardingDone.organisation_id == world.org_a.id))
    # htmx: HX-Location instead of a redirect
    response = client.post(url("academy.onboarding_step", org_id=world.org_a.id, step="presale-session"),
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Location"]
    # a member sees the plan but cannot tick
    login(world.a_member)
    html = client.get(url("core.home")).get_data(as_text=True)
    assert "Your first 60 days" in html and "Mark done" not in html
    assert client.post(url("academy.onboarding_step", org_id=world.org_a.id, step="first-demo")).status_code == 404


def test_an_attended_event_ticks_the_step_whose_rule_says_so(academy, world):
    from hub import signals
    from hub.academy.models import OnboardingStepDef
    onboarding.ensure_plans()
    db.session.add(OnboardingStepDef(slug="kick-off-webinar", position=99, title_ru="Вебинар", title_en="Webinar",
                                     description_ru="—", description_en="—", due_day=14,
                                     done_by="event_attended", checksum="test"))
    db.session.commit()
    attended = utcnow() - timedelta(hours=1)
    for registration_id in (1, 2):  # two colleagues checked in: the step is done once, at the first
        signals.event_attended.emit(registration_id=registration_id, event_id=7, user_id=world.a_member.id,
                                    organisation_id=world.org_a.id, attended_at=attended)
        db.session.commit()
    rows = db.session.scalars(select(OnboardingDone).where(OnboardingDone.step_slug == "kick-off-webinar")).all()
    assert [(r.organisation_id, r.done_at) for r in rows] == [(world.org_a.id, attended)]
    status = facts.get("onboarding_status", world.org_a.id, utcnow())
    assert step(status, "kick-off-webinar")["done"]
    assert not step(facts.get("onboarding_status", world.org_b.id, utcnow()), "kick-off-webinar")["done"]
