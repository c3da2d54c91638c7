"""The postgres engine: every declared index in three tables of the database (hub/search/models.py).

The vector: titles weigh A, texts D; Russian text with the Russian configuration, English with the
English one. Rows change inside the committing transaction (before_commit), so the index is exactly
as current as the data and several app servers share it. A search is two statements when no filter
is chosen (the page with the total as a window count; every facet's counts grouped at once), plus
one per chosen filter (its facet's counts leave that filter out).
"""
from __future__ import annotations

from typing import Callable

from markupsafe import Markup
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from ..extensions import db
from . import text as T

VECTOR_SQL = """
    setweight(to_tsvector('russian', coalesce(:title_ru, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(:title_en, '')), 'A') ||
    setweight(to_tsvector('russian', coalesce(:text_ru, '')), 'D') ||
    setweight(to_tsvector('english', coalesce(:text_en, '')), 'D')
"""
HEADLINE_OPTIONS = "StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=\" … \""
CONFIG = {"ru": "russian", "en": "english"}
ACCESS = "_access"
PUBLIC = "*"
MAX_WORD = 200


def _escaped(column: str) -> str:
    return f"replace(replace(replace(coalesce({column}, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"


class PostgresEngine:
    name = "postgres"
    transactional = True  # rows change inside the committing transaction

    def check(self, ix) -> tuple[bool, str]:
        try:
            found = db.session.execute(sql_text(
                "SELECT count(*), count(*) FILTER (WHERE vector IS NULL) FROM search_document WHERE index_name = :n"),
                {"n": ix.name}).one()
            expected = ix.count(db.session)
        except Exception as exc:
            db.session.rollback()
            return False, f"{ix.name}: postgres search unusable: {exc.__class__.__name__}: {exc}"
        if found[1] or found[0] != expected:
            return False, (f"{ix.name}: postgres search holds {found[0]} of {expected} documents "
                           f"(run `flask --app hub search reindex {ix.name}`)")
        return True, f"{ix.name}: postgres search: {found[0]} documents"

    def _write(self, session: Session, ix, docs, progress: Callable[[int], None] | None = None) -> set[int]:
        written: set[int] = set()
        batch: list = []

        def flush():
            if not batch:
                return
            ids = [d.id for d in batch]
            params = {"n": ix.name, "ids": ids}
            session.execute(sql_text("DELETE FROM search_facet WHERE index_name = :n AND doc_id = ANY(:ids)"), params)
            session.execute(sql_text("DELETE FROM search_document WHERE index_name = :n AND doc_id = ANY(:ids)"), params)
            rows = []
            facets = []
            vocabulary: set[str] = set()
            for d in batch:
                titles = {lang: d.titles.get(lang) or "" for lang in T.LANGUAGES}
                texts = {lang: d.texts.get(lang) or "" for lang in T.LANGUAGES}
                rows.append({"n": ix.name, "id": d.id, "rank": d.rank, "date": d.date,
                             "access": " ".join(dict.fromkeys(d.access)) or PUBLIC,
                             "title_ru": titles["ru"], "title_en": titles["en"],
                             "text_ru": texts["ru"], "text_en": texts["en"]})
                facets.extend({"n": ix.name, "id": d.id, "f": f, "v": v}
                              for f, values in d.facets.items() for v in dict.fromkeys(values))
                vocabulary.update(w for w in T.vocabulary_words((*titles.values(), *texts.values())) if len(w) <= MAX_WORD)
            session.execute(sql_text(
                "INSERT INTO search_document (index_name, doc_id, rank, date, access, title_ru, title_en, text_ru, "
                f"text_en, vector) VALUES (:n, :id, :rank, :date, :access, :title_ru, :title_en, :text_ru, :text_en, "
                f"{VECTOR_SQL})"), rows)
            if facets:
                session.execute(sql_text("INSERT INTO search_facet (index_name, doc_id, facet, value) "
                                         "VALUES (:n, :id, :f, :v)"), facets)
            if vocabulary:
                session.execute(sql_text("INSERT INTO search_word (index_name, word) SELECT :n, unnest(CAST(:words AS text[])) "
                                         "ON CONFLICT DO NOTHING"), {"n": ix.name, "words": sorted(vocabulary)})
            if progress:
                progress(len(batch))
            batch.clear()

        for doc in docs:
            batch.append(doc)
            written.add(doc.id)
            if len(batch) >= 500:
                flush()
        flush()
        return written

    def rebuild(self, ix, session: Session | None = None, progress: Callable[[int], None] | None = None) -> int:
        session = session or db.session
        for table in ("search_facet", "search_document", "search_word"):
            session.execute(sql_text(f"DELETE FROM {table} WHERE index_name = :n"), {"n": ix.name})
        count = len(self._write(session, ix, ix.load(session, None), progress))
        session.commit()
        return count

    def update(self, ix, session: Session | None, ids: set[int]) -> None:
        if not ids:
            return
        session = session or db.session
        written = self._write(session, ix, list(ix.load(session, sorted(ids))))
        gone = sorted(set(ids) - written)
        if gone:
            params = {"n": ix.name, "ids": gone}
            session.execute(sql_text("DELETE FROM search_facet WHERE index_name = :n AND doc_id = ANY(:ids)"), params)
            session.execute(sql_text("DELETE FROM search_document WHERE index_name = :n AND doc_id = ANY(:ids)"), params)

    def knows(self, ix, word: str) -> bool:
        return db.session.execute(sql_text("SELECT 1 FROM search_word WHERE index_name = :n AND word = :w"),
                                  {"n": ix.name, "w": word}).first() is not None

    def words_like(self, ix, first: str, shortest: int, longest: int) -> list[str]:
        return list(db.session.scalars(sql_text(
            "SELECT word FROM search_word WHERE index_name = :n AND word >= :a AND word < :b "
            "AND length(word) BETWEEN :lo AND :hi"),
            {"n": ix.name, "a": first, "b": chr(ord(first) + 1), "lo": shortest, "hi": longest}))

    def search(self, ix, q):
        """One scan of the matching documents (text and visibility) returns their ids, ranks and dates;
        filters, the page and the totals are computed from those ids, the counts grouped by one
        statement over search_facet for the ids, the headlines for the page's rows only. (Scanning
        the matches once per count, as before, doubled the cost: each match's vector is detoasted.)"""
        import heapq

        from . import Hit, SearchResult, empty_result
        terms = T.query_terms(q.text)
        if q.text.strip() and T.words(q.text) and not terms:
            return empty_result(ix, q)
        cleaned = " ".join(T.words(q.text))
        params: dict = {"n": ix.name, "rank": q.max_rank, "keys": [PUBLIC, *q.keys], "q": cleaned}
        tsq = "(websearch_to_tsquery('russian', :q) || websearch_to_tsquery('english', :q))"
        if terms:
            if not db.session.scalar(sql_text(f"SELECT numnode({tsq})"), params):
                return empty_result(ix, q)
        where = "d.index_name = :n AND d.rank <= :rank AND string_to_array(d.access, ' ') && CAST(:keys AS text[])"
        if terms:
            where += f" AND d.vector @@ {tsq}"
        rank = f"ts_rank(d.vector, {tsq})" if terms else "0.0"
        base = db.session.execute(sql_text(f"SELECT d.doc_id, d.date, {rank} FROM search_document d WHERE {where}"),
                                  params).all()
        selected: dict[str, set[int]] = {}
        for facet, value in sorted(q.filters.items()):
            if value and facet in ix.facets:
                selected[facet] = set(db.session.scalars(sql_text(
                    "SELECT doc_id FROM search_facet WHERE index_name = :n AND facet = :f AND value = :v"),
                    {"n": ix.name, "f": facet, "v": value}))
            elif value:
                selected[facet] = set()
        base_ids = {row[0] for row in base}
        matches = set(base_ids)
        for docs in selected.values():
            matches &= docs
        start = (q.page - 1) * q.per_page
        ranked = heapq.nlargest(start + q.per_page, ((row[2], row[1], row[0]) for row in base if row[0] in matches))
        page = [(doc_id, float(score)) for score, _, doc_id in ranked[start:]]
        hits = [Hit(id=doc_id, score=score if terms else 0.0) for doc_id, score in page]
        if terms and hits:
            lang = "en" if q.locale == "en" else "ru"
            other = "ru" if lang == "en" else "en"
            params["ids"] = [h.id for h in hits]
            found = {row.doc_id: row for row in db.session.execute(sql_text(
                f"SELECT d.doc_id, ts_headline('{CONFIG[lang]}', {_escaped('d.title_' + lang)}, {tsq}, "
                "'HighlightAll=true, StartSel=<mark>, StopSel=</mark>') AS title, "
                f"ts_headline('{CONFIG[lang]}', {_escaped('d.text_' + lang)}, {tsq}, '{HEADLINE_OPTIONS}') AS snippet, "
                f"ts_headline('{CONFIG[other]}', {_escaped('d.text_' + other)}, {tsq}, '{HEADLINE_OPTIONS}') "
                "AS snippet_other FROM search_document d WHERE d.index_name = :n AND d.doc_id = ANY(:ids)"), params)}
            for hit in hits:
                row = found.get(hit.id)
                if row is None:
                    continue
                snippet = row.snippet if "<mark>" in row.snippet else (
                    row.snippet_other if "<mark>" in row.snippet_other else None)
                hit.title = Markup(row.title) if "<mark>" in row.title else None
                hit.snippet = Markup(snippet) if snippet else None
        counts: dict[str, dict[str, int]] = {facet: {} for facet in ix.facets}
        plain = [f for f in ix.facets if f not in selected]
        groups = [(plain, matches)] + [([facet], base_ids.intersection(*[docs for other, docs in selected.items()
                                                                         if other != facet]))
                                       for facet in selected if facet in ix.facets]
        for facets, ids in groups:
            if not facets or not ids:
                continue
            for facet, value, n in db.session.execute(sql_text(
                    "SELECT facet, value, count(*) FROM search_facet WHERE index_name = :n "
                    "AND facet = ANY(:facets) AND doc_id = ANY(:ids) GROUP BY facet, value"),
                    {"n": ix.name, "facets": list(facets), "ids": sorted(ids)}):
                counts[facet][value] = n
        return SearchResult(hits=hits, total=len(matches), counts=counts, query=q)
