"""INSERT ... ON CONFLICT for the database in use (SQLite and PostgreSQL spell it alike in SQLAlchemy,
but each dialect has its own `insert`). Idempotent writes by unique keys use it everywhere."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db


def dialect_insert(model):
    """INSERT with `on_conflict_do_update` / `on_conflict_do_nothing` for the database in use."""
    name = db.session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(model)
