"""Request/response helpers every blueprint uses: rendering a page or one block of it,
redirects that work for htmx and plain browsers, access rules and security headers."""
from __future__ import annotations

import functools
import math
from typing import Callable, Iterable
from urllib.parse import unquote, urlsplit

from flask import Response as FlaskResponse
from flask import (abort, current_app, flash, g, has_request_context, make_response, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2_fragments.flask import render_block

from . import assets, drafts
from .extensions import htmx
from .inputs import MAX_ID, BadInput, check_request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
])


# The id of <body> in base.html: a request aimed at it wants the whole page.
PAGE_TARGET = "hub"


def render(template: str, block: str | None = None, status: int = 200, **context):
    """The whole page for a plain request, only `block` for an htmx request that targets it.

    Boosted navigation (hx-boost), history restore and the navigation an HX-Location answer starts
    (its target is the body, id PAGE_TARGET) swap the whole body, so they get the page.
    """
    if (block and htmx and not htmx.boosted and not htmx.history_restore_request
            and htmx.target != PAGE_TARGET):
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    return make_response(body, status)


# --- public pages rendered once ------------------------------------------------------------------

# Stands in for the CSRF token while a shared page is rendered; each answer gets its own token.
_TOKEN_STAND_IN = "hub-csrf-stand-in-7f3c9a"
_PAGE_CACHE_SIZE = 64


def render_public(template: str, key: tuple, context: Callable[[], dict], block: str | None = None):
    """`render` for a public page whose HTML is the same for every anonymous visitor: rendered
    once per `key` (what the page depends on besides the locale: the rules' identity, a content
    version...) and locale, then served with the visitor's own CSRF token put in. `context()`
    gives the template's variables; it is called only when the page is rendered.

    Only a plain anonymous GET without a query string or pending flash messages is served from
    the cache (anything else may show something of its own: the `next` field, a message, an htmx
    block); everything else is rendered as `render` does. The cache holds 64 pages per worker.
    """
    if (current_user.is_authenticated or request.method != "GET" or request.args or htmx
            or "_flashes" in session):
        return render(template, block=block, **context())
    from flask_wtf.csrf import generate_csrf

    cache: dict = current_app.extensions.setdefault("hub_public_pages", {})
    from .i18n import locale_code
    # Forms render their CSRF field only while CSRF protection is on (tests turn it off).
    full_key = (template, request.path, locale_code(), current_app.config.get("WTF_CSRF_ENABLED", True), key)
    body = cache.get(full_key)
    if body is None:
        field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        had = g.pop(field, None)
        setattr(g, field, _TOKEN_STAND_IN)
        try:
            body = render_template(template, **context())
        finally:
            g.pop(field, None)
            if had is not None:
                setattr(g, field, had)
        if len(cache) >= _PAGE_CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[full_key] = body
    return make_response(body.replace(_TOKEN_STAND_IN, generate_csrf()), 200)


def redirect_to(url: str, status: int = 303):
    """Post/Redirect/Get for browsers; for htmx a 200 with HX-Location (headers do not survive 3xx)."""
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Location"] = url
        return response
    return redirect(url, code=status)


def public(view: Callable) -> Callable:
    """Mark a view as reachable without logging in (everything else requires a login)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def roles_required(*roles: str) -> Callable:
    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def safe_next(target: str | None, default: str) -> str:
    """Only local paths are followed after login, never another host.

    Browsers read a backslash as a slash and drop tabs and newlines from URLs, so `/\\evil.test`
    or `/<TAB>/evil.test` would leave the hub; such targets (also percent-encoded, as a second
    decoding by a proxy would reveal them) are refused.
    """
    if not target:
        return default
    decoded = target
    for _ in range(3):  # %255C is %5C after one decoding and a backslash after two
        decoded = unquote(decoded)
    if "\\" in decoded or any(ord(ch) < 32 or ord(ch) == 127 for ch in decoded):
        return default
    if not target.startswith("/") or decoded.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


# --- absolute links ------------------------------------------------------------------------------

def _base_url() -> str:
    return current_app.config["HUB_BASE_URL"].rstrip("/")


def _adapter():
    """A URL adapter for building paths without a request (no host needed for a path)."""
    return current_app.url_map.bind("localhost", script_name="/")


def _build(endpoint: str, values: dict) -> str:
    anchor = values.pop("_anchor", None)
    path = _adapter().build(endpoint, values)
    return f"{path}#{anchor}" if anchor else path


def path_for(endpoint: str, **values) -> str:
    """The path of a page (for links stored in the database and shown inside the hub), the same in a
    request, a CLI job or a thread: HUB_BASE_URL's own path (when the hub is mounted under one),
    then the route's path. `endpoint` is the full name (`deals.show`), never `.show`."""
    prefix = urlsplit(_base_url()).path.rstrip("/")
    return prefix + _build(endpoint, dict(values))


