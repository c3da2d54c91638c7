"""Community Q&A in a real browser (issue 13): a partner asks, a partner of another organisation
answers, the asker accepts the answer; with JavaScript and without. axe-clean on every page visited."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import follow_nav, log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(world):
    from hub.extensions import db
    found = snapshot(world)
    db.session.remove()
    return found


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_ask_answer_accept(open_page, live_server, people, check_a11y, assert_clean, javascript):
    base = live_server.url
    asker = open_page(javascript=javascript)
    log_in(asker, base, people.b_member, check_a11y)
    asker.wait_for_load_state()
    follow_nav(asker, "Community")
    expect(asker.get_by_role("heading", name="Partner community")).to_be_visible()
    check_a11y(asker)
    asker.get_by_role("link", name="Ask a question").click()
    expect(asker.get_by_role("heading", level=1)).to_have_text("Ask a question")
    check_a11y(asker)
    asker.get_by_label("Category").select_option(label="Partner community: Technical questions")
    asker.get_by_label("Question").fill("Calendar sync with Exchange stops")
    asker.get_by_label("Details").fill("After the update **two customers** lost sync. <script>alert(1)</script>")
    asker.get_by_role("button", name="Publish the question").click()
    expect(asker.get_by_text("Your question is published.")).to_be_visible()
    expect(asker.get_by_role("heading", name="Calendar sync with Exchange stops")).to_be_visible()
    expect(asker.locator("strong", has_text="two customers")).to_be_visible()
    check_a11y(asker)
    thread_url = asker.url.split("#")[0]

    helper = open_page(javascript=javascript)
    log_in(helper, base, people.a_member)
    helper.goto(thread_url)
    helper.get_by_label("Your reply").fill("Reissue the application *token* in the integration settings.")
    helper.get_by_role("button", name="Publish the reply").click()
    expect(helper.get_by_text("Your reply is published.")).to_be_visible()
    check_a11y(helper)

    asker.goto(thread_url)
    expect(asker.get_by_text("Reissue the application")).to_be_visible()
    asker.get_by_role("button", name="Helpful").click()
    expect(asker.get_by_text("1 vote", exact=True)).to_be_visible()
    asker.get_by_role("button", name="Accept as the answer").click()
    expect(asker.get_by_text("The reply is marked as the answer.")).to_be_visible()
    expect(asker.get_by_text("Accepted answer")).to_be_visible()
    expect(asker.get_by_text("Solved", exact=True)).to_be_visible()
    check_a11y(asker)
    assert_clean()
