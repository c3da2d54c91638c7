"""Fixtures: an app on a migrated database (SQLite file, or PostgreSQL when
HUB_TEST_DATABASE_URL is set), a client, log-in helpers, a SQL query counter and the demo program.

Under pytest-xdist (`make test` runs two workers) each worker has its own database: its own SQLite
file, or its own PostgreSQL database `<HUB_TEST_DATABASE_URL's database>_<worker>` on that server.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import make_url

from hub import create_app, features
from hub.extensions import db, limiter

from . import factories
from .dbutil import create_database, drop_database, insert_rows, read_rows, reset_sequences

# Every feature registered (its program.yml sections, header links, ...) even in a test that
# reads the rules file without creating an app.
features.load()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("HUB_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        yield url
        return
    name = f"{make_url(url).database}_{worker}"
    yield create_database(url, name)
    _dispose_shared_apps()  # close their connections before the database goes
    drop_database(url, name)


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
    """Empty the tables that hold rows and restart the ids, in a few statements: TRUNCATE of every
    table costs about a second on PostgreSQL, more than most tests."""
    tables = list(reversed(db.metadata.sorted_tables))  # referencing tables first
    with db.engine.begin() as conn:
        probe = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
        full = set(conn.exec_driver_sql(probe).scalars())
        for table in tables:
            # Keys that close a cycle (organisation.account_manager_id -> user) are emptied first.
            for fk in table.foreign_key_constraints:
                if fk.use_alter and table.name in full:
                    conn.execute(table.update().values({c.name: None for c in fk.columns}))
        for table in tables:
            if table.name in full:
                conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            # SQLite reuses rowids past the largest left, so its ids restart by themselves.
            conn.exec_driver_sql("SELECT setval(quote_ident(schemaname) || '.' || quote_ident(sequencename), 1, false) "
                                 "FROM pg_sequences WHERE last_value IS NOT NULL")


@pytest.fixture
def app_config():
    """Override in a test module to change settings (e.g. enable CSRF)."""
    return {}


# Building an app costs about a third of a second (URL map, program rules, search check), more than
# most tests: tests with the same settings share one app, restored to its settings before each.
_APPS: "OrderedDict[str, Flask]" = OrderedDict()
_APPS_KEPT = 4


def shared_app(config: dict) -> Flask:
    key = repr(sorted(config.items()))
    app = _APPS.pop(key, None)
    if app is None:
        app = create_app(config)
        app.extensions["tests.pristine_config"] = dict(app.config)
        app.extensions["tests.pristine_rules"] = dict(app.extensions["program_rules"])
    _APPS[key] = app
    while len(_APPS) > _APPS_KEPT:
        _key, old = _APPS.popitem(last=False)
        with old.app_context():
            db.engine.dispose()
    return app


def _dispose_shared_apps() -> None:
    while _APPS:
        _key, app = _APPS.popitem()
        with app.app_context():
            db.engine.dispose()


def _restore(app: Flask) -> None:
    """Undo what a test did to the shared app: its settings, what was derived from them, throttling,
    the figures kept per state of the database (hub/memo.py: a fresh database can repeat a state)."""
    from hub import memo
    memo.clear_all()
    pristine = app.extensions["tests.pristine_config"]
    if dict(app.config) != pristine:
        app.config.clear()
        app.config.update(pristine)
        app.extensions.pop("search_backend", None)  # chosen from the settings
    # The program rules the app loaded at start (a test may point it at another file or reload it).
    rules = app.extensions["program_rules"]
    if rules != app.extensions["tests.pristine_rules"]:
        rules.clear()
        rules.update(app.extensions["tests.pristine_rules"])
    # The limiter is one object for every app, and init_app sets its `enabled` from the app being
    # created: after a test built an app with limits on, apps shared from before would limit too.
    limiter.enabled = bool(app.config.get("RATELIMIT_ENABLED"))
    if limiter.enabled:
        limiter.reset()


def _listener_failures() -> list[str]:
    """Domain-event listeners that failed during the test: the outbox records a failure instead of
    raising it, so without this check a broken listener would pass unnoticed."""
    from hub.domain_events.models import EventDelivery
    rows = db.session.execute(db.select(EventDelivery.listener, EventDelivery.last_error)
                              .where(EventDelivery.last_error.is_not(None))).all()
    db.session.rollback()
    return [f"{listener}: {error.strip().splitlines()[-1]}" for listener, error in rows]


def _forget_search_files(app: Flask) -> None:
    """The fts5 index files follow the emptied database: they live in the session's data directory,
    beside a database every test empties, so a test would otherwise search the documents of an earlier
    test's rows, whose ids the new rows reuse (a private Q&A thread found, or missed, by the wrong
    viewers). A file that holds documents is rebuilt from the empty database (a few milliseconds);
    an empty one is left alone."""
    import sqlite3

    from hub import search
    if search.backend().name != "fts5":
        return  # the postgres engine's tables were emptied with the others
    for ix in search.indexes():
        path = search.index_path(ix.name, app)
        if not path.exists():
            continue
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
                stale = conn.execute("SELECT 1 FROM doc LIMIT 1").fetchone() is not None
            conn.close()
        except sqlite3.DatabaseError:
            stale = True
        if stale:
            search.rebuild(ix.name)


@pytest.fixture
def app(request, _migrated, database_url, data_dir, app_config):
    app = shared_app(make_config(database_url, data_dir, **app_config))
    with app.app_context():
        _restore(app)
        _wipe()  # before each test only: what a test leaves behind, the next one wipes
        _forget_search_files(app)
        db.session.remove()
        yield app
        db.session.remove()
        failures = [] if request.node.get_closest_marker("listener_failures") else _listener_failures()
        _restore(app)
        if failures:
            pytest.fail("domain-event listeners failed (mark the test `listener_failures` if it means to):\n"
                        + "\n".join(failures), pytrace=False)


@pytest.fixture(scope="session")
def _demo_copy(_migrated, database_url, data_dir):
    """The demo program as `make setup` builds it (content load, then demo), built once per session
    (per worker) and kept as rows."""
    app = shared_app(make_config(database_url, data_dir))
    with app.app_context():
        _wipe()
        runner = app.test_cli_runner()
        output = []
        for args in (["content", "load"], ["demo"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
            output.append(result.output)
        with db.engine.connect() as conn:
            rows = read_rows(conn, db.metadata.sorted_tables)
        db.session.remove()
        _wipe()
    return SimpleNamespace(rows=rows, output="".join(output))


@pytest.fixture
def demo(app, _demo_copy):
    """The demo program on the test database (content loaded, then `flask --app hub demo`), copied in
    from the session's one build in a fraction of a second. `demo.output` is what the commands
    printed when it was built."""
    from hub import search
    tables = {t.name: t for t in db.metadata.sorted_tables}
    with db.engine.begin() as conn:
        insert_rows(conn, tables, _demo_copy.rows)
        reset_sequences(conn, tables.values())
    search.rebuild()
    return _demo_copy


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
    from hub.accounts import sessions

    def _login(user, target=None, remember=False):
        target = target or client
        key = sessions.open_session(user, remember=remember)  # a real server-side login
        with target.session_transaction() as session:
            session["_user_id"] = key
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
