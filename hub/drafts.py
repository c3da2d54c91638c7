"""Form drafts: a form sent after the session expired comes back filled in after logging in again.

`keep(path)` stores the fields of the current POST, or of an htmx GET a form makes while it is being
filled in (a live check that includes the form), never passwords, CSRF tokens or files, never a
value that could not be read, for KEEP_MINUTES under a random token and returns the address to come
back to, `path?_draft=<token>`. `restore()` is called by `hub.forms.HubForm` on a GET of that
address: it takes the draft (once; it is deleted) and the form fills itself from it.

Both write in a transaction of their own: whatever the request had read so far is ended first (a
GET view has nothing to commit), so that on SQLite the write starts with BEGIN IMMEDIATE instead
of upgrading a read transaction (which fails at once when another writer got in between).
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit, parse_qsl

from flask import current_app, request
from sqlalchemy import JSON, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import MultiDict

from .database import UTCDateTime, utcnow, write_intent
from .extensions import db
from .inputs import GuardedMultiDict, is_bad

PARAM = "_draft"
KEEP_MINUTES = 30
MAX_CHARS = 200_000  # all values together; a draft is a convenience, not a store


class FormDraft(db.Model):
    """What was typed into a form sent after the session had expired, kept for a short while so the
    form comes back filled in after logging in again. Never passwords or files. (Defined here, not in
    hub/core/models.py: hub/web.py needs drafts, and hub/core needs hub/web.)"""

    __tablename__ = "form_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(2000))
    fields: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


def keepable(name: str) -> bool:
    last = name.rsplit("-", 1)[-1].lower()
    return not ("password" in name.lower() or last in ("confirm", "csrf_token") or name == PARAM)


def _fields() -> list[list[str]]:
    form = request.args if request.method in ("GET", "HEAD") else request.form
    lists = form.raw_lists() if isinstance(form, GuardedMultiDict) else list(form.lists())
    kept, size = [], 0
    for name, values in lists:
        if is_bad(name) or not keepable(name):
            continue
        for value in values:
            if is_bad(value):
                continue
            size += len(name) + len(value)
            if size > MAX_CHARS:
                return kept
            kept.append([name, value])
    return kept


def keep(path: str) -> str | None:
    """Store the current form for `path`; the address to come back to, or None when nothing was typed."""
    fields = _fields()
    if not any(value.strip() for _name, value in fields):
        return None
    token = secrets.token_urlsafe(24)
    now = utcnow()
    table = FormDraft.__table__
    try:
        db.session.rollback()  # nothing was written: the request is refused
        with write_intent():
            db.session.execute(delete(table).where(table.c.expires_at < now))
            db.session.execute(table.insert().values(
                token=token, path=urlsplit(path).path[:2000], fields=fields, created_at=now,
                expires_at=now + timedelta(minutes=KEEP_MINUTES)))
            db.session.commit()
    except Exception:  # a convenience: never fail the redirect to the login page because of it
        db.session.rollback()
        current_app.logger.exception("could not keep the form draft")
        return None
    return with_token(path, token)


def with_token(path: str, token: str) -> str:
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != PARAM]
    query.append((PARAM, token))
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


def restore() -> MultiDict | None:
    """The draft for this GET (once per request; the row is deleted when first read)."""
    # Per request (the WSGI environ, not `g`: an app context can outlive a request).
    if "hub.draft" in request.environ:
        return request.environ["hub.draft"]
    request.environ["hub.draft"] = None
    if request.method != "GET":
        return None
    token = request.args.getlist(PARAM)
    if len(token) != 1 or is_bad(token[0]) or len(token[0]) > 64:
        return None
    table = FormDraft.__table__
    try:
        db.session.commit()  # end the view's read transaction (a GET has nothing to commit)
        with write_intent():
            row = db.session.execute(select(table.c.id, table.c.fields).where(
                table.c.token == token[0], table.c.path == request.path, table.c.expires_at >= utcnow())).first()
            if row is not None:
                db.session.execute(delete(table).where(table.c.id == row.id))
            db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("could not restore the form draft")
        return None
    if row is None:
        return None
    draft = MultiDict([(name, value) for name, value in row.fields if keepable(name)])
    request.environ["hub.draft"] = draft
    return draft
