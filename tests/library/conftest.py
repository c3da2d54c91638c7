"""Library fixtures: the content loaded once per test, the search index reset to match, and the
search backend as a parameter (PostgreSQL only when the test database is PostgreSQL)."""
from __future__ import annotations

from pathlib import Path

import pytest

from hub import search
from hub.extensions import db
from hub.library import loaders
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)

CONTENT = Path(__file__).resolve().parents[2] / "content" / "library"
BACKENDS = ["whoosh", "postgres"]


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request, database_url):
    if request.param == "postgres" and not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL search backend needs a PostgreSQL test database")
    return request.param


@pytest.fixture
def app_config(request, tmp_path):
    config = {"SEARCH_INDEX_DIR": str(tmp_path / "index")}
    if "backend" in request.fixturenames:
        config["SEARCH_BACKEND"] = request.getfixturevalue("backend")
    return config


@pytest.fixture(autouse=True)
def _fresh_index(app):
    """The database was wiped behind the index's back: start each test from an index that matches."""
    search.rebuild()
    yield


@pytest.fixture
def library(app):
    """The 46 items of content/library, loaded as `flask --app hub content load` does."""
    counts = loaders.sync_library(CONTENT)
    db.session.commit()
    return counts


