"""Racing requests for the concurrency tests: each request in its own thread, app context, test
client and server-side login, all released together by a barrier, on SQLite and PostgreSQL alike.

    keys = [login_key(manager.id), login_key(manager2.id)]
    answers = post_together(app, [(keys[n % 2], f"/mdf/manage/requests/{i}", {"decision": "approve"})
                                  for n, i in enumerate(ids)])
    assert sorted(a.status for a in answers) == [303] * 3 + [409] * 3

Any exception in a thread fails the test (after every thread has finished); the caller's session is
removed first, so the threads never share its connection.
"""
from __future__ import annotations

import threading
from typing import Iterable, NamedTuple

from hub.accounts import sessions
from hub.accounts.models import User
from hub.extensions import db
from tests.conftest import HubClient


class Answer(NamedTuple):
    status: int
    text: str


def login_key(user_id: int) -> str:
    """A server-side login for the user (what a thread's session cookie will carry)."""
    return sessions.open_session(db.session.get(User, user_id), remember=False)


def post_together(app, requests: Iterable[tuple[str | None, str, dict | None]], timeout: float = 180) -> list[Answer]:
    """POST each (login key or None for anonymous, path, form data) at the same moment; the answers in
    the order they came back."""
    requests = list(requests)
    db.session.remove()
    app.test_client_class = HubClient
    barrier = threading.Barrier(len(requests))
    answers: list[Answer] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(key, path, data):
        try:
            with app.app_context():
                client = app.test_client()
                client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
                if key is not None:
                    with client.session_transaction() as session:
                        session["_user_id"] = key
                        session["_fresh"] = True
                db.session.remove()
                barrier.wait(timeout=60)
                response = client.post(path, data=data)
                with lock:
                    answers.append(Answer(response.status_code, response.get_data(as_text=True)))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not errors, errors
    return answers


def statuses(answers: Iterable[Answer]) -> list[int]:
    return sorted(answer.status for answer in answers)
