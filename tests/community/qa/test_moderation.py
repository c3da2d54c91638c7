"""Moderation by managers (hide/unhide, lock, move), reports by users (once each) and the queue."""
import pytest

from hub.community.qa.models import QaPost, QaReport, QaThread
from hub.extensions import db

from .conftest import ask, count, reply, text, url


@pytest.fixture
def thread(w):
    t = ask(w.b_member, title="Sync fails", body="Exchange stops syncing")
    t.answer = reply(w.a_member, t, "Buy my course at spam.example")
    return t


def test_a_user_reports_a_post_once_and_managers_see_the_queue(client, login, w, thread):
    login(w.b_member)
    response = client.post(url("qa.report", post_id=thread.answer.id), data={"reason": "Advertising"})
    assert response.status_code == 303
    assert "You reported this post." in text(client.get(url("qa.thread", thread_id=thread.id)))
    again = client.post(url("qa.report", post_id=thread.answer.id), data={"reason": "Again"})
    assert again.status_code == 409 and "You have already reported this post" in text(again)
    assert count(QaReport) == 1
    assert client.get(url("qa.reports")).status_code == 403  # partners have no queue
    login(w.manager)
    queue = text(client.get(url("qa.reports")))
    assert "Sync fails" in queue and "Advertising" in queue and "1 open report" in queue


def test_one_cannot_report_ones_own_post(client, login, w, thread):
    login(w.a_member)
    response = client.post(url("qa.report", post_id=thread.answer.id), data={"reason": "x"})
    assert response.status_code == 409 and count(QaReport) == 0


def test_hiding_a_post_removes_it_for_partners_and_closes_its_reports(client, login, w, thread):
    login(w.b_admin)
    client.post(url("qa.report", post_id=thread.answer.id), data={"reason": "spam"})
    login(w.manager)
    assert client.post(url("qa.hide", post_id=thread.answer.id)).status_code == 303
    assert "Hidden by a manager" in text(client.get(url("qa.thread", thread_id=thread.id)))
    assert "No open reports." in text(client.get(url("qa.reports")))
    login(w.b_member)
    page = text(client.get(url("qa.thread", thread_id=thread.id)))
    assert "spam.example" not in page
    assert client.post(url("qa.vote", post_id=thread.answer.id)).status_code == 404
    assert client.post(url("qa.accept", post_id=thread.answer.id)).status_code == 404
    login(w.manager)
    client.post(url("qa.unhide", post_id=thread.answer.id))
    login(w.b_member)
    assert "spam.example" in text(client.get(url("qa.thread", thread_id=thread.id)))


def test_hiding_the_question_hides_the_thread(client, login, w, thread):
    question = db.session.scalar(db.select(QaPost).where(QaPost.is_question.is_(True)))
    login(w.manager)
    client.post(url("qa.hide", post_id=question.id))
    assert "Sync fails" in text(client.get(url("qa.index")))  # managers still see it, marked
    login(w.a_member)
    assert "Sync fails" not in text(client.get(url("qa.index")))
    assert client.get(url("qa.thread", thread_id=thread.id)).status_code == 404


def test_partners_cannot_moderate(client, login, w, thread):
    login(w.b_admin)
    for endpoint, values in (("qa.hide", {"post_id": thread.answer.id}), ("qa.unhide", {"post_id": thread.answer.id}),
                             ("qa.lock", {"thread_id": thread.id}), ("qa.unlock", {"thread_id": thread.id}),
                             ("qa.move", {"thread_id": thread.id})):
        assert client.post(url(endpoint, **values), data={"category": "sales"}).status_code == 403
    db.session.expire_all()
    t = db.session.get(QaThread, thread.id)
    assert (t.locked, t.category, db.session.get(QaPost, thread.answer.id).hidden) == (False, "general", False)


def test_move_to_another_category_and_into_the_private_space(client, login, w, thread):
    login(w.manager)
    assert client.post(url("qa.move", thread_id=thread.id), data={"category": "technical"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(QaThread, thread.id).category == "technical"
    assert client.post(url("qa.move", thread_id=thread.id), data={"category": "bogus"}).status_code == 422
    client.post(url("qa.move", thread_id=thread.id), data={"category": "roadmap"})
    db.session.expire_all()
    assert db.session.get(QaThread, thread.id).space == "private"
    login(w.b_member)  # Silver: the thread moved out of reach
    assert client.get(url("qa.thread", thread_id=thread.id)).status_code == 404


def test_lock_and_unlock(client, login, w, thread):
    login(w.manager)
    client.post(url("qa.lock", thread_id=thread.id))
    assert "Open for replies" in text(client.get(url("qa.thread", thread_id=thread.id)))
    client.post(url("qa.unlock", thread_id=thread.id))
    login(w.b_member)
    assert client.post(url("qa.reply", thread_id=thread.id), data={"body": "Thanks"}).status_code == 303


def test_a_bad_report_reason_is_refused_with_a_message(client, login, w, thread):
    login(w.b_member)
    response = client.post(url("qa.report", post_id=thread.answer.id), data={"reason": "x" * 501})
    assert response.status_code == 422 and "500" in text(response)
    assert count(QaReport) == 0
