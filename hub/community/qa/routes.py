"""Q&A routes: parse -> form -> service -> render. The rules (and every authorisation) live in services.py.

Everything a viewer may not read answers 404, whatever the route (list, thread, reply, vote, accept,
report, search): services raise NotFound for those."""
from __future__ import annotations

from flask import abort, current_app, flash, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.models import VENDOR_ROLES
from ...extensions import htmx, limiter
from ...web import page_number, redirect_to, render, roles_required
from . import bp, forms, services
from .models import PUBLIC, SPACES


@bp.app_template_global("qa_space")
def _space(value: str) -> str:
    return forms.space_label(value)


@bp.app_template_global("qa_category")
def _category(value: str) -> str:
    return forms.category_label(value)


def _post_rate() -> str:
    return current_app.config.get("QA_POST_RATE") or services.rules().post_rate


def _poster() -> str:
    return f"qa-post:{current_user.get_id() or request.remote_addr}"


# One budget for questions and replies together, per person: a flood is refused with 429.
posting_limit = limiter.shared_limit(_post_rate, scope="qa-post", key_func=_poster, methods=["POST"])


def _missed(missed: list[str]) -> None:
    if missed:
        flash(_("Not notified (no such person, or they cannot read this space): %(who)s",
                who=", ".join("@" + m for m in missed)), "warning")


