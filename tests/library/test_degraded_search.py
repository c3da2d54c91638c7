"""A search index that cannot be opened or rebuilt (issue 8 point 6): the library page says so and
still lists the items by their filters — never a 500. The index damaged and not rebuildable (no space
left), the fts5 index locked by a writer, and the PostgreSQL backend failing."""
from __future__ import annotations

import errno

import pytest
from sqlalchemy import select, text

from hub import search
from hub.extensions import db
from hub.library.models import LibraryItem

from .conftest import url

pytestmark = pytest.mark.usefixtures("library")
UNAVAILABLE = "Search is not available at the moment"


@pytest.fixture
def app_config(tmp_path):
    return {"SEARCH_INDEX_DIR": str(tmp_path / "index"), "SEARCH_LOCK_TIMEOUT": 0.2}


@pytest.fixture
def partner(world, login, client):
    login(world.a_member)
    return world.a_member


@pytest.fixture
def broken_index(monkeypatch):
    """The index file is damaged and a rebuild fails (the disk is full)."""
    from hub.search.fts import FtsEngine
    search.index_path("library").write_bytes(b"this is not an SQLite database" * 200)
    attempts = []

    def no_space(self, ix, session=None, progress=None):
        attempts.append(1)
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(FtsEngine, "rebuild", no_space)
    return attempts


def test_a_damaged_index_that_cannot_be_rebuilt_gives_a_page_that_says_so(client, partner, broken_index):
    response = client.get(url("library.index", q="окупаемость"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert UNAVAILABLE in page and "the words you typed are not used" in page
    # Still browsable: the Bronze partner's 28 items, with filter counts.
    assert "28 items" in page and "Page 1 of 2" in page
    assert "kind=price_list" in page  # the facet links are there


def test_filters_still_work_without_the_index(client, partner, broken_index):
    page = client.get(url("library.index", kind="battlecard")).get_data(as_text=True)
    assert UNAVAILABLE in page and 'aria-current="true"' in page
    assert "28 items" not in page
    assert "Battlecard" in page


def test_a_failed_rebuild_is_not_retried_by_every_request(client, partner, broken_index):
    for _ in range(3):
        assert client.get(url("library.index", q="crm")).status_code == 200
    assert len(broken_index) == 1


def test_a_locked_index_still_searches_and_saves(client, world, login):
    """A writer holding the index's write lock (a reindex in another process sharing the data
    directory): reading needs no lock, and a change saved meanwhile is kept (the index catches up later)."""
    import sqlite3
    writer = sqlite3.connect(search.index_path("library"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        login(world.manager)
        page = client.get(url("library.index", q="окупаемость")).get_data(as_text=True)
        assert UNAVAILABLE not in page and "crm-roi-payback-calculator" in page
        item = db.session.scalar(select(LibraryItem).where(LibraryItem.slug == "crm-roi-payback-calculator"))
        item.title_en = "Payback calculator, renamed while the index was locked"
        db.session.commit()  # the index update after the commit waits 0.2 s for the lock, then gives up
        assert db.session.scalar(select(LibraryItem.title_en).where(LibraryItem.id == item.id)).startswith("Payback")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert client.get(url("library.index", q="renamed")).status_code == 200
    search.reindex("library", [item.id])  # what `search reindex` does for the lagging item
    page = client.get(url("library.index", q="renamed")).get_data(as_text=True)
    assert "crm-roi-payback-calculator" in page


def test_the_postgres_backend_failing(app, client, partner, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL search backend needs a PostgreSQL test database")
    app.config["SEARCH_BACKEND"] = "postgres"
    app.extensions.pop("search_backend", None)
    search.rebuild()
    # A schema gone wrong: the search column is missing, so every full-text query fails.
    db.session.execute(text("ALTER TABLE search_document RENAME COLUMN vector TO vector_gone"))
    db.session.commit()
    try:
        response = client.get(url("library.index", q="окупаемость"))
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert UNAVAILABLE in page and "28 items" in page
    finally:
        db.session.rollback()
        db.session.execute(text("ALTER TABLE search_document RENAME COLUMN vector_gone TO vector"))
        db.session.commit()
        app.extensions.pop("search_backend", None)
