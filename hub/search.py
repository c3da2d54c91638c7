"""The library's search index (L2) behind one small interface, with two backends.

    search.index(ids)      (re)index these items         search.delete(ids)   drop them
    search.search(query)   -> SearchResult               search.rebuild(progress=None)
    search.check()         -> (ok, message)              search.backend()     the configured backend

- `whoosh` (default): an index in the data directory (HUB_DATA_DIR/search/library), Russian and
  English text in separate fields with the matching stemming analyzer (ё folds into е).
- `postgres` (HUB_SEARCH_BACKEND=postgres, only when the database is PostgreSQL): a tsvector column
  on library_item with a GIN index, kept up to date inside the committing transaction, so several
  app servers share one index.

The index is derived data. The session's after_flush hook notes which items changed; before the
commit the PostgreSQL backend refreshes their vectors in the same transaction, after the commit the
Whoosh backend updates its files (microblog's pattern). A missing or unreadable Whoosh index is
rebuilt from the database (and logged) instead of failing a request. `flask --app hub search
reindex` rebuilds it explicitly.

Tier gating happens inside the query (tier_rank <= the viewer's rank) for the hits and for every
filter count. Typo tolerance is shared by both backends: when a query finds nothing, each unknown word
is corrected against the words of the library's text and the corrected query is run instead
("Showing results for ...").
"""
from __future__ import annotations

import difflib
import gc
import logging
import os
import re
import shutil
import threading
import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

import click
from flask import current_app, has_app_context
from flask.cli import AppGroup
from markupsafe import Markup
from sqlalchemy import event, func, select, text as sql_text
from sqlalchemy.orm import Session, aliased, selectinload

from .extensions import db

log = logging.getLogger(__name__)

FACETS = ("kind", "industry", "partner_type", "product", "language")
TAG_FACETS = ("industry", "partner_type", "product", "language")
WORD = re.compile(r"\w+", re.UNICODE)
TITLE_BOOST = 4.0
MAX_QUERY_WORDS = 12
REBUILD_RETRY_SECONDS = 60  # after a failed rebuild, requests do not retry it (and wait) for this long


class SearchUnavailable(Exception):
    """The index cannot be opened or rebuilt (Whoosh files unreadable, damaged, locked, no space; the
    PostgreSQL search failing). The library then offers browsing by filters instead (`browse()`)."""


def words(text: str) -> list[str]:
    """The words of a query, lower-case, ё as е; syntax characters are not operators here."""
    return [w.lower().replace("ё", "е") for w in WORD.findall(text or "")][:MAX_QUERY_WORDS]


@dataclass
class SearchQuery:
    text: str = ""
    max_rank: int = 0                       # the viewer's tier rank: items above it never show
    filters: dict[str, str] = field(default_factory=dict)  # facet -> value
    page: int = 1
    per_page: int = 20
    locale: str = "ru"


@dataclass
class Hit:
    id: int
    score: float
    title: Markup | None = None             # the title with matches marked, when it matched
    snippet: Markup | None = None           # a passage of the text with matches marked


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    counts: dict[str, dict[str, int]]
    query: SearchQuery
    corrected: str | None = None            # the query actually run, when the given one found nothing
    suggestion: str | None = None           # "did you mean" when even the correction found nothing


@dataclass(frozen=True)
class Document:
    id: int
    tier_rank: int
    kind: str
    tags: dict[str, list[str]]
    title_ru: str
    title_en: str
    text_ru: str
    text_en: str
    published: int                          # date.toordinal()


# --- documents from the database ----------------------------------------------------------------

def _item_model():
    from .library.models import LibraryItem
    return LibraryItem


def to_document(item) -> Document:
    tags: dict[str, list[str]] = {}
    for tag in item.tags:
        tags.setdefault(tag.facet, []).append(tag.value)
    return Document(id=item.id, tier_rank=item.tier_rank, kind=item.kind, tags=tags,
                    title_ru=item.title_ru, title_en=item.title_en, text_ru=item.plain_ru or "",
                    text_en=item.plain_en or "", published=item.published.toordinal())