def absolute_url(endpoint: str, **values) -> str:
    """The one way to build an absolute link (e-mail, notification, Open Badges id, calendar feed).

    Always from HUB_BASE_URL, never from the request's Host header: a forged `Host: evil.test` on
    `POST /password/forgot` must not mail a reset link pointing to evil.test.
    """
    return _base_url() + _build(endpoint, dict(values))


def base_url_adapter():
    """The URL adapter of a request to HUB_BASE_URL, for pages rendered after the real host was
    refused (HUB_TRUSTED_HOSTS): their relative links still need building."""
    parts = urlsplit(_base_url())
    return current_app.url_map.bind(parts.netloc or "localhost", script_name=parts.path or "/",
                                    url_scheme=parts.scheme or "http")


class Page:
    """One page of a list: items plus what the pager needs. `total` is counted once."""

    def __init__(self, items: list, page: int, per_page: int, total: int):
        self.items = items
        self.page = page
        self.per_page = per_page
        self.total = total
        self.pages = max(1, math.ceil(total / per_page)) if per_page else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


MAX_PAGE = 100_000


def page_number(name: str = "page") -> int:
    """The page asked for: absent -> 1; anything but a whole number from 1 to MAX_PAGE -> 404 (the
    page does not exist), never an OFFSET the database cannot hold."""
    value = request.args.get(name)
    if value is None or value == "":
        return 1
    number = _whole(value)
    if number is None or not 1 <= number <= MAX_PAGE:
        abort(404)
    return number


def _whole(value: str) -> int | None:
    text = value.strip()
    if text.startswith("-"):
        digits = text[1:]
        sign = -1
    else:
        digits, sign = text, 1
    if not digits.isascii() or not digits.isdigit() or len(digits) > 19:
        return None
    return sign * int(digits)


def int_arg(name: str, default: int | None = None, minimum: int = 1, maximum: int = MAX_ID,
            choices: Iterable[int] | None = None) -> int | None:
    """A whole-number query argument (an id by default: 1 .. MAX_ID). Absent or empty -> default;
    anything else outside the bounds (or not among `choices`) -> 400 naming the argument."""
    value = request.args.get(name)
    if value is None or value.strip() == "":
        return default
    number = _whole(value)
    allowed = set(choices) if choices is not None else None
    if (number is None or not minimum <= number <= maximum
            or (allowed is not None and number not in allowed)):
        if allowed is not None:
            raise BadInput(_l("must be one of %(values)s.", values=", ".join(map(str, sorted(allowed)))),
                           field=name)
        raise BadInput(_l("must be a whole number from %(min)s to %(max)s.", min=minimum, max=maximum),
                       field=name)
    return number


def refuse_invalid(form) -> None:
    """400 with the form's messages when a GET form (filters) is invalid, for the answers that cannot
    show a message next to a field: a CSV export must refuse before its first byte is streamed."""
    if not form.errors:
        return
    parts = []
    for field in form:
        if field.errors:
            parts.append(f"{field.label.text}: {' '.join(str(e) for e in field.errors)}")
    raise BadInput("; ".join(parts))


def choice_arg(name: str, allowed: Iterable[str], default: str = "") -> str:
    """A query argument that must be one of `allowed`. Absent or empty -> default; another value ->
    400 naming the argument (a filter link the hub never makes)."""
    value = request.args.get(name)
    if value is None or value == "":
        return default
    if value not in set(allowed):
        raise BadInput(_l("has a value that is not on the list."), field=name)
    return value


