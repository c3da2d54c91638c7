"""Database plumbing shared by every feature: UTC timestamps, SQLite write locking, and the
session class that runs work once a commit has returned (the domain events' dispatch)."""
from __future__ import annotations

import contextvars
import warnings
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Callable

from flask_sqlalchemy.session import Session as _FlaskSession
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator


_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)
_reading_request: contextvars.ContextVar[str | None] = contextvars.ContextVar("reading_request", default=None)


# Schema objects a migration keeps outside the models (an FTS5 table and its shadow tables,
# dialect-specific indexes the models cannot declare for both databases): autogenerate and the
# models-vs-migrations test skip exactly these names. Features add theirs at import.
_OUTSIDE_MODELS: set[str] = set()


def outside_models(*names: str) -> None:
    """Declare schema objects (tables, indexes) that migrations maintain and the models do not."""
    _OUTSIDE_MODELS.update(names)


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's `include_name` hook: everything but the objects declared by `outside_models`."""
    return name not in _OUTSIDE_MODELS


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC on every backend, always returned timezone-aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use hub.database.utcnow() or an aware value")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


# Called with the session after each successful Session.commit(), in registration order.
# SQLAlchemy's own after_commit event runs while the transaction is closing, when the session may
# not run SQL; these hooks run once commit() is done, so they may open transactions of their own.
AFTER_COMMIT_HOOKS: list[Callable[["Session"], None]] = []

# A session whose info holds this key refuses commit() and rollback() with its value as the
# message: set while a domain-event listener runs inside a transaction it does not own.
NO_TRANSACTION_CONTROL = "hub.no_transaction_control"


class Session(_FlaskSession):
    """db.session's class (hub/extensions.py)."""

    def commit(self) -> None:
        self._check_control()
        super().commit()
        for hook in AFTER_COMMIT_HOOKS:
            hook(self)

    def rollback(self) -> None:
        self._check_control()
        super().rollback()

    def _check_control(self) -> None:
        reason = self.info.get(NO_TRANSACTION_CONTROL)
        if reason:
            raise RuntimeError(reason)


@contextmanager
def write_intent():
    """Mark the transactions begun inside as writers.

    On SQLite such a transaction starts with BEGIN IMMEDIATE, taking the write lock up front, so
    that racing writers queue on the busy timeout instead of failing with "database is locked"
    when a reader tries to upgrade. On PostgreSQL it changes nothing.
    """
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def set_write_intent(value: bool) -> None:
    _write_intent.set(value)


def watch_reading_request(description: str | None) -> None:
    """Set by the app around a request not begun as a writer (GET, HEAD): "GET /path", or None."""
    _reading_request.set(description)


_TXN_STATE = "hub.sqlite_transaction"


class WriteInReadTransaction(RuntimeWarning):
    """A GET request wrote inside a SQLite transaction that began as a reader and has read: under
    concurrency that write fails with "database is locked" instead of waiting its turn. The test
    suite turns this warning into an error, so every such request is found."""


def configure_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (SQLAlchemy's own recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        immediate = _write_intent.get()
        conn.info[_TXN_STATE] = "writer" if immediate else "reader"
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _watch(conn, _cursor, statement, _parameters, _context, _executemany):
        # A deferred transaction that has read and then writes cannot wait for the write lock: it
        # fails at once with "database is locked" whenever another writer committed in between.
        # Inside a GET request (the only requests not begun as writers) that is a bug: say so.
        # (Only while the app dispatches one: CLI jobs and test set-up write as they please.)
        state = conn.info.get(_TXN_STATE)
        if state is None or state == "writer" or not conn.in_transaction():
            return
        verb = statement.lstrip()[:7].upper()
        if verb.startswith(("SELECT", "WITH")):
            conn.info[_TXN_STATE] = "reader-has-read"
        elif state == "reader-has-read" and verb.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE")):
            request = _reading_request.get()
            if request:
                warnings.warn(WriteInReadTransaction(
                    f"{request} writes in a transaction SQLite began as a reader after reading: end the "
                    "read first (commit) and write inside write_intent()"), stacklevel=2)
