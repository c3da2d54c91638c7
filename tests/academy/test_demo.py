"""The academy's demo data: valid, expiring and expired certificates, progress, attempts; idempotent."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from hub.academy.models import Attempt, Certificate, LessonProgress, OnboardingPlan
from hub.database import utcnow
from hub.extensions import db


def _counts():
    return [db.session.scalar(select(func.count()).select_from(m))
            for m in (Certificate, Attempt, LessonProgress, OnboardingPlan)]


def test_demo_shows_the_academy_and_runs_once(app, demo):
    runner = app.test_cli_runner()
    assert "academy demo created" in demo.output, demo.output
    db.session.expire_all()
    first = _counts()
    assert first[0] >= 15 and first[1] > first[0] and first[2] > 100 and first[3] >= 30
    now = utcnow()
    certs = db.session.scalars(select(Certificate)).all()
    states = {c.status(now) for c in certs}
    assert states == {"valid", "expired"}
    assert any(now < c.expires_at <= now + timedelta(days=30) for c in certs)
    assert any(now + timedelta(days=30) < c.expires_at <= now + timedelta(days=90) for c in certs)
    again = runner.invoke(args=["demo"])
    assert "academy demo already present" in again.output
    db.session.expire_all()
    assert _counts() == first