def _or_404(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except services.NotFound:
        abort(404)


# --- lists ---------------------------------------------------------------------------------------

@bp.route("/")
def index():
    return space(PUBLIC)


@bp.route("/s/<space>")
def space(space: str):
    if space not in SPACES:
        abort(404)
    category = request.args.get("category") or None
    if category is not None and category not in services.CATEGORIES[space]:
        abort(404)
    if request.args.get("unsolved") not in (None, "", "1"):
        abort(404)
    unsolved = request.args.get("unsolved") == "1"
    page = _or_404(services.list_threads, current_user, space, category=category, page=page_number(),
                   unsolved=unsolved)
    args = {k: v for k, v in (("category", category), ("unsolved", "1" if unsolved else None)) if v}
    return render("community/qa/index.html", block="threads", space=space, category=category, page=page,
                  args=args, unsolved=unsolved, spaces=services.readable_spaces(current_user),
                  categories=services.CATEGORIES[space], search_form=forms.SearchForm(formdata=None))


@bp.route("/search")
def search():
    form = forms.SearchForm(request.args)
    space = request.args.get("space") or None
    if space is not None and space not in SPACES:
        abort(404)
    text = form.q.data or "" if not form.q.errors else ""
    result = _or_404(services.search_threads, current_user, text, space=space, page=page_number(),
                     locale=str(get_locale() or "ru"))
    return render("community/qa/search.html", block="results", form=form, result=result, space=space,
                  args={k: v for k, v in (("q", text), ("space", space)) if v})


# --- asking and replying -------------------------------------------------------------------------

@bp.route("/ask", methods=["GET", "POST"])
@posting_limit
def ask():
    spaces = services.readable_spaces(current_user)
    if request.method == "GET":
        wanted = request.args.get("category")
        if wanted and (wanted not in services.SPACE_OF or services.SPACE_OF[wanted] not in spaces):
            abort(404)
        form = forms.AskForm(formdata=None, spaces=spaces,
                             data={"category": wanted} if wanted in services.SPACE_OF else None)
        return render("community/qa/ask.html", form=form)
    wanted = request.form.get("category")
    if wanted in services.SPACE_OF and services.SPACE_OF[wanted] not in spaces:
        abort(404)  # a space one may not read is not confirmed to exist
    form = forms.AskForm(spaces=spaces)
    if not form.validate():
        return render("community/qa/ask.html", form=form, status=422)
    try:
        posted = services.ask(current_user, form.category.data, form.title.data, form.body.data)
    except services.NotFound:
        abort(404)
    except services.QaError as exc:
        getattr(form, exc.field or "body").errors = [str(exc.message)]
        return render("community/qa/ask.html", form=form, status=exc.status)
    flash(_("Your question is published."), "success")
    _missed(posted.missed_mentions)
    return redirect_to(url_for("qa.thread", thread_id=posted.thread.id))


def _thread_page(thread_id: int, reply_form=None, report_form=None, status: int = 200):
    view = _or_404(services.thread_view, current_user, thread_id, page_number())
    return render("community/qa/thread.html", view=view, thread=view.thread,
                  reply_form=reply_form or forms.ReplyForm(formdata=None),
                  move_form=forms.MoveForm(formdata=None, data={"category": view.thread.category}),
                  report_form=report_form or forms.ReportForm(formdata=None),
                  may_accept=services.may_accept(current_user, view.thread),
                  moderator=services.is_moderator(current_user), status=status)


@bp.route("/t/<int:thread_id>")
def thread(thread_id: int):
    return _thread_page(thread_id)


@bp.route("/t/<int:thread_id>/reply", methods=["POST"])
@posting_limit
def reply(thread_id: int):
    _or_404(services.get_thread, current_user, thread_id)  # unreadable: 404 before any validation
    form = forms.ReplyForm()
    if not form.validate():
        return _thread_page(thread_id, reply_form=form, status=422)
    try:
        posted = services.reply(current_user, thread_id, form.body.data)
    except services.NotFound:
        abort(404)
    except services.QaError as exc:
        form.body.errors = [str(exc.message)]
        return _thread_page(thread_id, reply_form=form, status=exc.status)
    flash(_("Your reply is published."), "success")
    _missed(posted.missed_mentions)
    page = services.page_of_reply(current_user, thread_id, posted.post.id)
    return redirect_to(url_for("qa.thread", thread_id=thread_id, page=page if page > 1 else None,
                               _anchor=f"post-{posted.post.id}"))


def _refused(exc: services.QaError, thread_id: int):
    flash(str(exc.message), "error")
    return _thread_page(thread_id, status=exc.status)


@bp.route("/p/<int:post_id>/vote", methods=["POST"])
def vote(post_id: int):
    post, _thread = _or_404(services.get_post, current_user, post_id)
    try:
        post = services.vote(current_user, post_id)
    except services.NotFound:
        abort(404)
    except services.QaError as exc:
        if htmx:
            return render_template("community/qa/_votes.html", post=post, voted=True, message=exc.message), exc.status
        return _refused(exc, post.thread_id)
    if htmx:
        return render_template("community/qa/_votes.html", post=post, voted=True)
    flash(_("Thank you for your vote."), "success")
    return redirect_to(url_for("qa.thread", thread_id=post.thread_id, _anchor=f"post-{post.id}"))


@bp.route("/p/<int:post_id>/accept", methods=["POST"])
def accept(post_id: int):
    post, _thread = _or_404(services.get_post, current_user, post_id)
    try:
        services.accept(current_user, post_id)
    except services.NotFound:
        abort(404)
    except services.QaError as exc:
        return _refused(exc, post.thread_id)
    flash(_("The reply is marked as the answer."), "success")
    return redirect_to(url_for("qa.thread", thread_id=post.thread_id, _anchor=f"post-{post.id}"))


@bp.route("/t/<int:thread_id>/unaccept", methods=["POST"])
def unaccept(thread_id: int):
    try:
        services.unaccept(current_user, thread_id)
    except services.NotFound:
        abort(404)
    except services.QaError as exc:
        return _refused(exc, thread_id)
    flash(_("The thread has no accepted answer now."), "success")
    return redirect_to(url_for("qa.thread", thread_id=thread_id))


@bp.route("/p/<int:post_id>/report", methods=["POST"])
def report(post_id: int):
    post, _thread = _or_404(services.get_post, current_user, post_id)
    form = forms.ReportForm()
    if not form.validate():
        flash(" ".join(str(e) for e in form.reason.errors), "error")
        return _thread_page(post.thread_id, report_form=form, status=422)
    try:
        services.report(current_user, post_id, form.reason.data or "")
    except services.NotFound:
        abort(404)
    except services.QaError as exc:
        return _refused(exc, post.thread_id)
    flash(_("Thank you: a manager will look at this post."), "success")
    return redirect_to(url_for("qa.thread", thread_id=post.thread_id, _anchor=f"post-{post.id}"))


# --- moderation ----------------------------------------------------------------------------------

def _moderate(func, thread_id_of, *args):
    try:
        result = func(current_user, *args)
    except services.NotFound:
        abort(404)
    except services.QaError as exc:
        return _refused(exc, thread_id_of)
    return result


@bp.route("/p/<int:post_id>/hide", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def hide(post_id: int):
    post = _moderate(services.set_hidden, None, post_id, True)
    flash(_("The post is hidden."), "success")
    return redirect_to(url_for("qa.thread", thread_id=post.thread_id, _anchor=f"post-{post.id}"))


@bp.route("/p/<int:post_id>/unhide", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def unhide(post_id: int):
    post = _moderate(services.set_hidden, None, post_id, False)
    flash(_("The post is shown again."), "success")
    return redirect_to(url_for("qa.thread", thread_id=post.thread_id, _anchor=f"post-{post.id}"))


@bp.route("/t/<int:thread_id>/lock", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def lock(thread_id: int):
    _moderate(services.set_locked, thread_id, thread_id, True)
    flash(_("The thread is locked."), "success")
    return redirect_to(url_for("qa.thread", thread_id=thread_id))


@bp.route("/t/<int:thread_id>/unlock", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def unlock(thread_id: int):
    _moderate(services.set_locked, thread_id, thread_id, False)
    flash(_("The thread is open for replies again."), "success")
    return redirect_to(url_for("qa.thread", thread_id=thread_id))


@bp.route("/t/<int:thread_id>/move", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def move(thread_id: int):
    _or_404(services.get_thread, current_user, thread_id)
    form = forms.MoveForm()
    if not form.validate():
        flash(" ".join(str(e) for e in form.category.errors), "error")
        return _thread_page(thread_id, status=422)
    result = _moderate(services.move, thread_id, thread_id, form.category.data)
    if not hasattr(result, "category"):
        return result
    flash(_("The thread is moved to «%(category)s».", category=forms.category_label(form.category.data)), "success")
    return redirect_to(url_for("qa.thread", thread_id=thread_id))


@bp.route("/reports")
@roles_required(*VENDOR_ROLES)
def reports():
    return render("community/qa/reports.html", reports=services.report_queue(current_user))


@bp.route("/reports/<int:report_id>/resolve", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def resolve(report_id: int):
    _or_404(services.resolve_report, current_user, report_id)
    flash(_("The report is closed."), "success")
    return redirect_to(url_for("qa.reports"))


@bp.app_template_global("qa_markdown_hint")
def _markdown_hint() -> str:
    return str(forms.MARKDOWN_HINT)
