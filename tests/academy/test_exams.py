"""Exam rules (A2), enforced by the server: draw, shuffle, no key in the page, time limit, pass mark,
attempt limit, cool-down, one submission by the owner only, overdue attempts closed by tick."""
from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.academy import services
from hub.academy.models import FAILED, IN_PROGRESS, PASSED, Attempt, AttemptQuestion, Quiz
from hub.extensions import db
from hub.accounts.models import User

from .conftest import NOW, answers_for, finish_courses


@pytest.fixture
def learner(academy, world):
    finish_courses(world.a_member, "sales")
    return world.a_member


def test_start_draws_questions_from_the_bank_and_shuffles_options_per_attempt(learner):
    quiz = services.quiz("sales-final")
    bank = {q["id"]: q for q in quiz.questions}
    a = services.start_attempt(learner, "sales-final", now=NOW, rng=random.Random(1))
    assert a.status == IN_PROGRESS and len(a.questions) == quiz.questions_per_attempt == 12
    assert len({q["id"] for q in a.questions}) == 12 and all(q["id"] in bank for q in a.questions)
    assert a.deadline_at == NOW + timedelta(minutes=quiz.time_limit_minutes)
    # Each option sits behind a per-attempt token, not its id in the bank.
    tokens = [o["token"] for q in a.questions for o in q["options"]]
    assert len(set(tokens)) == len(tokens) and not set(tokens) & {"a", "b", "c", "d", "e"}
    # Starting again resumes the open attempt rather than drawing a new one.
    assert services.start_attempt(learner, "sales-final", now=NOW + timedelta(minutes=1)).id == a.id


def test_different_attempts_draw_and_order_differently(learner, world):
    finish_courses(world.b_member, "sales")
    a = services.start_attempt(learner, "sales-final", now=NOW, rng=random.Random(1))
    b = services.start_attempt(world.b_member, "sales-final", now=NOW, rng=random.Random(2))
    assert [q["id"] for q in a.questions] != [q["id"] for q in b.questions]
    common = {q["id"] for q in a.questions} & {q["id"] for q in b.questions}
    orders_a = {q["id"]: [o["id"] for o in q["options"]] for q in a.questions}
    orders_b = {q["id"]: [o["id"] for o in q["options"]] for q in b.questions}
    assert any(orders_a[qid] != orders_b[qid] for qid in common)


def test_the_paper_holds_no_key_and_no_explanations(learner):
    a = services.start_attempt(learner, "sales-final", now=NOW)
    paper = services.paper(a, "en")
    text = repr(paper)
    assert "correct" not in text and "explanation" not in text
    for q, original in zip(paper, a.questions):
        assert original["explanation"]["en"] not in text
        assert [o["token"] for o in q["options"]] == [o["token"] for o in original["options"]]


def test_all_right_passes_and_one_submission_only(learner):
    a = services.start_attempt(learner, "sales-final", now=NOW)
    done = services.submit_attempt(learner, a.id, answers_for(a), now=NOW + timedelta(minutes=5))
    assert done.status == PASSED and done.score_percent == 100 and done.wrong_ids == []
    with pytest.raises(services.AlreadySubmitted):
        services.submit_attempt(learner, a.id, answers_for(a, right=0), now=NOW + timedelta(minutes=6))
    db.session.refresh(done)
    assert done.score_percent == 100
    assert db.session.scalar(select(func.count(AttemptQuestion.id)).where(AttemptQuestion.attempt_id == a.id)) == 12


def test_the_pass_mark_comes_from_the_quiz(learner):
    a = services.start_attempt(learner, "sales-final", now=NOW)
    # 9 of 12 = 75 % < 80 %
    done = services.submit_attempt(learner, a.id, answers_for(a, right=9), now=NOW + timedelta(minutes=5))
    assert done.status == FAILED and done.score_percent == 75 and len(done.wrong_ids) == 3


def test_a_single_choice_question_with_two_answers_is_wrong(learner):
    a = services.start_attempt(learner, "sales-final", now=NOW)
    answers = answers_for(a)
    single = next(q for q in a.questions if q["type"] == "single")
    answers[single["id"]] = [o["token"] for o in single["options"]]
    done = services.submit_attempt(learner, a.id, answers, now=NOW)
    assert single["id"] in done.wrong_ids


def test_someone_else_cannot_submit_or_see_an_attempt(learner, world):
    a = services.start_attempt(learner, "sales-final", now=NOW)
    for other in (world.b_member, world.a_admin):
        with pytest.raises(LookupError):
            services.submit_attempt(other, a.id, answers_for(a), now=NOW)
        assert services.visible_attempt(other, a.id) is None
    assert services.visible_attempt(world.manager, a.id) is not None
    assert db.session.get(Attempt, a.id).status == IN_PROGRESS


