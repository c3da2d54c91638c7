"""The fts5 engine: one SQLite file per index in the data directory (see the package docstring).

Tables in each file:
    doc(id, rank, date, access, title_ru, title_en, text_ru, text_en)   stored text, for snippets
    fts(title, text)                            FTS5, rowid = doc id: the Snowball stems of the titles
                                                and of the texts (both languages; text.script_stem)
    facet(id, facet, value)                     filter values; access keys as facet "_access"
    word(word)                                  the surface words typo correction may propose
    meta(key, value)                            schema fingerprint and a generation counter

Ranking is FTS5's bm25 (titles weigh 4, texts 1). Visibility (rank, access keys) and filters are
sets of document ids cached per generation of the file, so a search is one FTS5 MATCH plus set
arithmetic in Python, and the filter counts are intersections of those sets.
"""
from __future__ import annotations

import heapq
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy.orm import Session

from ..extensions import db
from . import text as T

log = logging.getLogger(__name__)
VERSION = "fts5-2"
TITLE_WEIGHT = 4.0
REBUILD_RETRY_SECONDS = 60  # after a failed rebuild, requests do not retry it (and wait) for this long
ACCESS = "_access"
PUBLIC = "*"
COLUMNS = ("title_ru", "title_en", "text_ru", "text_en")

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE doc (id INTEGER PRIMARY KEY, rank INTEGER NOT NULL, date INTEGER NOT NULL,
                  title_ru TEXT, title_en TEXT, text_ru TEXT, text_en TEXT);
