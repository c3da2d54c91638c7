"""Votes and the accepted answer: one vote per person, the asker or a manager accepts, points and the
"helpful answer" badge once per answer (accept, take back, accept again)."""
import pytest
from sqlalchemy import select

from hub.community.qa import services
from hub.community.qa.models import QaThread, QaVote
from hub.extensions import db
from hub.rewards.models import Badge, BadgeAward, PointEntry
from tests.helpers import payloads

from .conftest import ask, count, notes, reply, text, url


@pytest.fixture
def answered(w):
    thread = ask(w.b_member, title="How to import contacts?")
    answer = reply(w.a_member, thread, "Use the 1C template.")
    return thread, answer


@pytest.mark.parametrize("htmx", [False, True])
def test_one_vote_per_person(client, login, w, answered, htmx):
    _thread, answer = answered
    headers = {"HX-Request": "true"} if htmx else {}
    login(w.b_admin)
    first = client.post(url("qa.vote", post_id=answer.id), headers=headers)
    assert first.status_code == (200 if htmx else 303)
    if htmx:
        assert "1 vote" in text(first) and "<html" not in text(first)
    second = client.post(url("qa.vote", post_id=answer.id), headers=headers)
    assert second.status_code == 409 and "You have already voted for this reply." in text(second)
    assert count(QaVote) == 1
    db.session.refresh(answer)
    assert answer.votes == 1


def test_no_vote_for_ones_own_reply_or_for_a_question(client, login, w, answered):
    thread, answer = answered
    login(w.a_member)
    response = client.post(url("qa.vote", post_id=answer.id))
    assert response.status_code == 409 and "You cannot vote for your own reply." in text(response)
    question = db.session.scalar(select(services.QaPost).where(services.QaPost.is_question.is_(True)))
    assert client.post(url("qa.vote", post_id=question.id)).status_code == 409
    assert count(QaVote) == 0


@pytest.mark.parametrize("who", ["a_member", "a_admin", "b_admin"])
def test_only_the_asker_or_a_manager_accepts(client, login, w, answered, who):
    thread, answer = answered
    login(getattr(w, who))
    page = text(client.get(url("qa.thread", thread_id=thread.id)))
    assert "Accept as the answer" not in page
    response = client.post(url("qa.accept", post_id=answer.id))
    assert response.status_code == 403
    assert "Only the person who asked, or a manager, chooses the answer." in text(response)
    db.session.expire_all()
    assert db.session.get(QaThread, thread.id).accepted_post_id is None
    assert payloads("answer_accepted") == []


def test_the_asker_accepts_and_the_answerer_gets_points_and_the_badge_once(client, login, w, answered, badges_loaded):
    thread, answer = answered
    login(w.b_member)
    assert "Accept as the answer" in text(client.get(url("qa.thread", thread_id=thread.id)))
    assert client.post(url("qa.accept", post_id=answer.id)).status_code == 303
    page = text(client.get(url("qa.thread", thread_id=thread.id)))
    assert "Accepted answer" in page and "Solved" in page and "Not the answer" in page
    assert notes(w.a_member, "qa.accepted")
    # Take it back, accept again, accept twice: one event per acceptance, points and badge once.
    assert client.post(url("qa.unaccept", thread_id=thread.id)).status_code == 303
    assert "Unsolved" in text(client.get(url("qa.thread", thread_id=thread.id)))
    client.post(url("qa.accept", post_id=answer.id))
    client.post(url("qa.accept", post_id=answer.id))
    assert len(payloads("answer_accepted")) == 2
    assert payloads("answer_accepted")[0]["user_id"] == w.a_member.id
    entries = db.session.scalars(select(PointEntry).where(PointEntry.action == "accepted_answer")).all()
    assert [(e.user_id, e.points, e.source_key) for e in entries] == [(w.a_member.id, 15, f"answer:{answer.id}")]
    badge = db.session.scalar(select(Badge).where(Badge.slug == "helpful-answer"))
    awards = db.session.scalars(select(BadgeAward).where(BadgeAward.badge_id == badge.id)).all()
    assert [a.user_id for a in awards] == [w.a_member.id]


def test_a_manager_accepts_when_the_asker_forgets(client, login, w, answered):
    thread, answer = answered
    login(w.manager)
    assert client.post(url("qa.accept", post_id=answer.id), headers={"HX-Request": "true"}).status_code == 200
    db.session.expire_all()
    assert db.session.get(QaThread, thread.id).accepted_post_id == answer.id
    assert len(payloads("answer_accepted")) == 1


def test_accepting_another_reply_moves_the_mark(w, answered):
    thread, answer = answered
    other = reply(w.manager, thread, "Or the CSV import.")
    services.accept(w.b_member, other.id)
    services.accept(w.b_member, answer.id)
    db.session.expire_all()
    assert db.session.get(QaThread, thread.id).accepted_post_id == answer.id
    assert db.session.get(services.QaPost, other.id).accepted_at is None
    # The vendor's reply earns no partner points: only the partner's acceptance is an event.
    assert [p["answer_id"] for p in payloads("answer_accepted")] == [answer.id]


def test_accepting_ones_own_reply_gives_no_points(w):
    thread = ask(w.b_member)
    own = reply(w.b_member, thread, "Found it myself.")
    services.accept(w.b_member, own.id)
    assert payloads("answer_accepted") == []
    assert db.session.get(QaThread, thread.id).accepted_post_id == own.id
