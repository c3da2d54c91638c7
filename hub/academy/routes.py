"""Academy routes: parse -> form -> service -> render. The rules live in services.py."""
from __future__ import annotations

import json

from flask import Response, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import PARTNER_ADMIN, VENDOR_ROLES
from ..database import utcnow
from ..extensions import htmx
from ..web import int_arg, page_number, public, redirect_to, render, roles_required, safe_next
from . import bp, onboarding, services
from .forms import ActionForm, RevokeForm

PER_PAGE = 25
EXPIRY_WINDOWS = (30, 60, 90)


def _or_404(value):
    if value is None:
        abort(404)
    return value


# --- learning (A1) -----------------------------------------------------------------------------

@bp.route("/")
def index():
    lang = services.lang()
    tracks = services.all_tracks()
    done = services.done_lesson_ids(current_user.id)
    certs = {c.track_slug: c for c in services.user_certificates(current_user.id)}
    return render("academy/index.html", tracks=tracks, lang=lang, done=done, certs=certs,
                  progress={t.id: services.track_progress(t, done) for t in tracks},
                  resume=services.continue_lesson(current_user), now=utcnow())


@bp.route("/tracks/<slug>")
def track(slug: str):
    t = _or_404(services.track(slug))
    done = services.done_lesson_ids(current_user.id)
    exam = services.quiz(t.final_exam_slug)
    state = services.quiz_state(current_user, exam) if exam and current_user.is_partner else None
    cert = next((c for c in services.user_certificates(current_user.id) if c.track_slug == t.slug), None)
    return render("academy/track.html", track=t, lang=services.lang(), done=done, exam=exam, state=state,
                  cert=cert, progress=services.track_progress(t, done), now=utcnow(),
                  course_progress={c.id: services.course_progress(c, done) for c in services.track_courses(t)})


@bp.route("/courses/<slug>")
def course(slug: str):
    c = _or_404(services.course(slug))
    done = services.done_lesson_ids(current_user.id)
    return render("academy/course.html", course=c, lang=services.lang(), done=done,
                  track=services.track_of_course(c.id), progress=services.course_progress(c, done))


def _lesson_page(ls, status: int = 200):
    done = services.done_lesson_ids(current_user.id)
    return render("academy/lesson.html", block="lesson_done", lesson=ls, lang=services.lang(),
                  is_done=ls.id in done, next_lesson=services.next_lesson(ls), form=ActionForm(),
                  progress=services.course_progress(ls.course, done), status=status)


@bp.route("/lessons/<slug>")
def lesson(slug: str):
    ls = _or_404(services.lesson(slug))
    return render("academy/lesson.html", lesson=ls, lang=services.lang(),
                  is_done=ls.id in services.done_lesson_ids(current_user.id),
                  next_lesson=services.next_lesson(ls), form=ActionForm(),
                  progress=services.course_progress(ls.course, services.done_lesson_ids(current_user.id)))


@bp.route("/lessons/<slug>/done", methods=["POST"])
def lesson_done(slug: str):
    ls = _or_404(services.lesson(slug))
    form = ActionForm()
    if not form.validate():
        abort(400)
    services.mark_done(current_user, ls)
    if htmx and htmx.target == "lesson-done":
        return _lesson_page(ls)
    flash(_("Lesson marked done."), "success")
    following = services.next_lesson(ls)
    return redirect_to(url_for("academy.lesson", slug=following.slug) if following
                       else url_for("academy.course", slug=ls.course.slug))


# --- exams (A2) --------------------------------------------------------------------------------

@bp.route("/quizzes/<slug>")
def quiz(slug: str):
    q = _or_404(services.quiz(slug))
    state = services.quiz_state(current_user, q) if current_user.is_partner else None
    return render("academy/quiz.html", quiz=q, lang=services.lang(), state=state, form=ActionForm(),
                  track=services.track_of_exam(q.slug))


@bp.route("/quizzes/<slug>/start", methods=["POST"])
def start(slug: str):
    q = _or_404(services.quiz(slug))
    form = ActionForm()
    if not form.validate():
        abort(400)
    try:
        attempt = services.start_attempt(current_user, q.slug)
    except services.AcademyError as exc:
        flash(str(exc), "error")
        return redirect_to(url_for("academy.quiz", slug=q.slug))
    return redirect_to(url_for("academy.attempt", attempt_id=attempt.id))


def _attempt_page(attempt, status: int = 200, error: str | None = None, chosen: frozenset = frozenset(),
                  unanswered: int = 0):
    lang = services.lang()
    q = services.quiz(attempt.quiz_slug)
    return render("academy/attempt.html", attempt=attempt, quiz=q, lang=lang, form=ActionForm(),
                  paper=services.paper(attempt, lang) if attempt.is_open else [],
                  results=services.results(attempt, lang), error=error, now=utcnow(),
                  owner=attempt.user_id == current_user.id, status=status, chosen=chosen,
                  unanswered=unanswered)


@bp.route("/attempts/<int:attempt_id>")
def attempt(attempt_id: int):
    return _attempt_page(_or_404(services.visible_attempt(current_user, attempt_id)))


