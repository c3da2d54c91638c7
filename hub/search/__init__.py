"""Full-text search as a platform service: features declare their indexes, the package keeps them.

A feature that owns searchable documents declares an index once, at import time (the library does
it in hub/library/search_index.py):

    from hub import search

    search.register(search.SearchIndex(
        name="library",                       # [a-z][a-z0-9_]*; also the CLI's INDEX argument
        facets=("kind", "industry"),          # the filters, counted for every search
        load=load_documents,                  # (session, ids | None) -> Documents; ids=None: all
        count=count_documents,                # (session) -> how many `load(session, None)` yields
        watch={LibraryItem: lambda o: o.id,   # a model whose change marks a document dirty:
               LibraryTag: lambda o: o.item_id},  # object -> document id (or None)
        browse=browse,                        # optional: (SearchQuery) -> SearchResult from the
    ))                                        # feature's own tables while the index is unavailable

    search.search("library", search.SearchQuery(text="окупаемость", max_rank=1, keys=("org:7",)))

A `Document` carries titles and texts per language ("ru", "en"), facet values, a date for ordering
(newest first when there are no words) and its visibility, applied inside the query for the hits and
for every filter count:
- `rank`: a viewer of rank r (`SearchQuery.max_rank`) sees documents with rank <= r (tier gating);
- `access`: keys such as "space:3" or "role:vendor". A document with no keys is visible to every
  viewer the rank allows; one with keys only to a query whose `keys` share one of them. The owning
  feature decides the keys of a document and of a viewer (a private Q&A space: its documents carry
  "space:7" and "vendor", a Gold partner's query carries "space:7" when it may read that space).

After any commit that changed a watched model the dirty documents are loaded again (a document id
that `load` no longer returns is deleted from the index). `flask --app hub search reindex [INDEX]`
rebuilds one index or all; `flask --app hub search check [INDEX]` says whether they are usable.

Engines (HUB_SEARCH_BACKEND; one interface, the same results):
- `fts5` (default): SQLite FTS5 files in HUB_DATA_DIR/search (one per index), Snowball stems in the
  full-text table, bm25 ranking, snippets from the stored text, filter counts by set arithmetic on
  cached facet sets. Updated after the commit; a missing, damaged or outdated file is rebuilt from
  the database instead of failing a request. Works beside either database.
- `postgres` (only when the database is PostgreSQL): tables search_document / search_facet /
  search_word in the database with a GIN-indexed tsvector, updated inside the committing
  transaction, so several app servers share one index.

Typo tolerance for both: when a query finds nothing, each word the index does not know is replaced
by the closest one it does and the corrected query is run ("Showing results for ...").
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import click
from flask import current_app, has_app_context
from flask.cli import AppGroup
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from . import models  # noqa: F401 (the postgres engine's tables, for metadata and migrations)
from . import text as _text
from .text import LANGUAGES, words

__all__ = ["SearchIndex", "Document", "SearchQuery", "Hit", "SearchResult", "SearchUnavailable", "register",
           "indexes", "get", "search", "rebuild", "check", "reindex", "backend", "index_path", "words",
           "LANGUAGES"]

log = logging.getLogger(__name__)
ACCESS_PUBLIC = "*"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class SearchUnavailable(Exception):
    """The index cannot be opened or rebuilt (files unreadable, damaged, locked, no space; the
    PostgreSQL search failing). The owning feature then offers its `browse` instead."""


@dataclass(frozen=True)
class Document:
    id: int
    titles: Mapping[str, str]                      # language -> title
    texts: Mapping[str, str]                       # language -> plain text
    facets: Mapping[str, Sequence[str]] = field(default_factory=dict)
    rank: int = 0                                  # visible to viewers of rank >= this
    access: Sequence[str] = ()                     # empty: everybody the rank allows; else one key needed
    date: int = 0                                  # ordering without words, newest first (e.g. toordinal())


@dataclass
class SearchQuery:
    text: str = ""
    max_rank: int = 0                              # the viewer's rank: documents above it never show
    filters: dict[str, str] = field(default_factory=dict)  # facet -> value
    page: int = 1
    per_page: int = 20
    locale: str = "ru"
    keys: Sequence[str] = ()                       # the viewer's access keys (see Document.access)


@dataclass
class Hit:
    id: int
    score: float
    title: Markup | None = None                    # the title with matches marked, when it matched
    snippet: Markup | None = None                  # a passage of the text with matches marked


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    counts: dict[str, dict[str, int]]
    query: SearchQuery
    corrected: str | None = None                   # the query actually run, when the given one found nothing
    suggestion: str | None = None                  # "did you mean" when even the correction found nothing


@dataclass(frozen=True)
class SearchIndex:
    name: str
    load: Callable[[Session, Sequence[int] | None], Iterable[Document]]
    count: Callable[[Session], int]
    watch: Mapping[type, Callable[[object], int | None]] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    browse: Callable[[SearchQuery], SearchResult] | None = None

    def __post_init__(self):
        if not _NAME.match(self.name):
            raise ValueError(f"search index name {self.name!r}: lower-case letters, digits and _ only")
        for facet in self.facets:
            if not _NAME.match(facet):
                raise ValueError(f"search index {self.name}: facet name {facet!r}: lower-case letters, digits and _")


_REGISTRY: dict[str, SearchIndex] = {}


def register(index: SearchIndex) -> SearchIndex:
    """Declare an index (once per name; declaring the same name again replaces it, which keeps
    re-imports in tests harmless)."""
    _REGISTRY[index.name] = index
    return index


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def indexes() -> list[SearchIndex]:
    return list(_REGISTRY.values())


def get(name: str) -> SearchIndex:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(f"no search index {name!r} is declared (declared: {', '.join(_REGISTRY) or 'none'})") from None


# --- the configured engine -------------------------------------------------------------------------

def index_dir(app=None) -> Path:
    app = app or current_app
    return Path(app.config.get("SEARCH_INDEX_DIR") or Path(app.config["DATA_DIR"]) / "search")


def index_path(name: str = "library", app=None) -> Path:
    """Where the fts5 engine keeps an index."""
    return index_dir(app) / f"{name}.sqlite3"


def backend(app=None):
    app = app or current_app
    found = app.extensions.get("search_backend")
    if found is None:
        wanted = (app.config.get("SEARCH_BACKEND") or "fts5").lower()
        dialect = db.engines[None].dialect.name if has_app_context() else ""
        if wanted in ("postgres", "postgresql") and dialect == "postgresql":
            from .postgres import PostgresEngine
            found = PostgresEngine()
        else:
            if wanted not in ("fts5", "sqlite", ""):
                log.warning("HUB_SEARCH_BACKEND=%s is not available here; using fts5", wanted)
            from .fts import FtsEngine
            found = FtsEngine(index_dir(app), lock_timeout=app.config.get("SEARCH_LOCK_TIMEOUT", 30.0))
        app.extensions["search_backend"] = found
    return found


def _names(name: str | None) -> list[SearchIndex]:
    return [get(name)] if name else indexes()


def rebuild(name: str | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild one index (or all) from the database; the number of documents indexed."""
    return sum(backend().rebuild(ix, db.session, progress=progress) for ix in _names(name))


