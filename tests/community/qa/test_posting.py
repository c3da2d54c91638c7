"""Asking and replying: sanitised Markdown, size limits, mentions, locked threads, htmx and plain."""
import pytest

from hub.community.qa.models import QaPost, QaThread
from hub.extensions import db

from .conftest import ask, count, notes, reply, text, url

EVIL = ('Hi <script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror="alert(3)"> '
        '<a href="javascript:alert(4)">x</a> <iframe src="https://evil.test"></iframe> **bold**')


@pytest.mark.parametrize("htmx", [False, True])
def test_ask_and_reply_through_the_pages(client, login, w, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    login(w.b_member)
    assert "Ask a question" in text(client.get(url("qa.ask")))
    response = client.post(url("qa.ask"), data={"category": "technical", "title": "Sync fails",
                                                 "body": "Exchange **2016** stops"}, headers=headers)
    thread = db.session.scalars(db.select(QaThread)).one()
    target = url("qa.thread", thread_id=thread.id)
    if htmx:
        assert response.status_code == 200 and response.headers["HX-Location"] == target
    else:
        assert response.status_code == 303 and response.headers["Location"] == target
    page = text(client.get(target))
    assert "Sync fails" in page and "<strong>2016</strong>" in page and "Unsolved" in page
    login(w.a_member)
    response = client.post(url("qa.reply", thread_id=thread.id), data={"body": "Reissue the *token*"}, headers=headers)
    assert response.status_code == (200 if htmx else 303)
    page = text(client.get(target))
    assert "<em>token</em>" in page and "1 reply" in page
    assert [n.type for n in notes(w.b_member)] == ["qa.replied"]
    listing = text(client.get(url("qa.space", space="public", category="technical"), headers=headers))
    assert "Sync fails" in listing
    assert ("<html" in listing) is not htmx  # the htmx request gets the threads block only


def test_scripts_handlers_and_javascript_links_are_removed(client, login, w):
    login(w.b_member)
    client.post(url("qa.ask"), data={"category": "general", "title": "<b>Title</b>", "body": EVIL})
    thread = db.session.scalars(db.select(QaThread)).one()
    reply(w.a_member, thread, EVIL)
    page = text(client.get(url("qa.thread", thread_id=thread.id)))
    content = page[page.index("<h1>"):]
    for bad in ("<script", "alert(1)", "javascript:", "onerror", "<iframe", "<img src=x"):
        assert bad not in content, bad
    assert page.count("<strong>bold</strong>") == 2
    assert "&lt;b&gt;Title&lt;/b&gt;" in page  # the title is text, escaped
    stored = db.session.scalars(db.select(QaPost.body_html)).all()
    assert all("script" not in html and "onerror" not in html and "javascript" not in html for html in stored)


def test_a_huge_post_is_refused_next_to_the_field_and_nothing_is_saved(client, login, w):
    login(w.b_member)
    response = client.post(url("qa.ask"), data={"category": "general", "title": "Long", "body": "x" * 20_001})
    assert response.status_code == 422
    assert "At most 20000 characters, this text has 20001." in text(response)
    assert count(QaThread) == 0
    thread = ask(w.a_member)
    response = client.post(url("qa.reply", thread_id=thread.id), data={"body": "y" * 25_000})
    assert response.status_code == 422 and "At most 20000 characters" in text(response)
    assert count(QaPost) == 1
    # Beyond the form size limit of the hub: a 413 with a message, never a 500.
    response = client.post(url("qa.reply", thread_id=thread.id), data={"body": "z" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert count(QaPost) == 1


@pytest.mark.parametrize("data, field_message", [
    ({"category": "general", "title": "", "body": "Body"}, "Give the question a title."),
    ({"category": "general", "title": "T", "body": "   "}, "Write something first."),
    ({"category": "nonsense", "title": "T", "body": "B"}, "Not a valid choice"),
    ({"category": "general", "title": "T\x00", "body": "B"}, ""),
    ({"category": "general", "title": "x" * 201, "body": "B"}, "200"),
])
def test_bad_questions_are_refused(client, login, w, data, field_message):
    login(w.b_member)
    response = client.post(url("qa.ask"), data=data)
    assert 400 <= response.status_code < 500
    assert field_message in text(response)
    assert count(QaThread) == 0


def test_a_reply_to_a_locked_thread_is_refused(client, login, w):
    thread = ask(w.a_member)
    login(w.manager)
    assert client.post(url("qa.lock", thread_id=thread.id)).status_code == 303
    login(w.b_member)
    page = text(client.get(url("qa.thread", thread_id=thread.id)))
    assert "This thread is locked" in page and "Publish the reply" not in page
    response = client.post(url("qa.reply", thread_id=thread.id), data={"body": "Me too"})
    assert response.status_code == 409 and "This thread is locked" in text(response)
    assert count(QaPost) == 1


def test_mentions_notify_people_who_can_read_the_thread(client, login, w):
    thread = ask(w.b_member)
    login(w.a_member)
    response = client.post(url("qa.reply", thread_id=thread.id), follow_redirects=True, data={
        "body": "Ask @admin@beta.test or @Manager@Example.test, not @nobody@nowhere.test."})
    page = text(response)
    assert "Not notified (no such person, or they cannot read this space): @nobody@nowhere.test" in page
    assert len(notes(w.b_admin, "qa.mentioned")) == 1
    assert len(notes(w.manager, "qa.mentioned")) == 1
    assert notes(w.b_admin, "qa.mentioned")[0].link.endswith(f"/community/t/{thread.id}#post-2")


def test_a_mention_of_someone_outside_the_private_space_notifies_nobody(client, login, w):
    thread = ask(w.a_member, category="key-accounts", title="Joint bid", body="Who is in?")
    login(w.a_other)
    page = text(client.post(url("qa.reply", thread_id=thread.id), follow_redirects=True,
                            data={"body": "@member@beta.test could help, and @admin@alpha.test"}))
    assert "Not notified (no such person, or they cannot read this space): @member@beta.test" in page
    assert notes(w.b_member) == []
    assert len(notes(w.a_admin, "qa.mentioned")) == 1
    # The same message for an address nobody has: a mention tells nothing about who has an account.
    page = text(client.post(url("qa.reply", thread_id=thread.id), follow_redirects=True,
                            data={"body": "@ghost@beta.test"}))
    assert "Not notified (no such person, or they cannot read this space): @ghost@beta.test" in page


def test_mail_links_come_from_the_base_url(app, client, login, w):
    from hub.core.models import OutboxMessage
    base = app.config["HUB_BASE_URL"].rstrip("/")
    thread = ask(w.b_member)
    login(w.a_member)
    client.post(url("qa.reply", thread_id=thread.id), data={"body": "Hello"})
    mails = db.session.scalars(db.select(OutboxMessage)).all()
    assert any(f"{base}/community/t/{thread.id}#post-2" in m.body for m in mails), [m.body for m in mails]