def _unreadable_answer(attempt, answers) -> str | None:
    for number, q in enumerate(attempt.questions, 1):
        tokens = {o["token"] for o in q["options"]}
        given = answers.get(q["id"], [])
        if any(t not in tokens for t in given) or (q["type"] == "single" and len(given) > 1):
            return _("The answer to question %(num)s could not be read. Choose it again and submit.", num=number)
    return None


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
def submit(attempt_id: int):
    attempt = services.visible_attempt(current_user, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    form = ActionForm()
    if not form.validate():
        abort(400)
    answers = {q["id"]: request.form.getlist(f"q-{q['id']}") for q in attempt.questions}
    unreadable = _unreadable_answer(attempt, answers)
    if unreadable:  # not an answer the page offered: nothing is graded, the exam page says which
        return _attempt_page(attempt, 422, error=unreadable)
    unanswered = sum(1 for given in answers.values() if not given)
    if unanswered and attempt.is_open and request.form.get("confirm_unanswered") != "1":
        # Asked on the server, so it works without JavaScript: the page comes back with the
        # answers given so far, and a second button submits them as they are.
        chosen = frozenset(token for given in answers.values() for token in given)
        return _attempt_page(attempt, status=422, chosen=chosen, unanswered=unanswered)
    try:
        attempt = services.submit_attempt(current_user, attempt.id, answers)
    except LookupError:
        abort(404)
    except services.AlreadySubmitted as exc:
        flash(str(exc), "warning")
        return redirect_to(url_for("academy.attempt", attempt_id=attempt_id))
    if attempt.status == "passed":
        flash(_("Passed: %(score)s%%.", score=attempt.score_percent), "success")
    else:
        flash(_("Not passed: %(score)s%%.", score=attempt.score_percent), "warning")
    return redirect_to(url_for("academy.attempt", attempt_id=attempt.id))


# --- certificates (A3) -------------------------------------------------------------------------

def _certificate_page(cert, revoke_form=None, status: int = 200):
    t = services.track(cert.track_slug)
    return render("academy/certificate.html", cert=cert, track=t, lang=services.lang(), now=utcnow(),
                  revoke_form=revoke_form or RevokeForm(formdata=None), status=status)


@bp.route("/certificates/<int:cert_id>")
def certificate(cert_id: int):
    return _certificate_page(_or_404(services.visible_certificate(current_user, cert_id)))


@bp.route("/certificates/<int:cert_id>/revoke", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def revoke(cert_id: int):
    cert = _or_404(services.visible_certificate(current_user, cert_id))
    form = RevokeForm()
    if not form.validate():
        return _certificate_page(cert, revoke_form=form, status=422)
    try:
        services.revoke(cert, current_user, form.reason.data)
    except services.AcademyError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Certificate revoked."), "success")
    return redirect_to(url_for("academy.certificate", cert_id=cert.id))


# --- public verification and Open Badges (G3) ---------------------------------------------------

@bp.route("/verify/<code>")
@public
def verify(code: str):
    cert = _or_404(services.certificate_by_code(code))
    t = services.track(cert.track_slug)
    return render("academy/verify.html", cert=cert, track=t, lang=services.lang(), now=utcnow())


def _ld(data: dict, status: int = 200) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False, indent=1), status=status,
                        mimetype="application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/badges/issuer")
@public
def badge_issuer():
    return _ld(services.issuer_json())


@bp.route("/badges/tracks/<slug>")
@public
def badge_class(slug: str):
    return _ld(services.badge_class_json(_or_404(services.track(slug))))


@bp.route("/badges/tracks/<slug>/image.svg")
@public
def badge_image(slug: str):
    t = _or_404(services.track(slug))
    body = render_template("academy/badge.svg", track=t)
    response = Response(body, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/badges/assertions/<code>")
@public
def badge_assertion(code: str):
    cert = _or_404(services.certificate_by_code(code))
    return _ld(services.assertion_json(cert), status=410 if cert.revoked_at is not None else 200)


# --- manager views -----------------------------------------------------------------------------

@bp.route("/manage")
@roles_required(*VENDOR_ROLES, PARTNER_ADMIN)
def manage():
    page, progress, tracks = services.learners_page(current_user, page_number(), PER_PAGE)
    return render("academy/manage.html", block="learners", page=page, progress=progress, tracks=tracks,
                  lang=services.lang())


@bp.route("/manage/certificates")
@roles_required(*VENDOR_ROLES)
def manage_certificates():
    days = int_arg("days", default=30, choices=EXPIRY_WINDOWS)
    tracks = {t.slug: t for t in services.all_tracks()}
    return render("academy/manage_certificates.html", block="expiring", days=days, windows=EXPIRY_WINDOWS,
                  by_org=services.certified_by_org(), expiring=services.expiring(days), tracks=tracks,
                  lang=services.lang())


@bp.route("/manage/questions")
@roles_required(*VENDOR_ROLES)
def manage_questions():
    return render("academy/manage_questions.html", stats=services.question_stats(), lang=services.lang())


@bp.route("/manage/onboarding")
@roles_required(*VENDOR_ROLES)
def manage_onboarding():
    page = onboarding.onboarding_page(page_number(), PER_PAGE, language=services.lang())
    return render("academy/manage_onboarding.html", block="plans", page=page, form=ActionForm())


# --- onboarding (A4) ---------------------------------------------------------------------------

@bp.route("/onboarding/<int:org_id>/<step>/done", methods=["POST"])
def onboarding_step(org_id: int, step: str):
    if not (current_user.is_manager or (current_user.is_partner_admin and current_user.organisation_id == org_id)):
        abort(404)
    form = ActionForm()
    if not form.validate():
        abort(400)
    try:
        onboarding.mark_step(org_id, step, current_user)
    except services.AcademyError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Step marked done."), "success")
    return redirect_to(safe_next(request.form.get("next"), url_for("core.home")))