def reindex(name: str, ids: Iterable[int]) -> None:
    """Load these documents of an index again now (outside the automatic tracking)."""
    backend().update(get(name), db.session, set(ids))


def check(name: str | None = None) -> tuple[bool, str]:
    results = [backend().check(ix) for ix in _names(name)]
    return all(ok for ok, _ in results), "; ".join(message for _, message in results)


def search(name: str, q: SearchQuery) -> SearchResult:
    """Run the query on the index; when it finds nothing, run it again with misspelt words corrected.

    Raises SearchUnavailable when the engine fails, whatever the reason: the index is derived data
    and the owning feature stays usable without it (its `browse`)."""
    ix = get(name)
    try:
        return _search(ix, q)
    except SearchUnavailable:
        raise
    except Exception as exc:
        db.session.rollback()  # a failed PostgreSQL statement leaves the transaction unusable
        log.error("search in %s failed: %s: %s", name, exc.__class__.__name__, exc)
        raise SearchUnavailable(str(exc)) from exc


def _search(ix: SearchIndex, q: SearchQuery) -> SearchResult:
    engine = backend()
    result = engine.search(ix, q)
    if result.total == 0 and words(q.text):
        corrected = _text.correct(q.text, lambda w: engine.knows(ix, w),
                                  lambda first, lo, hi: engine.words_like(ix, first, lo, hi))
        if corrected:
            retry = engine.search(ix, replace(q, text=corrected))
            if retry.total:
                retry.query, retry.corrected = q, corrected
                return retry
            result.suggestion = corrected
    return result


