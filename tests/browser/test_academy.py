"""The academy in a real browser (issue 3, point 9): a learner finishes a lesson, takes the final
exam and gets a certificate, anyone verifies it, a manager looks at the academy views — with
JavaScript on and off, axe-core clean on every academy page."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hub.academy import onboarding
from hub.academy.models import Attempt, Certificate
from hub.extensions import db

from ..academy.conftest import NOW, finish_courses, pass_exam, source
from .helpers import log_in, snapshot

pytestmark = pytest.mark.browser

LAST_LESSON = "sales-proposal-and-closing"


@pytest.fixture
def people(world):
    from hub.academy import loaders
    loaders.sync_academy(source())
    db.session.commit()
    onboarding.ensure_plans()
    # Everything of the sales track done but its last lesson, which the test marks in the browser.
    finish_courses(world.a_member, "sales")
    finish_courses(world.a_admin, "sales")
    from hub.academy.models import Lesson, LessonProgress
    from sqlalchemy import delete
    last = db.session.scalar(select(Lesson).where(Lesson.slug == LAST_LESSON))
    db.session.execute(delete(LessonProgress).where(LessonProgress.lesson_id == last.id))
    db.session.commit()
    # Something for the manager's views: a certificate in the other organisation.
    finish_courses(world.b_member, "presale")
    pass_exam(world.b_member, "presale", now=NOW)
    snap = snapshot(world)
    db.session.remove()
    return snap


def answer_everything_right(page) -> None:
    attempt = db.session.scalar(select(Attempt).where(Attempt.status == "in_progress"))
    for q in attempt.questions:
        for o in q["options"]:
            if o["correct"]:
                page.locator(f"#o-{o['token']}").check()
    db.session.remove()


def take_the_exam(page, base, check_a11y) -> None:
    page.goto(base + "/academy/")
    check_a11y(page)
    page.get_by_role("link", name="Kvant Sales Specialist").click()
    expect(page.get_by_role("heading", name="Kvant Sales Specialist", level=1)).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Selling Kvant", exact=False).first.click()
    expect(page).to_have_url(re.compile(r"/academy/courses/"))
    check_a11y(page)
    lesson = page.locator(f"a[href$='/academy/lessons/{LAST_LESSON}']")
    lesson.click()
    expect(page).to_have_url(re.compile(rf"/academy/lessons/{LAST_LESSON}$"))
    check_a11y(page)
    page.get_by_role("button", name="Mark lesson done").click()
    expect(page.get_by_text("You have marked this lesson done.").or_(page.get_by_text("Lesson marked done.")).first).to_be_visible()
    check_a11y(page)

    page.goto(base + "/academy/quizzes/sales-final")
    check_a11y(page)
    page.get_by_role("button", name="Start the attempt").click()
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()
    check_a11y(page)
    assert "correct" not in page.content().lower()
    answer_everything_right(page)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Passed")).to_be_visible()
    expect(page.get_by_text("100%", exact=True)).to_be_visible()
    check_a11y(page)

    page.get_by_role("link", name="See your certificate on the track page").click()
    expect(page.get_by_role("link", name="view and print")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="view and print").click()
    expect(page.get_by_role("heading", name="Certificate")).to_be_visible()
    check_a11y(page)


def verify_and_manage(open_page, base, people, check_a11y, javascript: bool) -> None:
    cert = db.session.scalar(select(Certificate).where(Certificate.user_id == people.a_member.id))
    code = cert.code
    db.session.remove()
    anyone = open_page(javascript=javascript)
    anyone.goto(base + f"/academy/verify/{code}")
    expect(anyone.get_by_text("This certificate is valid.")).to_be_visible()
    expect(anyone.get_by_text(people.a_member.name)).to_be_visible()
    check_a11y(anyone)

    manager = open_page(javascript=javascript)
    log_in(manager, base, people.manager)
    manager.goto(base + "/academy/manage")
    expect(manager.get_by_role("rowheader", name=people.a_member.name)).to_be_visible()
    check_a11y(manager)
    manager.get_by_role("link", name="Certificates", exact=True).click()
    expect(manager.get_by_role("heading", name="Certified people per organisation")).to_be_visible()
    check_a11y(manager)
    manager.get_by_role("link", name="90 days").click()
    expect(manager.get_by_role("heading", name="Expiring within 90 days")).to_be_visible()
    check_a11y(manager)
    manager.get_by_role("link", name="Questions", exact=True).click()
    expect(manager.get_by_role("heading", name="Wrong answers per question")).to_be_visible()
    check_a11y(manager)
    manager.get_by_role("link", name="Onboarding plans", exact=True).click()
    expect(manager.get_by_role("heading", name="Alpha Integration")).to_be_visible()
    check_a11y(manager)


def test_take_the_exam_with_javascript(open_page, live_server, people, check_a11y, assert_clean):
    base = live_server.url
    learner = open_page()
    log_in(learner, base, people.a_member, check_a11y)
    take_the_exam(learner, base, check_a11y)
    verify_and_manage(open_page, base, people, check_a11y, javascript=True)
    # The partner admin's home page: the onboarding plan with its countdown.
    admin = open_page()
    log_in(admin, base, people.a_admin, check_a11y)
    expect(admin.get_by_role("heading", name="Your first 60 days")).to_be_visible()
    admin.get_by_role("button", name="Sign the partner agreement").click()
    expect(admin.get_by_text("Step marked done.")).to_be_visible()
    check_a11y(admin)
    assert_clean()


def test_take_the_exam_without_javascript(open_page, live_server, people, check_a11y, assert_clean):
    base = live_server.url
    learner = open_page(javascript=False)
    log_in(learner, base, people.a_member, check_a11y)
    take_the_exam(learner, base, check_a11y)
    verify_and_manage(open_page, base, people, check_a11y, javascript=False)
    assert_clean()