def test_attempt_limit_and_cooldown(learner):
    t = NOW
    for n in range(3):
        a = services.start_attempt(learner, "sales-final", now=t)
        services.submit_attempt(learner, a.id, answers_for(a, right=0), now=t)
        if n < 2:
            with pytest.raises(services.AcademyError, match="try again in 24 h"):
                services.start_attempt(learner, "sales-final", now=t + timedelta(hours=23))
        t += timedelta(hours=24, minutes=1)
    with pytest.raises(services.AcademyError, match="used all 3 attempts"):
        services.start_attempt(learner, "sales-final", now=t + timedelta(days=30))


def test_practice_quizzes_have_no_limit_and_no_cooldown(academy, world):
    user = world.a_member
    for _ in range(5):
        a = services.start_attempt(user, "sales-kvant-platform-practice", now=NOW)
        services.submit_attempt(user, a.id, answers_for(a, right=0), now=NOW)
    assert services.quiz_state(user, services.quiz("sales-kvant-platform-practice"), NOW).can_start


def test_final_exam_needs_the_courses_done(academy, world):
    with pytest.raises(services.AcademyError, match="Finish every course"):
        services.start_attempt(world.a_member, "sales-final", now=NOW)


def test_late_within_grace_is_graded_later_fails(learner):
    quiz = services.quiz("sales-final")
    a = services.start_attempt(learner, "sales-final", now=NOW)
    late = a.deadline_at + timedelta(seconds=quiz.late_grace_seconds)
    done = services.submit_attempt(learner, a.id, answers_for(a), now=late)
    assert done.status == PASSED and done.closed_how == "late"

    b = services.start_attempt(learner, "sales-final", now=NOW + timedelta(days=1))
    too_late = b.deadline_at + timedelta(seconds=quiz.late_grace_seconds + 1)
    done = services.submit_attempt(learner, b.id, answers_for(b), now=too_late)
    assert done.status == FAILED and done.closed_how == "too_late" and done.score_percent == 0


def test_tick_closes_overdue_attempts(learner, world):
    a = services.start_attempt(learner, "sales-final", now=NOW)
    assert services.close_overdue(now=a.deadline_at + timedelta(seconds=30)) == 0  # still within grace
    assert services.close_overdue(now=a.deadline_at + timedelta(minutes=5)) == 1
    db.session.refresh(a)
    assert a.status == FAILED and a.closed_how == "timed_out" and a.open_key is None
    with pytest.raises(services.AlreadySubmitted):
        services.submit_attempt(learner, a.id, answers_for(a), now=a.deadline_at + timedelta(minutes=6))


def test_tick_command_runs_the_academy_jobs(learner, app):
    services.start_attempt(learner, "sales-final", now=NOW)
    result = app.test_cli_runner().invoke(args=["tick"])
    assert "academy-attempts: 1 overdue attempt(s) closed" in result.output


def test_results_show_the_key_only_when_the_quiz_says_so(learner, academy):
    final = services.start_attempt(learner, "sales-final", now=NOW)
    services.submit_attempt(learner, final.id, answers_for(final, right=6), now=NOW)
    rows = services.results(final, "en")
    assert [r["right"] for r in rows].count(False) == 6
    assert all("correct" not in r and "explanation" not in r for r in rows)

    practice = services.start_attempt(learner, "sales-kvant-platform-practice", now=NOW)
    services.submit_attempt(learner, practice.id, answers_for(practice, right=0), now=NOW)
    rows = services.results(practice, "en")
    assert all(r["correct"] and r["explanation"] for r in rows)


def test_two_threads_submitting_the_same_attempt_are_graded_once(app, learner):
    a = services.start_attempt(learner, "sales-final", now=NOW)
    attempt_id, user_id, answers = a.id, learner.id, answers_for(a)
    db.session.remove()
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def run():
        try:
            with app.app_context():
                user = db.session.get(User, user_id)
                db.session.commit()
                barrier.wait(timeout=30)
                try:
                    services.submit_attempt(user, attempt_id, answers, now=NOW + timedelta(minutes=1))
                    outcomes.append("graded")
                except services.AlreadySubmitted:
                    outcomes.append("refused")
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(outcomes) == ["graded", "refused"]
    assert db.session.scalar(select(func.count(AttemptQuestion.id)).where(AttemptQuestion.attempt_id == attempt_id)) == 12
    from hub.academy.models import Certificate
    assert db.session.scalar(select(func.count(Certificate.id))) == 1


def test_question_statistics_count_wrong_answers(learner):
    a = services.start_attempt(learner, "sales-final", now=NOW)
    services.submit_attempt(learner, a.id, answers_for(a, right=10), now=NOW)
    stats = {(s["quiz"], s["id"]): s for s in services.question_stats()}
    wrong_id = a.questions[11]["id"]
    assert stats[("sales-final", wrong_id)]["share"] == 100
    assert stats[("sales-final", a.questions[0]["id"])]["share"] == 0
    assert services.question_stats()[0]["share"] == 100  # worst first