def browse(name: str, q: SearchQuery) -> SearchResult:
    """The owning feature's listing by filters alone (what it shows while the index is unavailable)."""
    ix = get(name)
    if ix.browse is None:
        return SearchResult(hits=[], total=0, counts={f: {} for f in ix.facets}, query=q)
    return ix.browse(replace(q, text=""))


def empty_result(ix: SearchIndex, q: SearchQuery) -> SearchResult:
    return SearchResult(hits=[], total=0, counts={f: {} for f in ix.facets}, query=q)


# --- keeping the indexes in step with the database --------------------------------------------------

_PENDING = "search_pending"


def _watched(obj) -> list[tuple[str, int]]:
    out = []
    for ix in _REGISTRY.values():
        for model, doc_id in ix.watch.items():
            if isinstance(obj, model):
                found = doc_id(obj)
                if found is not None:
                    out.append((ix.name, found))
    return out


def _after_flush(session, _context) -> None:
    if not _REGISTRY:
        return
    for obj in [*session.new, *session.dirty, *session.deleted]:
        for name, doc_id in _watched(obj):
            session.info.setdefault(_PENDING, {}).setdefault(name, set()).add(doc_id)


def _before_commit(session) -> None:
    if not has_app_context() or not _REGISTRY:
        return
    engine = backend()
    if engine.transactional:
        # The commit flushes only after this hook: flush now, so that the changes are noted.
        if session.new or session.dirty or session.deleted:
            session.flush()
        for name, ids in session.info.get(_PENDING, {}).items():
            if name in _REGISTRY:
                engine.update(_REGISTRY[name], session, ids)


def _after_commit(session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    engine = backend()
    if engine.transactional:
        return
    for name, ids in pending.items():
        if name not in _REGISTRY:
            continue
        try:
            engine.update(_REGISTRY[name], None, ids)
        except Exception:  # the change is committed; a failed index update must not fail the request
            log.exception("search index %s update failed; `flask --app hub search reindex %s` repairs it", name, name)


def _after_rollback(session) -> None:
    session.info.pop(_PENDING, None)


_INSTALLED = False


def install(app) -> None:
    global _INSTALLED
    if not _INSTALLED:
        event.listen(db.session, "after_flush", _after_flush)
        event.listen(db.session, "before_commit", _before_commit)
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_soft_rollback", lambda session, _tx: _after_rollback(session))
        _INSTALLED = True
    app.cli.add_command(search_cli)


def startup_check(app) -> None:
    """At start-up: a missing, damaged or outdated fts5 index is rebuilt (and logged), never a crash."""
    with app.app_context():
        try:
            engine = backend(app)
            if engine.transactional:
                return
            for ix in indexes():
                ok, message = engine.check(ix)
                if ok:
                    continue
                try:
                    ix.count(db.session)
                except Exception:
                    db.session.rollback()
                    continue  # no schema yet (before `flask db upgrade`): nothing to index
                log.warning("%s; rebuilding it", message)
                engine.rebuild(ix, db.session)
        except Exception as exc:
            log.error("search index check failed: %s (`flask --app hub search reindex` rebuilds it)", exc)
        finally:
            db.session.remove()


# --- CLI --------------------------------------------------------------------------------------------

search_cli = AppGroup("search", help="The search indexes the features declare.")


def _index_argument(value: str | None) -> list[SearchIndex]:
    try:
        return _names(value)
    except LookupError as exc:
        raise click.BadParameter(str(exc), param_hint="INDEX") from None


@search_cli.command("reindex")
@click.argument("index", required=False)
def reindex_command(index: str | None) -> None:
    """Rebuild a search index (or every declared one) from the database."""
    engine = backend()
    for ix in _index_argument(index):
        total = ix.count(db.session)
        started = time.perf_counter()
        with click.progressbar(length=total, label=f"{ix.name} ({engine.name})") as bar:
            count = engine.rebuild(ix, db.session, progress=bar.update)
        click.echo(f"{ix.name}: indexed {count} items in {time.perf_counter() - started:.1f} s")


@search_cli.command("check")
@click.argument("index", required=False)
def check_command(index: str | None) -> None:
    """Say whether a search index (or every declared one) is usable."""
    failed = False
    for ix in _index_argument(index):
        ok, message = backend().check(ix)
        click.echo(message)
        failed = failed or not ok
    if failed:
        raise click.exceptions.Exit(1)
