"""Bounded SQL: the thread page and the list make the same number of queries for 3 or 40 replies."""
from hub.extensions import db

from .conftest import ask, reply, url


def _thread_with(w, n):
    thread = ask(w.b_member, title=f"Thread with {n}")
    people = [w.a_member, w.a_admin, w.manager, w.b_admin]
    for i in range(n):
        reply(people[i % len(people)], thread, f"Reply {i} for @member@beta.test")
    return thread


def test_thread_page_queries_do_not_grow_with_replies(client, login, w, count_queries):
    small, large = _thread_with(w, 3), _thread_with(w, 40)
    login(w.b_admin)
    client.get(url("qa.thread", thread_id=small.id))  # warm the per-request caches alike
    seen = []
    for thread in (small, large):
        db.session.expire_all()
        with count_queries() as counter:
            assert client.get(url("qa.thread", thread_id=thread.id)).status_code == 200
        seen.append(counter.count)
    assert seen[0] == seen[1], seen
    assert seen[1] <= 16, seen


def test_list_queries_do_not_grow_with_threads(client, login, w, count_queries):
    login(w.b_admin)
    seen = []
    for n in (2, 20):
        for i in range(n - (2 if n == 20 else 0)):
            ask(w.b_member if i % 2 else w.a_member, title=f"T{n}-{i}")
        db.session.expire_all()
        with count_queries() as counter:
            assert client.get(url("qa.index")).status_code == 200
        seen.append(counter.count)
    assert seen[0] == seen[1], seen
