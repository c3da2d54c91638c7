"""A long thread comes in pages of replies (50 each): the question on every page, the accepted answer
first on the first page, a pager without JavaScript, a page past the last is 404, and a new reply
takes its author to the page that shows it."""
import re

from hub.community.qa import services

from .conftest import ask, reply, text, url


def _long_thread(w, n=55):
    thread = ask(w.b_member, title="A long thread", body="The **question** itself.")
    posts = [reply(w.a_member if i % 2 else w.manager, thread, f"Reply number {i:02d}.") for i in range(n)]
    return thread, posts


def _shown(page: str) -> list[str]:
    return re.findall(r"Reply number (\d\d)\.", page)


def test_replies_come_fifty_to_a_page_with_the_question_on_each(client, login, w):
    thread, _ = _long_thread(w)
    login(w.b_admin)
    first = text(client.get(url("qa.thread", thread_id=thread.id)))
    assert "55 replies" in first
    assert _shown(first) == [f"{i:02d}" for i in range(50)]
    assert "The <strong>question</strong> itself." in first
    assert f'href="/community/t/{thread.id}?page=2" rel="next"' in first
    assert "Page 1 of 2" in first
    second = text(client.get(url("qa.thread", thread_id=thread.id, page=2)))
    assert _shown(second) == [f"{i:02d}" for i in range(50, 55)]
    assert "The <strong>question</strong> itself." in second
    assert 'rel="prev"' in second
    assert client.get(url("qa.thread", thread_id=thread.id, page=3)).status_code == 404
    assert client.get(f"/community/t/{thread.id}?page=zwei").status_code == 404


def test_the_accepted_answer_leads_the_first_page_only(client, login, w):
    thread, posts = _long_thread(w)
    services.accept(w.b_member, posts[52].id)
    login(w.b_admin)
    first = _shown(text(client.get(url("qa.thread", thread_id=thread.id))))
    assert first[0] == "52" and len(first) == 50
    assert first[1:] == [f"{i:02d}" for i in range(49)]
    second = _shown(text(client.get(url("qa.thread", thread_id=thread.id, page=2))))
    assert second == [f"{i:02d}" for i in range(49, 55) if i != 52]
    assert services.page_of_reply(w.b_admin, thread.id, posts[48].id) == 1
    assert services.page_of_reply(w.b_admin, thread.id, posts[49].id) == 2
    assert services.page_of_reply(w.b_admin, thread.id, posts[52].id) == 1


def test_a_new_reply_takes_its_author_to_its_page(client, login, w):
    thread, _ = _long_thread(w, 50)
    login(w.a_admin)
    response = client.post(url("qa.reply", thread_id=thread.id), data={"body": "Reply number 99."})
    assert response.status_code == 303
    assert re.search(rf"/community/t/{thread.id}\?page=2#post-\d+$", response.headers["Location"])
    assert _shown(text(client.get(response.headers["Location"]))) == ["99"]
