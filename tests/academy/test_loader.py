"""The academy loader: validates the content, upserts by slug, reports changes, names file and key."""
from __future__ import annotations

import shutil

import click
import pytest
from sqlalchemy import func, select

from hub.academy import loaders
from hub.academy.models import Course, Lesson, OnboardingStepDef, Quiz, Track
from hub.content import ContentError
from hub.extensions import db

from .conftest import CONTENT, source


def test_the_real_content_loads_and_a_second_load_changes_nothing(academy):
    assert academy == {"created": 60, "updated": 0, "unchanged": 0, "removed": 0}
    assert db.session.scalar(select(func.count(Track.id))) == 3
    assert db.session.scalar(select(func.count(Course.id))) == 9
    assert db.session.scalar(select(func.count(Lesson.id))) == 28
    assert db.session.scalar(select(func.count(Quiz.id))) == 12
    assert sum(len(q.questions) for q in db.session.scalars(select(Quiz))) == 120
    assert db.session.scalar(select(func.count(OnboardingStepDef.id))) == 8
    again = loaders.sync_academy(source())
    assert again == {"created": 0, "updated": 0, "unchanged": 60, "removed": 0}


def test_lesson_html_is_rendered_and_sanitised(academy):
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "kvant-ideal-customer"))
    assert "<h2" in lesson.body_html_en and "<h1" not in lesson.body_html_en
    assert "<script" not in lesson.body_html_ru


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(CONTENT / "academy", target / "academy")
    shutil.copy(CONTENT / "onboarding.yml", target / "onboarding.yml")
    shutil.copy(CONTENT / "program.yml", target / "program.yml")
    return target


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# Where the message names another file than the one edited: the track whose order is taken, the
# lesson that its course no longer lists.
NAMED_FILE = {
    "'order' 1 is also used": "academy/tracks/sales.yml",
    "lesson 'kvant-products-overview' is not listed in course.yml 'lessons'":
        "academy/courses/sales-kvant-platform/kvant-products-overview.en.md",
}


@pytest.mark.parametrize("file, old, new, expected", [
    ("academy/tracks/sales.yml", "validity_months: 24", "validity_months: 24\nvalidty: 3", "validty: is not a known key (known: title, summary, order"),
    ("academy/tracks/sales.yml", "final_exam: sales-final", "final_exam: sales-finale", "'final_exam': no quiz 'sales-finale'"),
    ("academy/tracks/presale.yml", "order: 2", "order: 1", "'order' 1 is also used"),
    ("academy/quizzes/sales-final.yml", "questions_per_attempt: 12", "questions_per_attempt: 40", "questions_per_attempt: 40 is more than the 22 questions in the bank"),
    ("academy/quizzes/sales-final.yml", 'en: "24,000 ₽ a year"}}', 'en: "24,000 ₽ a year"}, correct: true}',
     "question 'bi-licence-price': a single-choice question has exactly one correct option, found 2"),
    ("academy/quizzes/sales-final.yml", "pass_percent: 80", "pass_percent: 180", "pass_percent: must be between 1 and 100, got 180"),
    ("academy/courses/sales-kvant-platform/course.yml", "lessons: [kvant-products-overview,",
     "lessons: [kvant-products-overvue,", "lesson 'kvant-products-overview' is not listed in course.yml 'lessons'"),
    ("onboarding.yml", "done_by: certificate:sales", "done_by: certificate:marketing", "done_by: 'certificate:marketing' is not one of manual"),
])
def test_errors_name_the_file_the_key_and_the_problem(app, copy, file, old, new, expected):
    _edit(copy / file, old, new)
    with pytest.raises(ContentError) as info:
        loaders.read_academy(copy, 60)
    assert expected in str(info.value)
    assert str(info.value).startswith(f"{copy / NAMED_FILE.get(expected, file)}: "), str(info.value)


def test_a_lesson_missing_a_language_is_an_error(app, copy):
    (copy / "academy/courses/presale-demo/demo-pilot.en.md").unlink()
    with pytest.raises(ContentError, match="'demo-pilot' has no demo-pilot.en.md"):
        loaders.read_academy(copy, 60)


def test_onboarding_target_must_agree_with_the_program(app, copy):
    with pytest.raises(ContentError, match="program.yml says 45"):
        loaders.read_academy(copy, 45)


def test_changes_and_removals_are_reported(academy, copy):
    _edit(copy / "academy/tracks/sales.yml", "validity_months: 24", "validity_months: 12")
    shutil.rmtree(copy / "academy/courses/impl-go-live-and-handover")
    _edit(copy / "academy/tracks/implementation.yml", ", impl-go-live-and-handover", "")
    counts = loaders.sync_academy(loaders.read_academy(copy, 60))
    db.session.commit()
    assert counts["updated"] == 2  # the two tracks
    assert counts["removed"] == 4  # the course and its three lessons
    assert db.session.scalar(select(Track.validity_months).where(Track.slug == "sales")) == 12
    assert db.session.scalar(select(Course).where(Course.slug == "impl-go-live-and-handover")) is None


def test_the_cli_loader_reports_and_fails_cleanly(app, copy):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "load", "--dir", str(copy)])
    assert "academy: created: 60" in result.output, result.output
    _edit(copy / "academy/quizzes/sales-final.yml", "cooldown_hours: 24", "cooldown_hours: -1")
    result = runner.invoke(args=["content", "load", "--dir", str(copy)])
    assert result.exit_code != 0
    assert "sales-final.yml: cooldown_hours: must be at least 0, got -1" in result.output
