"""Posting is rate limited per person (questions and replies share one budget): the next post is a
429 with a message and is not saved; other people post on."""
import pytest

from hub.community.qa.models import QaPost

from .conftest import ask, count, text, url


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "QA_POST_RATE": "3 per minute"}


def test_flood_posting_is_limited(client, login, w):
    thread = ask(w.a_member)
    login(w.b_member)
    codes = [client.post(url("qa.reply", thread_id=thread.id), data={"body": f"Reply {n}"}).status_code
             for n in range(3)]
    codes.append(client.post(url("qa.ask"), data={"category": "general", "title": "More", "body": "More"}).status_code)
    refused = client.post(url("qa.reply", thread_id=thread.id), data={"body": "Reply 5"})
    assert codes == [303, 303, 303, 429] and refused.status_code == 429
    assert "Too many attempts" in text(refused)
    assert count(QaPost) == 4  # the question and three replies
    assert client.get(url("qa.thread", thread_id=thread.id)).status_code == 200  # reading is not limited
    login(w.a_other)
    assert client.post(url("qa.reply", thread_id=thread.id), data={"body": "Mine"}).status_code == 303
