"""Certificates (A3): issue after courses + final exam, expiry and reminders by tick, revocation,
renewal, the facts the tier rules read, and the signals."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub import facts, signals
from hub.academy import services
from hub.academy.models import Certificate
from hub.core.models import Notification, OutboxMessage
from hub.extensions import db

from tests.helpers import listening

from .conftest import NOW, answers_for, finish_courses, pass_exam


@pytest.fixture
def received():
    got = []

    def record(event):
        if event.name == "certificate_earned":
            got.append(("earned", event.certificate_id, event.user_id, event.organisation_id, event.track_slug,
                        event.renewal))
        else:
            got.append(("expired", event.certificate_id, event.reason))

    with listening("tests.certificates", signals.certificate_earned, signals.certificate_expired, func=record):
        yield got


@pytest.fixture
def certified(academy, world, received):
    finish_courses(world.a_member, "sales")
    pass_exam(world.a_member, "sales")
    return db.session.scalar(select(Certificate))


def test_passing_the_final_exam_after_the_courses_issues_a_certificate(certified, world, received):
    cert = certified
    assert cert.user_id == world.a_member.id and cert.organisation_id == world.org_a.id
    assert cert.track_slug == "sales" and cert.issued_at == NOW
    assert cert.expires_at == NOW.replace(year=NOW.year + 2)  # validity_months: 24
    assert len(cert.code) >= 20 and cert.status(NOW) == "valid"
    assert received == [("earned", cert.id, world.a_member.id, world.org_a.id, "sales", False)]
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == world.a_member.id)) == 1


def test_codes_are_unique_and_unguessable(academy, world):
    codes = {services.new_code() for _ in range(1000)}
    assert len(codes) == 1000 and all(len(c) == 22 for c in codes)


def test_a_practice_quiz_issues_nothing(academy, world):
    finish_courses(world.a_member, "sales")
    a = services.start_attempt(world.a_member, "sales-kvant-platform-practice", now=NOW)
    services.submit_attempt(world.a_member, a.id, answers_for(a), now=NOW)
    assert db.session.scalar(select(func.count(Certificate.id))) == 0


def test_reminder_30_days_before_expiry_once_then_expiry_once(certified, world, received):
    cert = certified
    assert services.certificate_jobs(now=cert.expires_at - timedelta(days=31)) == (0, 0)
    assert services.certificate_jobs(now=cert.expires_at - timedelta(days=30)) == (1, 0)
    assert services.certificate_jobs(now=cert.expires_at - timedelta(days=29)) == (0, 0)
    mail = db.session.scalars(select(OutboxMessage)).all()
    assert len(mail) == 1 and mail[0].recipient == world.a_member.email
    assert "/academy/certificates/" in mail[0].body
    notes = db.session.scalars(select(Notification).where(Notification.user_id == world.a_member.id)).all()
    assert len(notes) == 2  # earned + reminder
    assert services.certificate_jobs(now=cert.expires_at + timedelta(seconds=1)) == (0, 1)
    assert services.certificate_jobs(now=cert.expires_at + timedelta(days=1)) == (0, 0)
    assert received[-1] == ("expired", cert.id, "expired")
    assert facts.get("certified_people", [world.org_a.id], cert.expires_at + timedelta(days=1)) == {}


def test_re_certification_renews_the_same_certificate(certified, world, received):
    cert = certified
    old_code = cert.code
    later = cert.expires_at - timedelta(days=10)
    services.certificate_jobs(now=later)  # the reminder
    pass_exam(world.a_member, "sales", now=later)
    db.session.refresh(cert)
    assert cert.code == old_code and cert.renewals == 1
    assert cert.issued_at == later and cert.expires_at == later.replace(year=later.year + 2)
    assert cert.reminder_sent_at is None  # the next cycle reminds again
    assert received[-1][0] == "earned" and received[-1][-1] is True
    assert db.session.scalar(select(func.count(Certificate.id))) == 1


def test_revocation_by_a_manager_with_a_reason(certified, world, received):
    cert = certified
    with pytest.raises(services.AcademyError):
        services.revoke(cert, world.a_admin, "cheating")
    with pytest.raises(services.AcademyError, match="reason"):
        services.revoke(cert, world.manager, "  ")
    services.revoke(cert, world.manager, "Exam taken by someone else", now=NOW + timedelta(days=1))
    db.session.refresh(cert)
    assert cert.status() == "revoked" and cert.revoke_reason == "Exam taken by someone else"
    assert received[-1] == ("expired", cert.id, "revoked")
    from hub.core.services import history
    assert [e.action for e in history("certificate", cert.id)] == ["issued", "revoked"]
    with pytest.raises(services.AcademyError, match="already revoked"):
        services.revoke(cert, world.manager, "again")
    # A revoked certificate stops counting and is not renewed by passing again.
    assert facts.get("valid_certifications_by_track", world.org_a.id, NOW + timedelta(days=2)) == {}
    assert not services.quiz_state(world.a_member, services.quiz("sales-final"), NOW + timedelta(days=3)).can_start


def test_facts_for_the_tier_rules(certified, world, academy):
    finish_courses(world.a_admin, "sales")
    pass_exam(world.a_admin, "sales")
    finish_courses(world.a_admin, "presale")
    pass_exam(world.a_admin, "presale")
    at = NOW + timedelta(days=1)
    assert facts.get("certified_people", [world.org_a.id, world.org_b.id], at) == {world.org_a.id: 2}
    assert facts.get("valid_certifications_by_track", world.org_a.id, at) == {"sales": 2, "presale": 1}
    assert facts.get("valid_certifications_by_track", world.org_b.id, at) == {}
    assert facts.get("all_track_slugs") == ["sales", "presale", "implementation"]
    assert facts.get("certified_people", [world.org_a.id], NOW - timedelta(days=1)) == {}


def test_add_months_clamps_to_the_end_of_the_month():
    from datetime import datetime, timezone
    assert services.add_months(datetime(2026, 1, 31, tzinfo=timezone.utc), 1).day == 28
    assert services.add_months(datetime(2026, 8, 15, tzinfo=timezone.utc), 18) == datetime(2028, 2, 15, tzinfo=timezone.utc)


def test_expiry_reminder_mail_in_the_holders_language_from_the_templates(certified, world, app):
    import re

    from babel.dates import format_date
    world.a_member.locale = "ru"
    db.session.commit()
    services.certificate_jobs(now=certified.expires_at - timedelta(days=30))
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.kind == "academy.certificate_expiring"
    assert mail.subject == "Срок действия вашего сертификата истекает через 30 дней"
    from zoneinfo import ZoneInfo
    long_date = format_date(certified.expires_at.astimezone(ZoneInfo("Europe/Moscow")).date(), "long", locale="ru")
    assert f"действует до {long_date} включительно." in mail.body
    assert mail.body.startswith(f"Здравствуйте, {world.a_member.name}!")
    assert app.config["HUB_BASE_URL"].rstrip("/") + f"/academy/certificates/{certified.id}" in mail.body
    assert "<html" in mail.html_body and "Открыть сертификат" in mail.html_body
    for part in (mail.subject, mail.body, mail.html_body):
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", re.sub(r"https?://\S+", "", part)) and "г.." not in part
    # The inbox line is rendered for whoever reads it: here in English.
    from hub.core import notifications
    from hub.i18n import speaking_to
    note = db.session.scalars(select(Notification).where(Notification.type == "academy.certificate_expiring")).one()
    with speaking_to("en", "Europe/Moscow"):
        line = notifications.render_line(notifications.Note.of(note))
    assert line.startswith("Your certificate «Kvant Sales Specialist» expires on ")


def test_facts_for_the_incremental_tick(certified, world, academy):
    """certificates_changed names the organisations whose valid certificates may differ between two
    moments (issue, expiry, revocation); certified_in_all_tracks answers for many at once."""
    cert = certified
    expires = cert.expires_at
    assert facts.get("certificates_changed", NOW - timedelta(hours=1), NOW) == {world.org_a.id}  # issued
    assert facts.get("certificates_changed", NOW, NOW + timedelta(days=30)) == set()
    assert facts.get("certificates_changed", expires - timedelta(days=1), expires) == {world.org_a.id}  # expiry
    assert facts.get("certificates_changed", expires, expires + timedelta(days=1)) == set()
    later = NOW + timedelta(days=3)
    services.revoke(cert, world.manager, "Exam taken by someone else", now=later)
    assert facts.get("certificates_changed", later - timedelta(minutes=1), later) == {world.org_a.id}

    assert facts.get("certified_in_all_tracks", None, NOW + timedelta(days=1)) == set()
    for track in ("presale", "implementation"):
        finish_courses(world.a_admin, track)
        pass_exam(world.a_admin, track)
    finish_courses(world.a_admin, "sales")
    pass_exam(world.a_admin, "sales")
    at = NOW + timedelta(days=1)
    assert facts.get("certified_in_all_tracks", None, at) == {world.org_a.id}
    assert facts.get("certified_in_all_tracks", [world.org_b.id], at) == set()
    assert facts.get("certified_in_all_tracks", [], at) == set()
