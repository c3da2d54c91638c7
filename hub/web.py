"""Request/response helpers every blueprint uses: rendering a page or one block of it,
redirects that work for htmx and plain browsers, access rules and security headers."""
from __future__ import annotations

import functools
import math
from typing import Callable, Iterable
from urllib.parse import unquote, urlsplit

from flask import Response as FlaskResponse
from flask import abort, current_app, has_request_context, make_response, redirect, render_template, request
from flask_login import current_user
from jinja2_fragments.flask import render_block

from .extensions import htmx

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


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


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


def install(app) -> None:
    """Access rule, security headers and Vary, for every response of the app."""
    app.response_class = Response
    app.jinja_env.globals["absolute_url"] = absolute_url

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
        headers.add("Vary", "HX-Request")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static" and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store" if current_user.is_authenticated else "no-cache"
        return response


def choices(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(items)