def load_documents(session: Session, ids: Iterable[int] | None = None, batch: int = 500) -> Iterable[Document]:
    Item = _item_model()
    stmt = select(Item).options(selectinload(Item.tags)).order_by(Item.id)
    if ids is not None:
        ids = sorted(set(ids))
        for start in range(0, len(ids), batch):
            for item in session.scalars(stmt.where(Item.id.in_(ids[start:start + batch]))):
                yield to_document(item)
        return
    last = 0
    while True:
        chunk = list(session.scalars(stmt.where(Item.id > last).limit(batch)))
        if not chunk:
            return
        for item in chunk:
            yield to_document(item)
        last = chunk[-1].id
        session.expunge_all()


def count_documents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(_item_model())) or 0


# --- typo tolerance: a corrector from the library's own words (shared by both backends) ----------

_VOCABULARY: dict[str, tuple[tuple, dict[str, dict[int, list[str]]]]] = {}
_VOCAB_LOCK = threading.Lock()


def _vocabulary(session: Session) -> dict[str, dict[int, list[str]]]:
    """Words of the library by first letter and length, cached until an item changes."""
    Item = _item_model()
    signature = tuple(session.execute(select(func.count(Item.id), func.max(Item.updated_at))).one())
    key = str(session.get_bind().url)
    with _VOCAB_LOCK:
        cached = _VOCABULARY.get(key)
        if cached and cached[0] == signature:
            return cached[1]
    found: set[str] = set()
    for row in session.execute(select(Item.title_ru, Item.title_en, Item.plain_ru, Item.plain_en)):
        for part in row:
            found.update(w for w in words_all(part or "") if len(w) >= 3 and not w.isdigit())
    index: dict[str, dict[int, list[str]]] = {}
    for word in found:
        index.setdefault(word[0], {}).setdefault(len(word), []).append(word)
    with _VOCAB_LOCK:
        _VOCABULARY[key] = (signature, index)
    return index


def words_all(text: str) -> list[str]:
    return [w.lower().replace("ё", "е") for w in WORD.findall(text)]


def correct(text: str, session: Session | None = None) -> str | None:
    """The query with each word that is not in the library replaced by the closest one that is,
    or None when nothing could be corrected."""
    session = session or db.session
    vocab = _vocabulary(session)
    changed = False
    out = []
    for word in words(text):
        by_length = vocab.get(word[0], {})
        if len(word) < 4 or word in by_length.get(len(word), ()):
            out.append(word)
            continue
        candidates = [w for n in range(len(word) - 2, len(word) + 3) for w in by_length.get(n, ())]
        match = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
        if match:
            out.append(match[0])
            changed = True
        else:
            out.append(word)
    return " ".join(out) if changed else None


# --- Whoosh ---------------------------------------------------------------------------------------

