"""Library fixtures: the content (read and indexed once per session, copied into each test that
asks for it), the search index reset to match, and the search backend as a parameter (PostgreSQL
only when the test database is PostgreSQL)."""
from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from hub import search
from hub.extensions import db
from hub.library import loaders
from tests.conftest import _wipe, make_config, shared_app
from tests.dbutil import insert_rows, read_rows, reset_sequences
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)

CONTENT = Path(__file__).resolve().parents[2] / "content" / "library"
BACKENDS = ["fts5", "postgres"]


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request, database_url):
    if request.param == "postgres" and not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL search backend needs a PostgreSQL test database")
    return request.param


@pytest.fixture(scope="session")
def _index_root(tmp_path_factory):
    return tmp_path_factory.mktemp("library-index")


@pytest.fixture
def app_config(request, _index_root):
    # One index directory per backend for the whole session, so that tests share their app; each
    # test starts from an index that matches its database (below).
    backend = request.getfixturevalue("backend") if "backend" in request.fixturenames else None
    config = {"SEARCH_INDEX_DIR": str(_index_root / (backend or "default"))}
    if backend:
        config["SEARCH_BACKEND"] = backend
    return config


@pytest.fixture(autouse=True)
def _fresh_index(request, app):
    """The database was wiped behind the index's back: start each test from an index that matches
    (`library` brings its own)."""
    if "library" not in request.fixturenames:
        search.rebuild()
    yield


@pytest.fixture(scope="session")
def _library_copy(_migrated, database_url, data_dir, _index_root):
    """content/library loaded once per session as `flask --app hub content load` does: its rows, the
    loader's counts and the fts5 index of those rows."""
    template = _index_root / "template"
    app = shared_app(make_config(database_url, data_dir, SEARCH_INDEX_DIR=str(template), SEARCH_BACKEND="fts5"))
    with app.app_context():
        _wipe()
        search.rebuild()
        counts = loaders.sync_library(CONTENT)
        db.session.commit()  # indexes the items into the template index
        with db.engine.connect() as conn:
            rows = read_rows(conn, db.metadata.sorted_tables)
        db.session.remove()
        _wipe()
    return SimpleNamespace(rows=rows, counts=counts, index=template)


@pytest.fixture
def library(app, _library_copy):
    """The 46 items of content/library, loaded as `flask --app hub content load` does (copied in
    from the session's one load, with the search index of them)."""
    tables = {t.name: t for t in db.metadata.sorted_tables}
    with db.engine.begin() as conn:
        insert_rows(conn, tables, _library_copy.rows)
        reset_sequences(conn, tables.values())
    if search.backend().name == "fts5":
        path = search.index_path("library")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_library_copy.index / "library.sqlite3", path)
        app.extensions.pop("search_backend", None)  # it cached what it read from the old index
    else:
        search.rebuild()
    return dict(_library_copy.counts)


