"""Logins that end when they should (P1, P2).

Each login is a `UserSession` row whose random key travels in the signed session cookie and in
Flask-Login's remember cookie (the user's `get_id()` is that key: Flask-Login's "alternative
token" pattern). Every request loads the user through the key with one indexed query, so ending a
login is deleting its row: a replayed session cookie or remember cookie is anonymous from then on.

- logout ends the login it is made from;
- a password change ends every other login of the user (the one that changed it stays);
- a password reset ends every login of the user;
- "sign out everywhere" (profile page) ends them all;
- a login also ends on its own: with "keep me logged in" after REMEMBER_COOKIE_DURATION, without
  after PERMANENT_SESSION_LIFETIME (or when the browser drops its session cookie); `tick` deletes
  the rows of ended logins.

`log_in` / `log_out` need a request (they set cookies through Flask-Login); the rest is plain
database work that tests and the CLI call directly.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, func, select

from ..database import utcnow
from ..extensions import db
from .models import User, UserSession, token_digest

KEY_MAX = 64  # token_urlsafe(32) is 43 characters; anything longer is not ours


def _lifetime(remember: bool) -> timedelta:
    config = current_app.config
    return config["REMEMBER_COOKIE_DURATION"] if remember else config["PERMANENT_SESSION_LIFETIME"]


def open_session(user: User, remember: bool = False, now: datetime | None = None) -> str:
    """Record a new login of `user` and return its key (also set as `user.session_key`)."""
    now = now or utcnow()
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=token_digest(key), user_id=user.id, created_at=now,
                               expires_at=now + _lifetime(remember), remember=remember))
    db.session.commit()
    user.session_key = key
    return key


def user_for_key(key: str | None, now: datetime | None = None) -> User | None:
    """The active user of a live login, or None. One query (the user's organisation is joined)."""
    if not key or len(key) > KEY_MAX:
        return None
    user = db.session.scalar(
        select(User).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == token_digest(key), UserSession.expires_at > (now or utcnow()),
               User.is_active_user.is_(True)))
    if user is not None:
        user.session_key = key
    return user


def end_session(key: str | None) -> None:
    if key:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == token_digest(key)))
        db.session.commit()


def end_sessions(user: User, keep: str | None = None) -> int:
    """End every login of `user` but `keep` (a key). Added to the caller's transaction. Returns how many."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        query = query.where(UserSession.token_hash != token_digest(keep))
    return db.session.execute(query).rowcount


def open_sessions(user: User, now: datetime | None = None) -> int:
    return db.session.scalar(select(func.count(UserSession.id)).where(
        UserSession.user_id == user.id, UserSession.expires_at > (now or utcnow()))) or 0


def purge(now: datetime | None = None) -> int:
    """Delete the rows of logins that have ended by time."""
    result = db.session.execute(delete(UserSession).where(UserSession.expires_at <= (now or utcnow())))
    return result.rowcount


# --- in a request ---------------------------------------------------------------------------------

def log_in(user: User, remember: bool = False) -> None:
    """Open a login and hand its key to Flask-Login (session cookie, and remember cookie if asked)."""
    log_out()  # whoever was logged in in this browser is not any more
    open_session(user, remember)
    login_user(user, remember=remember)


def log_out() -> None:
    """End the current login on the server, then drop the cookies."""
    if current_user.is_authenticated:
        end_session(current_user.session_key)
    logout_user()