class Response(FlaskResponse):
    """Every cookie set while answering an HTTPS request is Secure.

    Done in set_cookie rather than in an after_request hook because the session cookie (and
    Flask-Login's remember cookie) are set after the hooks have run.
    """

    def set_cookie(self, key, *args, **kwargs):
        if has_request_context() and request.is_secure:
            if len(args) >= 5:  # value, max_age, expires, path, domain, secure, ... given by position
                args = args[:5] + (True,) + args[6:]
            else:
                kwargs["secure"] = True
        super().set_cookie(key, *args, **kwargs)


# --- logging in again: an expired session never loses a form, htmx gets HX-Redirect ----------------

def _local(url: str | None) -> str | None:
    """The path and query of a URL of this hub (the Referer, htmx's HX-Current-URL), else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else None


def _same_origin() -> bool:
    """The browser says the request comes from a page of this hub (Origin, else Referer)."""
    origin = request.headers.get("Origin")
    if origin:
        return urlsplit(origin).netloc == request.host
    return bool(request.referrer) and urlsplit(request.referrer).netloc == request.host


def _accepts_get(path: str) -> bool:
    try:
        current_app.url_map.bind(request.host).match(path, method="GET")
    except Exception:
        return False
    return True


def came_from() -> str:
    """The page to come back to after logging in: the page itself for a plain GET, the page that made
    the request for htmx and for a form post."""
    if htmx and (not htmx.boosted or request.method != "GET"):
        found = _local(request.headers.get("HX-Current-URL"))
        if found:
            return found
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    found = _local(request.referrer)
    if found:
        return found
    return request.path if _accepts_get(request.path) else "/"


def _go(target: str, status: int = 302):
    """A full-page navigation: HX-Redirect for htmx (a login page must never be swapped into a form),
    a redirect for a browser."""
    if htmx:
        response = make_response("", 401 if status == 401 else 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=status)


def _keep_typed(back: str) -> str | None:
    """Keep a form post, or what an htmx check sends while a form is filled in (not a navigation)."""
    typing = bool(htmx) and not htmx.boosted and request.method == "GET" and bool(request.args)
    if (request.method in ("GET", "HEAD", "OPTIONS") and not typing) or not _same_origin():
        return None  # a cross-site request must not plant text in someone's form
    return drafts.keep(back)


def login_again():
    """Flask-Login's unauthorized handler (also used by roles_required)."""
    back = came_from()
    kept = _keep_typed(back)
    if kept:
        flash(_("Your session has expired. Log in again: what you typed has been kept."), "info")
    elif request.method in ("GET", "HEAD"):
        flash(str(current_app.login_manager.login_message), current_app.login_manager.login_message_category)
    else:
        flash(_("Your session has expired. Please log in again."), "info")
    target = url_for(current_app.login_manager.login_view, next=kept or back)
    return _go(target, 401 if htmx else 302)


def form_expired():
    """A form whose CSRF token no longer matches because the session behind it expired: log in again
    (or, on a public page, go back to the form), keeping what was typed."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or not getattr(view, "is_public", False):
        return login_again()
    back = came_from()
    kept = _keep_typed(back)
    flash(_("The form had expired. Check it and send it again.") if kept
          else _("The form had expired. Please fill it in again."), "info")
    return _go(kept or back, 303)


def install(app) -> None:
    """Access rule, input checks, security headers and Vary, for every response of the app."""
    app.response_class = Response
    assets.install(app)
    app.jinja_env.globals["absolute_url"] = absolute_url
    app.login_manager.unauthorized_handler(login_again)

    @app.before_request
    def _check_input():
        check_request(request)

    @app.before_request
    def _require_login():
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint)
        if view is not None and getattr(view, "is_public", False):
            return None
        if not current_user.is_authenticated:
            return app.login_manager.unauthorized()
        return None

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.vary.add("HX-Request")  # one Vary header: later additions (Cookie, Accept-Encoding) merge into it
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static" and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store" if current_user.is_authenticated else "no-cache"
        if request.endpoint != "static":
            response = assets.conditional_html(response, current_user.is_authenticated)
        return response


def choices(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(items)
