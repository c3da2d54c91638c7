"""Fixtures: an app on a migrated database (SQLite file, or PostgreSQL when
HUB_TEST_DATABASE_URL is set), a client, log-in helpers and a SQL query counter."""
from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import event

from hub import create_app
from hub.extensions import db

from . import factories


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("HUB_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations(tmp_path_factory):
    """Compile the .po catalogs afresh so tests always see the current translations."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent / "translations"
    out = tmp_path_factory.mktemp("translations")
    for po in root.glob("*/LC_MESSAGES/messages.po"):
        target = out / po.relative_to(root).with_suffix(".mo")
        target.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parts[-3])
        with target.open("wb") as fh:
            write_mo(fh, catalog)
    _TRANSLATIONS_DIR.append(str(out))


_TRANSLATIONS_DIR: list[str] = []


def make_config(database_url, data_dir, **extra):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATA_DIR": str(data_dir),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    }
    if _TRANSLATIONS_DIR:
        config["BABEL_TRANSLATION_DIRECTORIES"] = _TRANSLATIONS_DIR[0]
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def _migrated(database_url, data_dir):
    """The schema comes from the migrations, exactly as in production."""
    from flask_migrate import downgrade, upgrade
    app = create_app(make_config(database_url, data_dir))
    with app.app_context():
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
    yield
    with app.app_context():
        db.engine.dispose()


def _wipe():
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for table in tables:
                conn.execute(table.delete())
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")


@pytest.fixture
def app_config():
    """Override in a test module to change settings (e.g. enable CSRF)."""
    return {}


@pytest.fixture
def app(_migrated, database_url, data_dir, app_config):
    app = create_app(make_config(database_url, data_dir, **app_config))
    with app.app_context():
        _wipe()
        yield app
        db.session.remove()
        _wipe()
        db.engine.dispose()


class HubClient(FlaskClient):
    """Tests hold an app context open for database access, and Flask reuses it for each request,
    so per-request caches on `g` (Flask-Login's user) must be dropped between requests."""

    def open(self, *args, **kwargs):
        # Flask-Babel caches the chosen locale on `g` as well, Flask-WTF the session's CSRF token.
        for key in ("_login_user", "_flask_babel", "csrf_token"):
            g.pop(key, None)
        try:
            return super().open(*args, **kwargs)
        finally:
            for key in ("_login_user", "_flask_babel", "csrf_token"):
                g.pop(key, None)


@pytest.fixture
def client(app):
    app.test_client_class = HubClient
    return app.test_client()


@pytest.fixture
def login(client):
    """login(user): the test client now acts as that user (no password round trip)."""
    def _login(user, target=None):
        target = target or client
        with target.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return target
    return _login


@pytest.fixture
def world(app):
    """A vendor with a manager and an admin, and two partner organisations with an admin and a member."""
    return factories.world()


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    @contextmanager
    def _count():
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")):
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
    return _count
