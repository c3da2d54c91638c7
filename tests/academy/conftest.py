from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

import pytest

from hub.academy import loaders, services
from hub.academy.models import Lesson
from hub.extensions import db
from sqlalchemy import select
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)

CONTENT = Path(__file__).resolve().parents[2] / "content"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
_SOURCE: list = []


def source():
    """The real content, read once per run (validation and reading are what cost)."""
    if not _SOURCE:
        _SOURCE.append(loaders.read_academy(CONTENT, 60))
    return _SOURCE[0]


@pytest.fixture
def academy(app):
    counts = loaders.sync_academy(source())
    db.session.commit()
    return counts


def finish_courses(user, track_slug: str) -> None:
    t = services.track(track_slug)
    for c in services.track_courses(t):
        for ls in c.lessons:
            services.mark_done(user, ls, now=NOW)


def answers_for(attempt, right: int | None = None) -> dict[str, list[str]]:
    """Answers (option tokens) with the first `right` questions right and the rest wrong (all right if None)."""
    out = {}
    for n, q in enumerate(attempt.questions):
        good = [o["token"] for o in q["options"] if o["correct"]]
        bad = [o["token"] for o in q["options"] if not o["correct"]][:1]
        out[q["id"]] = good if right is None or n < right else bad
    return out


def pass_exam(user, track_slug: str = "sales", now=NOW):
    t = services.track(track_slug)
    attempt = services.start_attempt(user, t.final_exam_slug, now=now, rng=random.Random(1))
    return services.submit_attempt(user, attempt.id, answers_for(attempt), now=now)


def first_lesson() -> Lesson:
    return db.session.scalar(select(Lesson).order_by(Lesson.id).limit(1))


@pytest.fixture(autouse=True)
def _english_services(request):
    """Service tests read the English messages (the default locale is Russian)."""
    if "client" in request.fixturenames or "app" not in request.fixturenames and "academy" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app")
    from flask_babel import force_locale
    with force_locale("en"):
        yield