CREATE VIRTUAL TABLE fts USING fts5(title, text, tokenize = 'unicode61 remove_diacritics 0');
CREATE TABLE facet (id INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX facet_id ON facet (id);
CREATE TABLE word (word TEXT PRIMARY KEY) WITHOUT ROWID;
"""


def _fingerprint(ix) -> str:
    return f"{VERSION}:{','.join(ix.facets)}"


def _mask(ids: Iterable[int]) -> int:
    """A set of document ids as the bits of one int: intersections and counts of thousands of
    documents are then single C-level operations (& and bit_count) instead of set arithmetic."""
    ids = list(ids)
    if not ids:
        return 0
    bits = bytearray((max(ids) >> 3) + 1)
    for i in ids:
        bits[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(bits, "little")


@dataclass
class _Sets:
    key: tuple
    by_rank: dict[int, int]                  # rank -> documents of exactly that rank (a mask)
    access: dict[str, int]                   # key -> documents carrying it ("*": public)
    values: dict[str, dict[str, int]]        # facet -> value -> documents
    newest: list[int]                        # every document, newest first (ordering without words)
    dates: dict[int, int]


class FtsEngine:
    name = "fts5"
    transactional = False  # updated after the commit, from its own session

    def __init__(self, directory: Path, lock_timeout: float = 30.0):
        self.directory = Path(directory)
        self.lock_timeout = lock_timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._sets: dict[str, _Sets] = {}
        self._broken_until: dict[str, float] = {}

    def path(self, ix) -> Path:
        return self.directory / f"{ix.name}.sqlite3"

    # --- connections ------------------------------------------------------------------------------

    def _connect(self, path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), timeout=self.lock_timeout, isolation_level=None, check_same_thread=True)
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _conn(self, ix) -> sqlite3.Connection:
        """This thread's connection to the index, reopened when the file was swapped by a rebuild
        (here or in another process); a missing, damaged or outdated file is rebuilt first."""
        path = self.path(ix)
        conns = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        try:
            inode = os.stat(path).st_ino
        except FileNotFoundError:
            inode = None
        held = conns.get(ix.name)
        if held and inode is not None and held[0] == inode:
            return held[1]
        if held:
            held[1].close()
            conns.pop(ix.name, None)
        problem = self._problem(ix, path) if inode is not None else "missing"
        if problem:
            self._recover(ix, problem)
            inode = os.stat(path).st_ino
        conn = self._connect(path)
        conns[ix.name] = (inode, conn)
        return conn

    def _problem(self, ix, path: Path) -> str | None:
        try:
            conn = self._connect(path)
            try:
                row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                conn.execute("SELECT count(*) FROM fts WHERE fts MATCH 'x'").fetchone()
            finally:
                conn.close()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                return None  # a writer at work: the file is fine
            return f"unreadable ({exc.__class__.__name__}: {exc})"
        except sqlite3.DatabaseError as exc:
            return f"unreadable ({exc.__class__.__name__}: {exc})"
        if row is None or row[0] != _fingerprint(ix):
            return "outdated"
        return None

    def _recover(self, ix, problem: str) -> None:
        path = self.path(ix)
        if time.monotonic() < self._broken_until.get(ix.name, 0.0):
            raise _unavailable(f"search index {path} is {problem}; rebuilding it failed a moment ago")
        with self._lock:
            log.warning("search index %s is %s; rebuilding it from the database", path, problem)
            try:
                session = Session(db.engine)
                try:
                    self.rebuild(ix, session)
                finally:
                    session.close()
            except Exception as exc:
                self._broken_until[ix.name] = time.monotonic() + REBUILD_RETRY_SECONDS
                log.error("search index %s could not be rebuilt: %s: %s", path, exc.__class__.__name__, exc)
                raise _unavailable(f"search index {path} is {problem} and could not be rebuilt") from exc

    def _drop(self, ix) -> None:
        held = getattr(self._local, "conns", {}).pop(ix.name, None)
        if held:
            held[1].close()

    # --- writing ----------------------------------------------------------------------------------

    @staticmethod
    def _write(conn: sqlite3.Connection, docs: Iterable, progress: Callable[[int], None] | None = None) -> set[int]:
        written: set[int] = set()
        vocabulary: set[str] = set()
        doc_rows, fts_rows, facet_rows = [], [], []

        def flush():
            ids = [(r[0],) for r in doc_rows]
            conn.executemany("DELETE FROM fts WHERE rowid = ?", ids)
            conn.executemany("DELETE FROM facet WHERE id = ?", ids)
            conn.executemany("INSERT OR REPLACE INTO doc VALUES (?, ?, ?, ?, ?, ?, ?)", doc_rows)
            conn.executemany("INSERT INTO fts (rowid, title, text) VALUES (?, ?, ?)", fts_rows)
            conn.executemany("INSERT INTO facet VALUES (?, ?, ?)", facet_rows)
            conn.executemany("INSERT OR IGNORE INTO word VALUES (?)", [(w,) for w in T.vocabulary(vocabulary)])
            if progress:
                progress(len(doc_rows))
            doc_rows.clear(), fts_rows.clear(), facet_rows.clear(), vocabulary.clear()

        for doc in docs:
            titles = {lang: doc.titles.get(lang) or "" for lang in T.LANGUAGES}
            texts = {lang: doc.texts.get(lang) or "" for lang in T.LANGUAGES}
            doc_rows.append((doc.id, doc.rank, doc.date, titles["ru"], titles["en"], texts["ru"], texts["en"]))
            title_stems, title_words = T.analyse(f"{titles['ru']}\n{titles['en']}")
            text_stems, text_words = T.analyse(f"{texts['ru']}\n{texts['en']}")
            fts_rows.append((doc.id, title_stems, text_stems))
            vocabulary.update(title_words)
            vocabulary.update(text_words)
            for facet, values in doc.facets.items():
                facet_rows.extend((doc.id, facet, value) for value in dict.fromkeys(values))
            facet_rows.extend((doc.id, ACCESS, key) for key in (dict.fromkeys(doc.access) or (PUBLIC,)))
            written.add(doc.id)
            if len(doc_rows) >= 500:
                flush()
        flush()
        return written

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")

    def rebuild(self, ix, session: Session | None = None, progress: Callable[[int], None] | None = None) -> int:
        """Write a fresh file beside the old one, then swap it in (readers keep the old one until
        they notice the new inode)."""
        session = session or db.session
        path = self.path(ix)
        self.directory.mkdir(parents=True, exist_ok=True)
        fresh = path.with_name(f"{path.name}.new-{os.getpid()}-{threading.get_ident()}")
        fresh.unlink(missing_ok=True)
        conn = sqlite3.connect(str(fresh), isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")  # a half-written fresh file is thrown away anyway
            conn.executescript(SCHEMA)
            conn.execute("BEGIN")
            # The generation starts at a number no earlier file of this index had (the clock, in ns):
            # the new file may get the inode number of an old one, and (inode, generation) is what
            # the cached sets are keyed on, here and in every other process reading the index.
            conn.executemany("INSERT INTO meta VALUES (?, ?)", [("schema", _fingerprint(ix)),
                                                               ("generation", str(time.time_ns()))])
            count = len(self._write(conn, ix.load(session, None), progress))
            conn.execute("COMMIT")
            conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
            conn.execute("PRAGMA journal_mode = DELETE")
        except BaseException:
            conn.close()
            fresh.unlink(missing_ok=True)
            raise
        conn.close()
        os.replace(fresh, path)
        self._drop(ix)
        self._sets.pop(ix.name, None)
        self._broken_until.pop(ix.name, None)
        return count

    def update(self, ix, session: Session | None, ids: set[int]) -> None:
        """Load these documents again (those the feature no longer returns are deleted)."""
        if not ids:
            return
        own = session is None
        session = session or Session(db.engine)
        try:
            docs = list(ix.load(session, sorted(ids)))
        finally:
            if own:
                session.close()
        conn = self._conn(ix)
        conn.execute("BEGIN IMMEDIATE")
        try:
            written = self._write(conn, docs)
            gone = [(i,) for i in ids - written]
            for table, column in (("fts", "rowid"), ("facet", "id"), ("doc", "id")):
                conn.executemany(f"DELETE FROM {table} WHERE {column} = ?", gone)
            self._bump(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def check(self, ix) -> tuple[bool, str]:
        path = self.path(ix)
        if not path.exists():
            return False, f"{ix.name}: fts5 index {path} is missing"
        problem = self._problem(ix, path)
        if problem:
            return False, f"{ix.name}: fts5 index {path} is {problem}"
        conn = self._connect(path)
        try:
            count = conn.execute("SELECT count(*) FROM doc").fetchone()[0]
        finally:
            conn.close()
        return True, f"{ix.name}: fts5 index {path}: {count} documents"

    # --- reading ----------------------------------------------------------------------------------

    def _run(self, ix, work):
        """Run `work(conn)`; a file damaged under a running server is rebuilt once and retried."""
        try:
            return work(self._conn(ix))
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise _unavailable(f"search index {ix.name} is busy: {exc}") from exc
            problem = f"unreadable ({exc})"
        except sqlite3.DatabaseError as exc:
            problem = f"unreadable ({exc})"
        self._drop(ix)
        self._recover(ix, problem)
        return work(self._conn(ix))

    def _cached_sets(self, ix, conn) -> _Sets:
        generation = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
        key = (os.stat(self.path(ix)).st_ino, generation)
        cached = self._sets.get(ix.name)
        if cached and cached.key == key:
            return cached
        by_rank: dict[int, list[int]] = {}
        dates: dict[int, int] = {}
        for doc_id, rank, day in conn.execute("SELECT id, rank, date FROM doc"):
            by_rank.setdefault(rank, []).append(doc_id)
            dates[doc_id] = day
        access: dict[str, list[int]] = {}
        values: dict[str, dict[str, list[int]]] = {facet: {} for facet in ix.facets}
        for doc_id, facet, value in conn.execute("SELECT id, facet, value FROM facet"):
            if facet == ACCESS:
                access.setdefault(value, []).append(doc_id)
            elif facet in values:
                values[facet].setdefault(value, []).append(doc_id)
        found = _Sets(key=key, by_rank={r: _mask(s) for r, s in by_rank.items()},
                      access={k: _mask(s) for k, s in access.items()},
                      values={f: {v: _mask(s) for v, s in vs.items()} for f, vs in values.items()},
                      newest=sorted(dates, key=lambda i: (dates[i], i), reverse=True), dates=dates)
        self._sets[ix.name] = found
        return found

    def knows(self, ix, word: str) -> bool:
        return self._run(ix, lambda conn: conn.execute("SELECT 1 FROM word WHERE word = ?", (word,)).fetchone()) is not None

    def words_like(self, ix, first: str, shortest: int, longest: int) -> list[str]:
        return self._run(ix, lambda conn: [w for (w,) in conn.execute(
            "SELECT word FROM word WHERE word >= ? AND word < ? AND length(word) BETWEEN ? AND ?",
            (first, chr(ord(first) + 1), shortest, longest))])

    def search(self, ix, q):
        return self._run(ix, lambda conn: self._search(ix, conn, q))

    def _search(self, ix, conn, q):
        from . import Hit, SearchResult, empty_result
        terms = T.query_stems(q.text)
        if q.text.strip() and T.words(q.text) and not terms:
            return empty_result(ix, q)  # only stop words
        sets = self._cached_sets(ix, conn)
        visible = 0
        for rank, docs in sets.by_rank.items():
            if rank <= q.max_rank:
                visible |= docs
        allowed = sets.access.get(PUBLIC, 0)
        for key in q.keys:
            allowed |= sets.access.get(key, 0)
        visible &= allowed
        selected = {f: sets.values.get(f, {}).get(v, 0) for f, v in q.filters.items() if v}
        if terms:
            match = " AND ".join(f'"{stem}"' for stem in terms)  # stems are \w+: nothing to escape
            scored = conn.execute(f"SELECT rowid, bm25(fts, {TITLE_WEIGHT}, 1.0) FROM fts "
                                  "WHERE fts MATCH ?", (match,)).fetchall()
            base = visible & _mask(doc_id for doc_id, _ in scored)
        else:
            scored = None
            base = visible
        matches = base
        for docs in selected.values():
            matches &= docs
        total = matches.bit_count()
        start = (q.page - 1) * q.per_page
        dates = sets.dates
        if scored is not None:
            ranked = heapq.nsmallest(start + q.per_page, ((score, -dates.get(i, 0), -i) for i, score in scored
                                                          if matches >> i & 1))
            page = [(-neg_id, -score) for score, _, neg_id in ranked[start:]]
        else:
            wanted = start + q.per_page
            found: list[int] = []
            for i in sets.newest:
                if matches >> i & 1:
                    found.append(i)
                    if len(found) >= wanted:
                        break
            page = [(i, 0.0) for i in found[start:]]
        hits = [Hit(id=i, score=score) for i, score in page]
        if scored is not None and hits:
            self._highlight(conn, hits, terms, q.locale)
        counts: dict[str, dict[str, int]] = {}
        for facet in ix.facets:
            within = base
            for other, docs in selected.items():
                if other != facet:
                    within &= docs
            counts[facet] = {v: n for v, docs in sets.values.get(facet, {}).items() if (n := (within & docs).bit_count())}
        return SearchResult(hits=hits, total=total, counts=counts, query=q)

    @staticmethod
    def _highlight(conn, hits, terms, locale: str) -> None:
        lang = "en" if locale == "en" else "ru"
        order = (lang, "ru" if lang == "en" else "en")
        wanted = set(terms)
        marks = ",".join("?" * len(hits))
        rows = {row[0]: row for row in conn.execute(
            f"SELECT id, title_ru, title_en, text_ru, text_en FROM doc WHERE id IN ({marks})", [h.id for h in hits])}
        position = {"ru": (1, 3), "en": (2, 4)}
        for hit in hits:
            row = rows.get(hit.id)
            if row is None:
                continue
            hit.title = T.highlight_title(row[position[lang][0]] or "", wanted, lang)
            for code in order:
                hit.snippet = T.snippet(row[position[code][1]] or "", wanted, code)
                if hit.snippet:
                    break


def _unavailable(message: str):
    from . import SearchUnavailable
    return SearchUnavailable(message)
