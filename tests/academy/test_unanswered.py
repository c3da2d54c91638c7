"""An exam sent with unanswered questions is not graded at once: the server asks for confirmation
(without JavaScript), keeps the answers given, and a second button submits as it is."""
from __future__ import annotations

from sqlalchemy import select

from hub.academy.models import Attempt
from hub.extensions import db

from .conftest import finish_courses, url


def start(client, world, login):
    login(world.a_member)
    finish_courses(world.a_member, "sales")
    client.post(url("academy.start", slug="sales-final"))
    return db.session.scalar(select(Attempt))


def test_an_empty_submission_asks_for_confirmation_and_grades_nothing(client, login, academy, world):
    attempt = start(client, world, login)
    response = client.post(url("academy.submit", attempt_id=attempt.id), data={})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "You have not answered any question." in html and "Submit with unanswered questions" in html
    db.session.refresh(attempt)
    assert attempt.is_open and attempt.status not in ("passed", "failed")


def test_a_partial_submission_keeps_the_answers_and_the_second_button_submits(client, login, academy, world):
    attempt = start(client, world, login)
    first, second = attempt.questions[0], attempt.questions[1]
    token = first["options"][0]["token"]
    answers = {f"q-{first['id']}": [token], f"q-{second['id']}": [second["options"][1]["token"]]}
    response = client.post(url("academy.submit", attempt_id=attempt.id), data=answers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    total = len(attempt.questions)
    assert f"You have not answered {total - 2} questions of {total}." in html
    assert f'value="{token}" id="o-{token}" checked' in html
    done = client.post(url("academy.submit", attempt_id=attempt.id), data={**answers, "confirm_unanswered": "1"})
    assert done.status_code == 303
    db.session.refresh(attempt)
    assert not attempt.is_open and attempt.question_count == total
