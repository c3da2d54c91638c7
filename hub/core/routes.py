from __future__ import annotations

from flask import current_app, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..i18n import LANG_COOKIE, LANGUAGES
from ..ui import panels_for
from ..web import base_url_adapter, public, redirect_to, render, safe_next
from . import bp, notifications


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


@bp.app_errorhandler(403)
def forbidden(_error):
    return render("core/error.html", status=403, code=403,
                  message=_("You do not have access to this page."))


@bp.app_errorhandler(404)
def not_found(_error):
    return render("core/error.html", status=404, code=404,
                  message=_("This page does not exist, or it is not yours to see."))


@bp.app_errorhandler(405)
def method_not_allowed(error):
    response = render("core/error.html", status=405, code=405,
                      message=_("This address does not accept that kind of request."))
    response.headers["Allow"] = ", ".join(error.valid_methods or ())
    return response


@bp.app_errorhandler(429)
def too_many(_error):
    return render("core/error.html", status=429, code=429,
                  message=_("Too many attempts. Please wait a few minutes and try again."))


@bp.app_errorhandler(400)
def bad_request(error):
    from flask.globals import request_ctx
    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import SecurityError

    if isinstance(request.routing_exception, SecurityError):
        # A Host outside HUB_TRUSTED_HOSTS: Flask refused to route, so there is no URL adapter
        # and the page's links are built as if the request had come to HUB_BASE_URL. Checked
        # first because a refused POST reaches here as a CSRF error.
        request_ctx.url_adapter = base_url_adapter()
        return render("core/error.html", status=400, code=400,
                      message=_("This address does not belong to the hub. Use the hub's own address."))
    message = (_("The form has expired or was sent from elsewhere. Please reload the page and try again.")
               if isinstance(error, CSRFError) else _("The request could not be understood."))
    return render("core/error.html", status=400, code=400, message=message)


@bp.app_errorhandler(500)
def server_error(_error):
    db.session.rollback()
    current_app.logger.exception("server error")
    return render("core/error.html", status=500, code=500,
                  message=_("Something went wrong on our side. The team has been told."))
