"""Academy pages over HTTP: plain and htmx, the exam round trip, authorisation and bounded SQL."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.academy import onboarding, services
from hub.academy.models import Attempt, Certificate, LessonProgress
from hub.extensions import db
from tests import factories

from .conftest import finish_courses, pass_exam, url

HX = {"HX-Request": "true"}


@pytest.fixture
def member(academy, world, login, client):
    login(world.a_member)
    return world.a_member


def test_learning_pages_plain(client, member):
    index = client.get(url("academy.index"))
    assert index.status_code == 200 and "Kvant Sales Specialist" in index.get_data(as_text=True)
    track = client.get(url("academy.track", slug="sales")).get_data(as_text=True)
    assert "The Kvant platform for sellers" in track and "Final exam" in track
    course = client.get(url("academy.course", slug="sales-kvant-platform")).get_data(as_text=True)
    assert "Whom to sell Kvant to first" in course and "0 of 3 lessons" in course
    lesson = client.get(url("academy.lesson", slug="kvant-ideal-customer")).get_data(as_text=True)
    assert "<h1 id=\"lesson-title\">Whom to sell Kvant to first</h1>" in lesson
    assert "Mark lesson done" in lesson
    assert client.get(url("academy.lesson", slug="nope")).status_code == 404
    assert client.get(url("academy.track", slug="nope")).status_code == 404


def test_russian_is_the_default(client, member):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    html = client.get(url("academy.index")).get_data(as_text=True)
    assert "Академия" in html and "Специалист по продажам «Квант»" in html


def test_mark_lesson_done_plain_redirects_to_the_next_lesson(client, member):
    response = client.post(url("academy.lesson_done", slug="kvant-products-overview"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url("academy.lesson", slug="kvant-licensing-and-pricing"))
    assert db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == member.id)) is not None
    # twice changes nothing
    client.post(url("academy.lesson_done", slug="kvant-products-overview"))
    assert len(db.session.scalars(select(LessonProgress)).all()) == 1
    index = client.get(url("academy.index")).get_data(as_text=True)
    lesson = url("academy.lesson", slug="kvant-licensing-and-pricing")
    assert f'Continue where you left off: <a href="{lesson}">Licences, prices and costing a deal</a>' in index


def test_mark_lesson_done_with_htmx_swaps_the_block(client, member):
    response = client.post(url("academy.lesson_done", slug="kvant-products-overview"),
                           headers={**HX, "HX-Target": "lesson-done"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section class="card" id="lesson-done"')
    assert "You have marked this lesson done." in html and "<html" not in html


def test_exam_round_trip_and_no_answers_in_the_page(client, member):
    finish_courses(member, "sales")
    response = client.post(url("academy.start", slug="sales-final"))
    assert response.status_code == 303
    attempt = db.session.scalar(select(Attempt))
    assert response.headers["Location"].endswith(url("academy.attempt", attempt_id=attempt.id))
    html = client.get(url("academy.attempt", attempt_id=attempt.id)).get_data(as_text=True)
    assert html.count('<fieldset class="card academy-question">') == 12
    assert "correct" not in html.lower()
    for q in attempt.questions:
        assert q["explanation"]["en"] not in html
        for o in q["options"]:
            assert f'value="{o["token"]}"' in html  # tokens only: every option, right or wrong, looks alike
            assert f'value="{o["id"]}"' not in html
    form = {f"q-{q['id']}": [o["token"] for o in q["options"] if o["correct"]] for q in attempt.questions}
    done = client.post(url("academy.submit", attempt_id=attempt.id), data=form)
    assert done.status_code == 303
    result = client.get(url("academy.attempt", attempt_id=attempt.id)).get_data(as_text=True)
    assert "Passed" in result and "100%" in result
    assert "This exam shows which questions were wrong, not the right answers." in result
    again = client.post(url("academy.submit", attempt_id=attempt.id), data=form, follow_redirects=True)
    assert "This attempt has already been submitted." in again.get_data(as_text=True)
    cert = db.session.scalar(select(Certificate))
    page = client.get(url("academy.certificate", cert_id=cert.id)).get_data(as_text=True)
    assert cert.code in page and "Kvant Sales Specialist" in page


def test_exam_start_with_htmx_answers_hx_location(client, member):
    finish_courses(member, "sales")
    response = client.post(url("academy.start", slug="sales-final"), headers=HX)
    assert response.status_code == 200 and "/academy/attempts/" in response.headers["HX-Location"]


def test_exam_refused_before_the_courses(client, member):
    page = client.get(url("academy.quiz", slug="sales-final")).get_data(as_text=True)
    assert "Finish every course of the track before the final exam." in page and "Start the attempt" not in page
    response = client.post(url("academy.start", slug="sales-final"), follow_redirects=True)
    assert "Finish every course" in response.get_data(as_text=True)
    assert db.session.scalar(select(Attempt)) is None


def test_a_partner_never_sees_another_organisations_attempts_or_certificates(client, login, academy, world):
    finish_courses(world.a_member, "sales")
    pass_exam(world.a_member, "sales")
    attempt = db.session.scalar(select(Attempt))
    cert = db.session.scalar(select(Certificate))
    login(world.b_member)
    assert client.get(url("academy.attempt", attempt_id=attempt.id)).status_code == 404
    assert client.post(url("academy.submit", attempt_id=attempt.id)).status_code == 404
    assert client.get(url("academy.certificate", cert_id=cert.id)).status_code == 404
    assert client.post(url("academy.revoke", cert_id=cert.id), data={"reason": "x"}).status_code == 403
    login(world.b_admin)
    manage = client.get(url("academy.manage")).get_data(as_text=True)
    assert world.a_member.name not in manage
    assert client.post(url("academy.onboarding_step", org_id=world.org_a.id, step="sign-agreement")).status_code == 404
    # A colleague of the same organisation sees the certificate, not the attempt.
    login(world.a_admin)
    assert client.get(url("academy.certificate", cert_id=cert.id)).status_code == 200
    assert client.get(url("academy.attempt", attempt_id=attempt.id)).status_code == 404
    assert world.a_member.name in client.get(url("academy.manage")).get_data(as_text=True)


def test_manager_views(client, login, academy, world):
    finish_courses(world.a_member, "sales")
    pass_exam(world.a_member, "sales")
    login(world.a_member)
    assert client.get(url("academy.manage")).status_code == 403
    assert client.get(url("academy.manage_certificates")).status_code == 403
    assert client.get(url("academy.manage_questions")).status_code == 403
    login(world.manager)
    html = client.get(url("academy.manage")).get_data(as_text=True)
    assert re.search(r"Arkady Alpha</th>\s*<td>Alpha Integration</td>\s*<td class=\"nowrap\">(\d+)/\1", html), html
    html = client.get(url("academy.manage_certificates")).get_data(as_text=True)
    assert "Alpha Integration" in html and "Certified people per organisation" in html
    html = client.get(url("academy.manage_questions")).get_data(as_text=True)
    assert "Sales Specialist" in html
    block = client.get(url("academy.manage_certificates", days=90), headers={**HX, "HX-Target": "expiring"})
    assert block.get_data(as_text=True).lstrip().startswith('<section class="card" id="expiring"')


def test_expiring_window(client, login, academy, world):
    from hub.database import utcnow
    finish_courses(world.a_member, "sales")
    pass_exam(world.a_member, "sales", now=utcnow() - timedelta(days=24 * 30 - 45))
    login(world.manager)
    assert "No certificate expires in this window." in client.get(url("academy.manage_certificates", days=30)).get_data(as_text=True)
    assert world.a_member.name in client.get(url("academy.manage_certificates", days=60)).get_data(as_text=True)


def test_revoke_validation_and_success(client, login, academy, world):
    finish_courses(world.a_member, "sales")
    pass_exam(world.a_member, "sales")
    cert = db.session.scalar(select(Certificate))
    login(world.manager)
    response = client.post(url("academy.revoke", cert_id=cert.id), data={"reason": ""})
    assert response.status_code == 422 and "Give the reason for revoking." in response.get_data(as_text=True)
    assert cert.revoked_at is None
    response = client.post(url("academy.revoke", cert_id=cert.id), data={"reason": "Fraud"}, follow_redirects=True)
    assert "Certificate revoked." in response.get_data(as_text=True)


def test_print_stylesheet_exists():
    from pathlib import Path
    css = (Path(__file__).resolve().parents[2] / "static/css/hub.css").read_text()
    assert re.search(r"@media print \{\s*/\* The certificate page", css)


def test_list_pages_run_a_bounded_number_of_queries(client, login, academy, world, count_queries):
    login(world.manager)

    def measure():
        counts = []
        for endpoint in ("academy.index", "academy.manage", "academy.manage_certificates", "academy.manage_questions"):
            db.session.expire_all()
            with count_queries() as counter:
                assert client.get(url(endpoint)).status_code == 200
            counts.append(counter.count)
        return counts

    def add_learner(n):
        org = factories.create_org(f"Learner org {n}")
        user = factories.create_user(org, name=f"Learner {n}")
        finish_courses(user, "sales")
        pass_exam(user, "sales")

    add_learner(0)
    before = measure()
    for n in range(1, 5):
        add_learner(n)
    assert measure() == before


def test_manager_onboarding_plans_plain_htmx_and_bounded(client, login, academy, world, count_queries):
    onboarding.ensure_plans()
    login(world.a_member)
    assert client.get(url("academy.manage_onboarding")).status_code == 403
    login(world.manager)
    html = client.get(url("academy.manage_onboarding")).get_data(as_text=True)
    assert "Alpha Integration" in html and "Beta Distribution" in html and "Sign the partner agreement" in html
    block = client.get(url("academy.manage_onboarding"), headers={**HX, "HX-Target": "plans"}).get_data(as_text=True)
    assert block.lstrip().startswith('<div id="plans">') and "<html" not in block
    response = client.post(url("academy.onboarding_step", org_id=world.org_b.id, step="sign-agreement"),
                           data={"next": url("academy.manage_onboarding")})
    assert response.headers["Location"].endswith(url("academy.manage_onboarding"))
    db.session.expire_all()
    with count_queries() as before:
        client.get(url("academy.manage_onboarding"))
    for n in range(4):
        org = factories.create_org(f"New partner {n}")
        onboarding.ensure_plan(org.id)
    db.session.expire_all()
    with count_queries() as after:
        client.get(url("academy.manage_onboarding"))
    assert after.count == before.count, "\n".join(after.statements[len(before.statements) - 3:])


def test_pages_with_htmx_get_their_block(client, login, academy, world):
    finish_courses(world.a_member, "sales")
    login(world.manager)
    block = client.get(url("academy.manage"), headers={**HX, "HX-Target": "learners"}).get_data(as_text=True)
    assert block.lstrip().startswith('<section id="learners"') and world.a_member.name in block
    # Boosted navigation gets the whole page.
    page = client.get(url("academy.manage"), headers={**HX, "HX-Boosted": "true"}).get_data(as_text=True)
    assert page.startswith("<!doctype html>")
    login(world.a_member)
    lesson = client.get(url("academy.lesson", slug="kvant-ideal-customer"), headers={**HX, "HX-Boosted": "true"})
    assert "<!doctype html>" in lesson.get_data(as_text=True)


def test_every_academy_page_renders_in_russian_with_data(client, login, academy, world):
    """Russian is the default; every page with real data in it (attempts, certificates, plans)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    onboarding.ensure_plans()
    finish_courses(world.a_member, "sales")
    failed = services.start_attempt(world.a_member, "sales-kvant-platform-practice")
    services.submit_attempt(world.a_member, failed.id, {})
    pass_exam(world.a_member, "sales", now=services.utcnow())
    attempt = db.session.scalar(select(Attempt).where(Attempt.quiz_slug == "sales-final"))
    cert = db.session.scalar(select(Certificate))
    pages = [url("academy.index"), url("academy.track", slug="sales"), url("academy.course", slug="sales-kvant-platform"),
             url("academy.lesson", slug="kvant-ideal-customer"), url("academy.quiz", slug="sales-final"),
             url("academy.quiz", slug="sales-kvant-platform-practice"), url("academy.attempt", attempt_id=attempt.id),
             url("academy.attempt", attempt_id=failed.id), url("academy.certificate", cert_id=cert.id),
             url("academy.verify", code=cert.code), url("core.home")]
    login(world.a_member)
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        # The public verification page has its own heading; every other one is under "Академия".
        expected = "Проверка сертификата" if path == url("academy.verify", code=cert.code) else "Академия"
        assert expected in response.get_data(as_text=True), path
    login(world.manager)
    for path in (url("academy.manage"), url("academy.manage_certificates", days=90), url("academy.manage_questions"),
                 url("academy.manage_onboarding"), url("academy.certificate", cert_id=cert.id),
                 url("academy.attempt", attempt_id=attempt.id)):
        assert client.get(path).status_code == 200, path


def test_manager_home_panel(client, login, academy, world):
    finish_courses(world.a_member, "sales")
    pass_exam(world.a_member, "sales", now=services.utcnow() - timedelta(days=24 * 30))
    login(world.manager)
    html = client.get(url("core.home")).get_data(as_text=True)
    assert re.search(r'<span class="stat-value">1</span> <span class="stat-label">Certified people', html)
    assert re.search(r'<span class="stat-value">1</span> <span class="stat-label">Expiring within 30 days', html)