class WhooshBackend:
    name = "whoosh"

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._value_cache: tuple | None = None
        self._broken_until = 0.0

    # schema and documents
    @staticmethod
    def schema():
        from whoosh import fields
        from whoosh.analysis import LanguageAnalyzer
        ru, en = LanguageAnalyzer("ru"), LanguageAnalyzer("en")
        return fields.Schema(
            id=fields.ID(stored=True, unique=True),
            tier_rank=fields.NUMERIC(int),
            published=fields.NUMERIC(int, sortable=True),
            kind=fields.ID,
            industry=fields.KEYWORD, partner_type=fields.KEYWORD, product=fields.KEYWORD, language=fields.KEYWORD,
            title_ru=fields.TEXT(analyzer=ru, stored=True), title_en=fields.TEXT(analyzer=en, stored=True),
            text_ru=fields.TEXT(analyzer=ru, stored=True), text_en=fields.TEXT(analyzer=en, stored=True),
        )

    @staticmethod
    def _fields(doc: Document) -> dict:
        values = dict(id=str(doc.id), tier_rank=doc.tier_rank, published=doc.published, kind=doc.kind,
                      title_ru=doc.title_ru, title_en=doc.title_en, text_ru=doc.text_ru, text_en=doc.text_en)
        for facet in TAG_FACETS:
            values[facet] = " ".join(doc.tags.get(facet, [])) or "-"
        return values

    # opening, and recovering from a missing or damaged index
    def _open(self, session: Session | None = None):
        from whoosh import index
        # Whoosh leaves a damaged file open when it gives up on it: that is not our warning to raise.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                if index.exists_in(str(self.path)):
                    ix = index.open_dir(str(self.path))
                    with ix.reader():
                        pass  # a damaged segment shows up here rather than in the middle of a search
                    return ix
                problem = "missing"
            except Exception as exc:  # whoosh raises many kinds on damaged files
                problem = f"unreadable ({exc.__class__.__name__}: {exc})"
            gc.collect()
        if time.monotonic() < self._broken_until:
            raise SearchUnavailable(f"search index {self.path} is {problem}; rebuilding it failed a moment ago")
        with self._lock:
            log.warning("search index %s is %s; rebuilding it from the database", self.path, problem)
            try:
                self.rebuild(session=session)
                return index.open_dir(str(self.path))
            except Exception as exc:
                self._broken_until = time.monotonic() + REBUILD_RETRY_SECONDS
                log.error("search index %s could not be rebuilt: %s: %s", self.path, exc.__class__.__name__, exc)
                raise SearchUnavailable(f"search index {self.path} is {problem} and could not be rebuilt") from exc

    def check(self) -> tuple[bool, str]:
        from whoosh import index
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                if not index.exists_in(str(self.path)):
                    return False, f"whoosh index {self.path} is missing"
                ix = index.open_dir(str(self.path))
                with ix.searcher() as searcher:
                    count = searcher.doc_count()
                problem = None
            except Exception as exc:
                problem = f"whoosh index {self.path} is unreadable: {exc.__class__.__name__}: {exc}"
            gc.collect()
        if problem:
            return False, problem
        return True, f"whoosh index {self.path}: {count} documents"

    def rebuild(self, session: Session | None = None, progress: Callable[[int], None] | None = None) -> int:
        """Write a fresh index beside the old one, then swap it in."""
        from whoosh import index
        session = session or db.session
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = self.path.with_name(f"{self.path.name}.new-{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir()
        ix = index.create_in(str(fresh), self.schema())
        writer = ix.writer(limitmb=128)
        count = 0
        for doc in load_documents(session):
            writer.add_document(**self._fields(doc))
            count += 1
            if progress:
                progress(1)
        writer.commit()
        old = self.path.with_name(f"{self.path.name}.old-{os.getpid()}-{threading.get_ident()}")
        try:
            self.path.rename(old)
        except FileNotFoundError:
            pass
        try:
            fresh.rename(self.path)
        except OSError:
            # Another process (a second worker starting at the same time) swapped its own fresh
            # index in first: it holds the same documents.
            shutil.rmtree(fresh, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
        self._value_cache = None
        return count

    # changes
    def _writer(self, ix):
        timeout = current_app.config.get("SEARCH_LOCK_TIMEOUT", 30.0) if has_app_context() else 30.0
        return ix.writer(timeout=timeout, delay=0.05)

    def index(self, ids: Iterable[int], session: Session | None = None) -> None:
        ids = list(ids)
        if not ids:
            return
        own = session is None
        session = session or Session(db.engine)
        try:
            ix = self._open(session)
            docs = list(load_documents(session, ids))
            writer = self._writer(ix)
            found = set()
            for doc in docs:
                writer.update_document(**self._fields(doc))
                found.add(doc.id)
            for missing in set(ids) - found:
                writer.delete_by_term("id", str(missing))
            writer.commit()
        finally:
            if own:
                session.close()

    def delete(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        ix = self._open()
        writer = self._writer(ix)
        for item_id in ids:
            writer.delete_by_term("id", str(item_id))
        writer.commit()

    def after_commit(self, index_ids: set[int], delete_ids: set[int]) -> None:
        self.delete(delete_ids)
        self.index(index_ids - delete_ids)

    def before_commit(self, session: Session, ids: set[int]) -> None:
        pass

    # searching
    def _query(self, q: SearchQuery):
        from whoosh import query as wq
        schema = self.schema()
        clauses = []
        for word in words(q.text):
            stems = {name: [token.text for token in schema[name].analyzer(word)]
                     for name in ("title_ru", "title_en", "text_ru", "text_en")}
            if not all(stems.values()):
                continue  # a stop word in either language ("для", "the") is not required anywhere
            options = [wq.Term(name, stem, boost=TITLE_BOOST if name.startswith("title") else 1.0)
                       for name, found in stems.items() for stem in found]
            clauses.append(wq.Or(options))
        return wq.And(clauses) if clauses else None

    def _filter(self, q: SearchQuery, skip: str | None = None):
        from whoosh import query as wq
        parts = [wq.NumericRange("tier_rank", None, q.max_rank)]
        for facet, value in sorted(q.filters.items()):
            if facet != skip and value:
                parts.append(wq.Term(facet, value))
        return wq.And(parts)

    def search(self, q: SearchQuery) -> SearchResult:
        from whoosh import highlight, sorting
        from whoosh import query as wq
        ix = self._open()
        text_query = self._query(q)
        if q.text.strip() and text_query is None:  # only stop words
            return SearchResult(hits=[], total=0, counts={f: {} for f in FACETS}, query=q)
        main = text_query or wq.Every()
        with ix.searcher() as searcher:
            kwargs = {} if text_query else {"sortedby": sorting.FieldFacet("published", reverse=True)}
            page = searcher.search_page(main, q.page, pagelen=q.per_page, filter=self._filter(q), **kwargs)
            page.results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
            context = highlight.ContextFragmenter(maxchars=240, surround=60)
            whole = highlight.WholeFragmenter()
            page.results.fragmenter = context
            order = ("ru", "en") if q.locale != "en" else ("en", "ru")
            stems = {lang: {text for name, text in main.all_terms() if name == f"text_{lang}"}
                     for lang in ("ru", "en")} if text_query is not None else {}
            hits = []
            for hit in page:
                title = snippet = None
                if text_query is not None:
                    page.results.fragmenter = whole
                    title = hit.highlights(f"title_{'en' if q.locale == 'en' else 'ru'}") or None
                    page.results.fragmenter = context
                    for lang in order:
                        passage = _candidate_lines(hit.get(f"text_{lang}") or "", stems[lang])
                        snippet = (hit.highlights(f"text_{lang}", text=passage, top=2) or None) if passage else None
                        if snippet:
                            break
                hits.append(Hit(id=int(hit["id"]), score=hit.score or 0.0,
                                title=Markup(title) if title else None,
                                snippet=Markup(snippet) if snippet else None))
            total = page.total
            counts = self._counts(searcher, main, q)
        return SearchResult(hits=hits, total=total, counts=counts, query=q)

    def _value_sets(self, searcher) -> dict[str, dict[str, frozenset[int]]]:
        """Each facet value's document numbers, read once per version of the index."""
        from whoosh import query as wq
        # A rebuild swaps in a new directory whose generations start again: its inode tells them apart.
        key = (os.stat(self.path).st_ino, searcher.ixreader.generation(), searcher.doc_count_all())
        cached = self._value_cache
        if cached and cached[0] == key:
            return cached[1]
        values: dict[str, dict[str, frozenset[int]]] = {facet: {} for facet in FACETS}
        reader = searcher.reader()
        for facet in FACETS:
            for value in reader.lexicon(facet):
                value = value.decode("utf-8") if isinstance(value, bytes) else value
                if value != "-":
                    values[facet][value] = frozenset(searcher.docs_for_query(wq.Term(facet, value)))
        self._value_cache = (key, values)
        return values

    def _counts(self, searcher, main, q: SearchQuery) -> dict[str, dict[str, int]]:
        """Filter counts by set arithmetic on document numbers: the matches (tier-gated) once, each
        facet value's documents once; a facet's counts apply every filter but its own."""
        from whoosh import query as wq
        base = set(searcher.docs_for_query(wq.And([main, wq.NumericRange("tier_rank", None, q.max_rank)])))
        values = self._value_sets(searcher)
        selected = {f: values[f].get(v, set()) for f, v in q.filters.items() if v}
        counts = {}
        for facet in FACETS:
            matches = base
            for other, docs in selected.items():
                if other != facet:
                    matches = matches & docs
            counts[facet] = {v: n for v, docs in values[facet].items() if (n := len(matches & docs))}
        return counts


_SENTENCE = re.compile(r"(?<=[.!?…:;])\s+|\n+")


def _candidate_lines(text: str, stems: set[str], limit: int = 4) -> str:
    """The sentences that may hold a match (they contain a stem of a query word), so that the
    highlighter analyses a few lines instead of the whole body."""
    if not stems:
        return ""
    kept = []
    for line in _SENTENCE.split(text):
        folded = line.lower().replace("ё", "е")
        if any(stem in folded for stem in stems):
            kept.append(line)
            if len(kept) >= limit:
                break
    return "\n".join(kept)


# --- PostgreSQL -----------------------------------------------------------------------------------

# The vector: titles weigh A, summaries and bodies (plain_*) D; Russian text with the Russian
# configuration, English with the English one.
VECTOR_SQL = """
    setweight(to_tsvector('russian', coalesce(title_ru, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(title_en, '')), 'A') ||
    setweight(to_tsvector('russian', coalesce(plain_ru, '')), 'D') ||
    setweight(to_tsvector('english', coalesce(plain_en, '')), 'D')
"""
HEADLINE_OPTIONS = "StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=\" … \""


def _escaped(column: str) -> str:
    return f"replace(replace(replace(coalesce({column}, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"


class PostgresBackend:
    name = "postgres"

    def check(self) -> tuple[bool, str]:
        Item = _item_model()
        missing = db.session.scalar(select(func.count()).select_from(Item).where(Item.search_vector.is_(None)))
        if missing:
            return False, f"postgres search: {missing} items have no search vector (run `flask --app hub search reindex`)"
        return True, "postgres search: every item has its search vector"

    def _refresh(self, session: Session, ids: list[int] | None) -> int:
        where = "" if ids is None else "WHERE id = ANY(:ids)"
        result = session.execute(sql_text(f"UPDATE library_item SET search_vector = {VECTOR_SQL} {where}"),
                                 {} if ids is None else {"ids": list(ids)})
        return result.rowcount or 0

    def rebuild(self, session: Session | None = None, progress: Callable[[int], None] | None = None) -> int:
        session = session or db.session
        Item = _item_model()
        ids = list(session.scalars(select(Item.id).order_by(Item.id)))
        for start in range(0, len(ids), 1000):
            chunk = ids[start:start + 1000]
            self._refresh(session, chunk)
            if progress:
                progress(len(chunk))
        session.commit()
        return len(ids)

    def index(self, ids: Iterable[int], session: Session | None = None) -> None:
        session = session or db.session
        self._refresh(session, list(ids))

    def delete(self, ids: Iterable[int]) -> None:
        pass  # the vector goes with its row

    def before_commit(self, session: Session, ids: set[int]) -> None:
        if ids:
            self._refresh(session, sorted(ids))

    def after_commit(self, index_ids: set[int], delete_ids: set[int]) -> None:
        pass

    def search(self, q: SearchQuery) -> SearchResult:
        from .library.models import LibraryItem as Item, LibraryTag as Tag
        cleaned = " ".join(words(q.text))
        tsq = None
        if cleaned:
            tsq = func.websearch_to_tsquery(sql_text("'russian'::regconfig"), cleaned).op("||")(
                func.websearch_to_tsquery(sql_text("'english'::regconfig"), cleaned))
            if not db.session.scalar(select(func.numnode(tsq))):
                return SearchResult(hits=[], total=0, counts={f: {} for f in FACETS}, query=q)

        def conditions(skip: str | None = None) -> list:
            out = [Item.tier_rank <= q.max_rank]
            if tsq is not None:
                out.append(Item.search_vector.op("@@")(tsq))
            for facet, value in sorted(q.filters.items()):
                if facet == skip or not value:
                    continue
                if facet == "kind":
                    out.append(Item.kind == value)
                else:
                    tag = aliased(Tag)
                    out.append(select(tag.id).where(tag.item_id == Item.id, tag.facet == facet,
                                                    tag.value == value).correlate(Item).exists())
            return out

        total = db.session.scalar(select(func.count()).select_from(Item).where(*conditions())) or 0
        lang = "en" if q.locale == "en" else "ru"
        other = "ru" if lang == "en" else "en"
        config = {"ru": "russian", "en": "english"}
        if tsq is not None:
            rank = func.ts_rank(Item.search_vector, tsq)
            columns = [Item.id, rank.label("rank"),
                       func.ts_headline(sql_text(f"'{config[lang]}'::regconfig"), sql_text(_escaped(f"library_item.title_{lang}")),
                                        tsq, "HighlightAll=true, StartSel=<mark>, StopSel=</mark>").label("title"),
                       func.ts_headline(sql_text(f"'{config[lang]}'::regconfig"), sql_text(_escaped(f"library_item.plain_{lang}")),
                                        tsq, HEADLINE_OPTIONS).label("snippet"),
                       func.ts_headline(sql_text(f"'{config[other]}'::regconfig"), sql_text(_escaped(f"library_item.plain_{other}")),
                                        tsq, HEADLINE_OPTIONS).label("snippet_other")]
            order = [rank.desc(), Item.published.desc(), Item.id.desc()]
        else:
            columns = [Item.id]
            order = [Item.published.desc(), Item.id.desc()]
        rows = db.session.execute(select(*columns).where(*conditions()).order_by(*order)
                                  .limit(q.per_page).offset((q.page - 1) * q.per_page)).all()
        hits = []
        for row in rows:
            if tsq is None:
                hits.append(Hit(id=row.id, score=0.0))
                continue
            snippet = row.snippet if "<mark>" in row.snippet else (
                row.snippet_other if "<mark>" in row.snippet_other else None)
            hits.append(Hit(id=row.id, score=float(row.rank),
                            title=Markup(row.title) if "<mark>" in row.title else None,
                            snippet=Markup(snippet) if snippet else None))
        counts: dict[str, dict[str, int]] = {}
        for facet in FACETS:
            if facet == "kind":
                stmt = select(Item.kind, func.count()).where(*conditions("kind")).group_by(Item.kind)
            else:
                stmt = (select(Tag.value, func.count()).join(Item, Item.id == Tag.item_id)
                        .where(Tag.facet == facet, *conditions(facet)).group_by(Tag.value))
            counts[facet] = {value: n for value, n in db.session.execute(stmt)}
        return SearchResult(hits=hits, total=total, counts=counts, query=q)


# --- the configured backend and the module-level interface --------------------------------------

def index_path(app=None) -> Path:
    app = app or current_app
    return Path(app.config.get("SEARCH_INDEX_DIR") or Path(app.config["DATA_DIR"]) / "search" / "library")


def backend(app=None):
    app = app or current_app
    found = app.extensions.get("search_backend")
    if found is None:
        wanted = (app.config.get("SEARCH_BACKEND") or "whoosh").lower()
        dialect = db.engines[None].dialect.name if has_app_context() else ""
        if wanted in ("postgres", "postgresql") and dialect == "postgresql":
            found = PostgresBackend()
        else:
            if wanted not in ("whoosh", ""):
                log.warning("HUB_SEARCH_BACKEND=%s needs a PostgreSQL database; using whoosh", wanted)
            found = WhooshBackend(index_path(app))
        app.extensions["search_backend"] = found
    return found


def index(ids: Iterable[int]) -> None:
    backend().index(ids)


def delete(ids: Iterable[int]) -> None:
    backend().delete(ids)


def rebuild(progress: Callable[[int], None] | None = None) -> int:
    return backend().rebuild(db.session, progress=progress)


def check() -> tuple[bool, str]:
    return backend().check()


def search(q: SearchQuery) -> SearchResult:
    """Run the query; when it finds nothing, run it again with misspelt words corrected.

    Raises SearchUnavailable when the backend fails, whatever the reason: the index is derived data
    and the library stays usable without it (`browse()`)."""
    try:
        return _search(q)
    except SearchUnavailable:
        raise
    except Exception as exc:
        db.session.rollback()  # a failed PostgreSQL statement leaves the transaction unusable
        log.error("library search failed: %s: %s", exc.__class__.__name__, exc)
        raise SearchUnavailable(str(exc)) from exc


def browse(q: SearchQuery) -> SearchResult:
    """The filters without the search words, straight from the library tables (any database): what the
    library shows while the index is unavailable."""
    return PostgresBackend().search(replace(q, text=""))


def _search(q: SearchQuery) -> SearchResult:
    chosen = backend()
    result = chosen.search(q)
    if result.total == 0 and words(q.text):
        corrected = correct(q.text)
        if corrected:
            retry = chosen.search(replace(q, text=corrected))
            if retry.total:
                retry.query, retry.corrected = q, corrected
                return retry
            result.suggestion = corrected
    return result


# --- keeping the index in step with the database ---------------------------------------------------

_PENDING = "search_pending"


def _pending(session) -> dict[str, set[int]]:
    return session.info.setdefault(_PENDING, {"index": set(), "delete": set()})


def _after_flush(session, _context) -> None:
    from .library.models import LibraryFile, LibraryItem, LibraryTag
    pending = None
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, LibraryItem):
            pending = pending or _pending(session)
            pending["index"].add(obj.id)
        elif isinstance(obj, (LibraryTag, LibraryFile)) and obj.item_id is not None:
            pending = pending or _pending(session)
            pending["index"].add(obj.item_id)
    for obj in session.deleted:
        if isinstance(obj, LibraryItem):
            pending = pending or _pending(session)
            pending["delete"].add(obj.id)
        elif isinstance(obj, LibraryTag) and obj.item_id is not None:
            pending = pending or _pending(session)
            pending["index"].add(obj.item_id)


def _before_commit(session) -> None:
    if not has_app_context() or _PENDING not in session.info:
        return
    chosen = backend()
    if isinstance(chosen, PostgresBackend):
        session.flush()
        pending = session.info[_PENDING]
        chosen.before_commit(session, pending["index"] - pending["delete"])


def _after_commit(session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    try:
        backend().after_commit(pending["index"], pending["delete"])
    except Exception:  # the change is committed; a failed index update must not fail the request
        log.exception("search index update failed; `flask --app hub search reindex` repairs it")


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
    """At start-up: a missing or damaged Whoosh index is rebuilt (and logged), never a crash."""
    with app.app_context():
        try:
            chosen = backend(app)
            if not isinstance(chosen, WhooshBackend):
                return
            ok, message = chosen.check()
            if ok:
                return
            from sqlalchemy import inspect
            if not inspect(db.engine).has_table("library_item"):
                return  # no schema yet (before `flask db upgrade`): nothing to index
            log.warning("%s; rebuilding it", message)
            chosen.rebuild(db.session)
        except Exception as exc:
            log.error("search index check failed: %s (`flask --app hub search reindex` rebuilds it)", exc)
        finally:
            db.session.remove()


# --- CLI --------------------------------------------------------------------------------------------

search_cli = AppGroup("search", help="The library search index.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the database."""
    chosen = backend()
    total = count_documents(db.session)
    started = time.perf_counter()
    with click.progressbar(length=total, label=f"indexing ({chosen.name})") as bar:
        count = chosen.rebuild(db.session, progress=bar.update)
    click.echo(f"indexed {count} items in {time.perf_counter() - started:.1f} s")


@search_cli.command("check")
def check_command() -> None:
    """Say whether the search index is usable."""
    ok, message = check()
    click.echo(message)
    if not ok:
        raise click.exceptions.Exit(1)
