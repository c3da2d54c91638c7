"""Partner NPS in a real browser: a partner finds the open survey on the home page, sends the form
without a score (the message sits next to the scale), then answers 0–10 with a comment; the account
manager sees the comment to follow up. With JavaScript (htmx swaps the answer region) and without.
axe-clean on every page visited."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hub.community.nps.models import NpsSurvey
from hub.extensions import db
from tests.community.nps.conftest import make_survey

from .helpers import log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(world):
    world.org_a.account_manager_id = world.manager.id
    db.session.commit()
    make_survey(world.a_member)
    people = snapshot(world)
    db.session.remove()
    return people


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_answer_a_survey(open_page, live_server, people, check_a11y, assert_clean, javascript):
    base = live_server.url
    page = open_page(javascript=javascript)
    log_in(page, base, people.a_member, check_a11y)
    expect(page.get_by_role("heading", name="Tell us how we are doing")).to_be_visible()
    page.get_by_role("link", name="Relationship survey").click()
    expect(page.get_by_text("How likely are you to recommend our partner program")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Choose a score from 0 to 10.")).to_be_visible()
    check_a11y(page)
    page.get_by_label("9", exact=True).check()
    page.get_by_label("What is the main reason for your score? (optional)").fill("Fast deal approvals")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Thank you for your answer!")).to_be_visible()
    expect(page.get_by_text("with 9 out of 10")).to_be_visible()
    check_a11y(page)
    db.session.expire_all()
    survey = db.session.scalar(select(NpsSurvey))
    assert (survey.score, survey.comment) == (9, "Fast deal approvals")
    db.session.remove()

    manager = open_page(javascript=javascript)
    log_in(manager, base, people.manager)
    manager.goto(f"{base}/nps/manage/answers")
    expect(manager.get_by_text("Fast deal approvals")).to_be_visible()
    check_a11y(manager)
    manager.goto(f"{base}/nps/manage/results")
    expect(manager.get_by_role("heading", name="Partner NPS")).to_be_visible()
    check_a11y(manager)
    assert_clean()
