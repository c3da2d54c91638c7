"""The search package's registry: a second index declared beside the library's (here over the
organisations, with a "who may see it" rule by access keys), kept in step with commits, searched
with visibility inside the query, and rebuilt or checked on its own — on both engines."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from hub import search
from hub.accounts.models import Organisation
from hub.extensions import db

from .. import factories

NAME = "orgs_test"


def load(session, ids=None):
    stmt = select(Organisation).order_by(Organisation.id)
    if ids is not None:
        stmt = stmt.where(Organisation.id.in_(list(ids)))
    for org in session.scalars(stmt):
        # A partner's card is readable by its own organisation and the vendor; the vendor's by all.
        access = () if org.is_vendor else (f"org:{org.id}", "vendor")
        yield search.Document(
            id=org.id, titles={"ru": org.name, "en": org.name},
            texts={"ru": org.description or "", "en": org.description or ""},
            facets={"tier": [org.tier], "region": [org.region] if org.region else []},
            rank={"bronze": 0, "silver": 1, "gold": 2, "platinum": 3}.get(org.tier, 0), access=access,
            date=date(2026, 1, 1).toordinal() + org.id)


def count(session):
    return session.scalar(select(func.count()).select_from(Organisation)) or 0


def keys(org):
    return ("vendor",) if org.is_vendor else (f"org:{org.id}",)


@pytest.fixture(params=["fts5", "postgres"])
def backend(request, database_url):
    if request.param == "postgres" and not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL search backend needs a PostgreSQL test database")
    return request.param


@pytest.fixture
def app_config(tmp_path, backend):
    return {"SEARCH_INDEX_DIR": str(tmp_path / "index"), "SEARCH_BACKEND": backend}


@pytest.fixture
def orgs(app, world):
    world.org_a.description = "Внедряем CRM для розничных сетей и складов."
    world.org_b.description = "Distribution of licences; warehouses across the Volga region."
    world.org_b.tier = "gold"
    world.vendor.description = "Вендор: партнёрская программа и склады лицензий."
    db.session.commit()
    index = search.register(search.SearchIndex(
        name=NAME, facets=("tier", "region"), load=load, count=count, watch={Organisation: lambda o: o.id}))
    search.rebuild(NAME)
    yield world
    search.unregister(NAME)


def found(text="", viewer_keys=("vendor",), max_rank=3, **kw):
    result = search.search(NAME, search.SearchQuery(text=text, max_rank=max_rank, keys=viewer_keys, **kw))
    names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
    return [names[h.id] for h in result.hits], result


def test_a_second_index_searches_with_stemming(orgs):
    names, result = found("склад")                   # «складов», «склады»
    assert set(names) == {"Alpha Integration", "Kvant Soft"}
    names, _ = found("warehouse")                    # "warehouses"
    assert names == ["Beta Distribution"]
    names, result = found("розничная сеть")
    assert names == ["Alpha Integration"] and "<mark>" in str(result.hits[0].snippet)
    names, result = found("Integration")
    assert result.hits[0].title is not None and "<mark>Integration</mark>" in str(result.hits[0].title)


def test_visibility_by_access_keys_in_hits_and_counts(orgs):
    a, b = orgs.org_a, orgs.org_b
    names, result = found("", viewer_keys=keys(a))
    assert set(names) == {"Alpha Integration", "Kvant Soft"}      # its own card and the public one
    assert result.total == 2 and sum(result.counts["tier"].values()) == 2
    names, _ = found("склад", viewer_keys=keys(b))
    assert names == ["Kvant Soft"]                                # Alpha's card matches but is not Beta's to read
    names, result = found("")
    assert len(names) == 3 and result.counts["tier"] == {"bronze": 2, "gold": 1}
    names, _ = found("", viewer_keys=())                          # nobody in particular: public only
    assert names == ["Kvant Soft"]


def test_visibility_by_rank_and_filters(orgs):
    names, result = found("", max_rank=1)                         # Beta is gold: rank 2
    assert "Beta Distribution" not in names and result.counts["tier"] == {"bronze": 2}
    names, result = found("", filters={"tier": "gold"})
    assert names == ["Beta Distribution"]
    assert result.counts["tier"] == {"bronze": 2, "gold": 1}      # a facet's counts ignore its own filter
    assert result.counts["region"] == {"moscow": 1}


def test_the_index_follows_commits_and_typos(orgs):
    org = orgs.org_a
    org.description = "Кибербезопасность для банков."
    db.session.commit()
    assert found("кибербезопасность")[0] == ["Alpha Integration"]
    assert found("склад")[0] == ["Kvant Soft"]
    names, result = found("кибрбезопасность")
    assert names == ["Alpha Integration"] and result.corrected == "кибербезопасность"
    extra = factories.create_org("Gamma Systems", description="Склад запчастей.")
    assert "Gamma Systems" in found("склад")[0]
    db.session.delete(extra)
    db.session.commit()
    assert "Gamma Systems" not in found("склад")[0]


def test_rollback_changes_nothing(orgs):
    orgs.org_a.description = "Откатанный текст про дирижабли."
    db.session.flush()
    db.session.rollback()
    assert found("дирижабли")[0] == []


def test_reindex_and_check_one_index(app, orgs, backend):
    runner = app.test_cli_runner()
    library_before = search.check("library")
    result = runner.invoke(args=["search", "reindex", NAME])
    assert result.exit_code == 0, result.output
    assert f"{NAME}: indexed 3 items" in result.output and "library" not in result.output
    result = runner.invoke(args=["search", "check", NAME])
    assert result.exit_code == 0 and "3 documents" in result.output
    assert search.check("library") == library_before
    result = runner.invoke(args=["search", "reindex", "nonesuch"])
    assert result.exit_code == 2 and "no search index 'nonesuch'" in result.output
    result = runner.invoke(args=["search", "check"])            # every declared index
    assert NAME in result.output and "library" in result.output


def test_a_damaged_second_index_is_rebuilt(app, orgs, backend):
    if backend != "fts5":
        pytest.skip("files exist only for the fts5 engine")
    search.index_path(NAME).write_bytes(b"garbage" * 1000)
    assert not search.check(NAME)[0]
    assert found("склад")[0]
    assert search.check(NAME)[0]


@pytest.mark.parametrize("name", ["Library", "with-dash", "", "x" * 41])
def test_index_names_are_checked(name):
    with pytest.raises(ValueError):
        search.SearchIndex(name=name, load=load, count=count)


def test_an_undeclared_index_is_a_clear_error(app):
    with pytest.raises(LookupError, match="no search index 'nope'"):
        search.search("nope", search.SearchQuery(text="x"))


def test_a_rebuilt_file_that_reuses_the_old_inode_is_not_read_through_stale_sets(app, orgs, backend, monkeypatch):
    """The fts5 engine caches the visibility and filter sets per (file inode, generation). A rebuild
    writes a new file that the file system may give the inode number of an earlier one (it is freed
    when the old file goes): the cache must not take that file for the earlier one, or a document's
    access keys from before the rebuild decide who sees it (a private Q&A thread missing for its
    readers, or shown to others). Here every file gets the same inode number."""
    if backend != "fts5":
        pytest.skip("files exist only for the fts5 engine")
    import os
    from types import SimpleNamespace

    from hub.search import fts

    class SameInode:
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def stat(path, *args, **kwargs):
            os.stat(path, *args, **kwargs)  # still FileNotFoundError for a missing file
            return SimpleNamespace(st_ino=42)
    monkeypatch.setattr(fts, "os", SameInode())
    search.rebuild(NAME)
    a = orgs.org_a
    assert "Alpha Integration" in found("", viewer_keys=keys(a))[0]
    assert "Alpha Integration" not in found("", viewer_keys=())[0]
    # Alpha's card becomes the vendor's (public); the next rebuild writes a file with the same inode.
    a.kind = "vendor"
    db.session.commit()
    search.rebuild(NAME)
    assert "Alpha Integration" in found("", viewer_keys=())[0]
