from __future__ import annotations

from flask import current_app, make_response, redirect, request, url_for
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.exceptions import HTTPException, SecurityError

from ..extensions import db
from ..i18n import LANG_COOKIE, LANGUAGES
from ..inputs import BadInput, refusing
from ..ui import panels_for
from ..web import base_url_adapter, form_expired, public, redirect_to, render, safe_next
from . import bp, notifications

# What Flask-WTF says when the session behind a form is gone (expired cookie, a new session).
EXPIRED_SESSION = ("The CSRF session token is missing.", "The CSRF tokens do not match.")


@bp.app_context_processor
def _unread():
    if not current_user.is_authenticated:
        return {"unread_count": 0}
    return {"unread_count": notifications.unread_count(current_user)}


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("program.page"))
    # Everything below the heading is a panel some feature registered (hub/ui.py: home_panel).
    panels = panels_for(current_user)
    if current_user.is_manager:
        return render("core/home_manager.html", panels=panels)
    return render("core/home_partner.html", organisation=current_user.organisation, panels=panels)


@bp.route("/language", methods=["POST"])
@public
def set_language():
    lang = request.form.get("lang")
    target = safe_next(request.form.get("next"), url_for("core.home"))
    response = redirect_to(target)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=request.is_secure)
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return response


@bp.route("/inbox")
def inbox():
    # Rendered now, in the reader's language, whatever language the sender used.
    return render("core/inbox.html", notes=notifications.inbox(current_user))


@bp.route("/inbox/read", methods=["POST"])
def inbox_read():
    notifications.mark_all_read(current_user)
    db.session.commit()
    return redirect_to(url_for("core.inbox"))


@bp.route("/healthz")
@public
def healthz():
    db.session.execute(select(1))
    response = make_response("ok", 200)
    response.mimetype = "text/plain"
    return response


# --- error pages: every 4xx the app can produce gets the readable page in the site layout ----------

def _megabytes(size: int | None) -> str:
    from flask_babel import format_decimal
    return format_decimal(round((size or 0) / 1024 / 1024, 1))


def _message(code: int) -> str:
    config = current_app.config
    messages = {
        400: _("The request could not be understood."),
        401: _("Please log in to see this page."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist, or it is not yours to see."),
        405: _("This address does not accept that kind of request."),
        409: _("This changed in the meantime. Reload the page and try again."),
        410: _("This page is no longer available."),
        411: _("The request did not say how large it is."),
        413: _("What you sent is too large: text fields take at most %(text)s MB in all, files at most "
               "%(files)s MB.", text=_megabytes(config.get("MAX_FORM_MEMORY_SIZE")),
               files=_megabytes(config.get("MAX_CONTENT_LENGTH"))),
        414: _("The address is too long. Use fewer or shorter filters."),
        415: _("This kind of content is not accepted here."),
        422: _("The request could not be processed. Check what you entered."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
        431: _("The request headers are too large."),
    }
    return messages.get(code, _("The request could not be completed."))


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.code >= 500:
        return server_error(error)
    # Reading the request again while the page renders must not raise the same refusal again.
    refusing()
    if error.code == 400 and isinstance(request.routing_exception, SecurityError):
        # A Host outside HUB_TRUSTED_HOSTS: Flask refused to route, so there is no URL adapter
        # and the page's links are built as if the request had come to HUB_BASE_URL. Checked
        # first because a refused POST reaches here as a CSRF error.
        request_ctx.url_adapter = base_url_adapter()
        return render("core/error.html", status=400, code=400,
                      message=_("This address does not belong to the hub. Use the hub's own address."))
    message = _message(error.code)
    if isinstance(error, BadInput):
        message = error.readable
    elif isinstance(error, CSRFError):
        if not current_user.is_authenticated and error.description in EXPIRED_SESSION:
            return form_expired()
        message = _("The form has expired or was sent from elsewhere. Please reload the page and try again.")
    response = render("core/error.html", status=error.code, code=error.code, message=message)
    if error.code == 405:
        response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or ())
    return response


@bp.app_errorhandler(500)
def server_error(_error):
    db.session.rollback()
    current_app.logger.exception("server error")
    return render("core/error.html", status=500, code=500,
                  message=_("Something went wrong on our side. The team has been told."))
