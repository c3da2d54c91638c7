"""Words, stems, stop words, highlighting and typo correction, shared by every engine.

Stemming is Snowball (PyStemmer, the C build of the same algorithms PostgreSQL and Whoosh use) for
Russian and English; ё folds into е before anything else. The stop-word lists are Snowball's, as
PostgreSQL ships them (stopwords/*.txt).
"""
from __future__ import annotations

import difflib
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import Stemmer
from markupsafe import Markup, escape

LANGUAGES = ("ru", "en")
WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 12
MAX_VOCABULARY_WORD = 60  # longer "words" are codes or glued text, no use as corrections
_SENTENCE = re.compile(r"(?<=[.!?…:;])\s+|\n+")
_ALGORITHMS = {"ru": "russian", "en": "english"}
_local = threading.local()


def fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    """The words of a query, lower-case, ё as е; syntax characters are not operators here."""
    return [fold(w) for w in WORD.findall(text or "")][:MAX_QUERY_WORDS]


def words_all(text: str) -> list[str]:
    # Folding the whole text once is several times faster than folding each word.
    return WORD.findall(fold(text or ""))


def is_cyrillic(word: str) -> bool:
    return "\u0430" <= word[0] <= "\u044f"


def script_stem(word: str) -> str:
    """A folded word's stem by its script: Cyrillic words with the Russian stemmer, all others with
    the English one, whichever language's text they stand in (an English «CRM» in a Russian body
    and a Russian quote in an English one are stemmed alike). One stem per word: the index needs one
    column per field instead of one per field and language, and a query one phrase per word."""
    return _stemmer("ru" if is_cyrillic(word) else "en").stemWord(word)


def analyse(text: str) -> tuple[str, set[str]]:
    """What indexing needs of one text: its stems space-joined (stop words of either language left
    out) and its distinct words (for `vocabulary`). One pass of the tokenizer for both; each distinct
    word stemmed once."""
    tokens = WORD.findall(fold(text or ""))
    distinct = set(tokens)
    distinct -= _ALL_STOPS()
    cyrillic = [t for t in distinct if is_cyrillic(t)]
    other = [t for t in distinct if not is_cyrillic(t)]
    stem_of = dict(zip(cyrillic, _stemmer("ru").stemWords(cyrillic)))
    stem_of.update(zip(other, _stemmer("en").stemWords(other)))
    return " ".join([stem_of[t] for t in tokens if t in stem_of]), distinct


@lru_cache(maxsize=None)
def _ALL_STOPS() -> frozenset[str]:
    return stop_words("ru") | stop_words("en")


def query_stems(text: str) -> list[str]:
    """The stem of each query word; a stop word of either language ("для", "the") is required nowhere."""
    stops = _ALL_STOPS()
    return list(dict.fromkeys(script_stem(w) for w in words(text) if w not in stops))


def vocabulary(distinct: set[str]) -> set[str]:
    """The words typo correction may propose: three letters or more, not numbers, not glued codes."""
    return {w for w in distinct if 3 <= len(w) <= MAX_VOCABULARY_WORD and not w.isdigit()}


@lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    path = Path(__file__).with_name("stopwords") / f"{lang}.txt"
    return frozenset(fold(line.strip()) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def _stemmer(lang: str):
    # PyStemmer's objects are not thread-safe: one per thread and language.
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    found = stemmers.get(lang)
    if found is None:
        found = stemmers[lang] = Stemmer.Stemmer(_ALGORITHMS[lang])
    return found


def stem(word: str, lang: str) -> str | None:
    """One folded word's stem, or None for a stop word."""
    if word in stop_words(lang):
        return None
    return _stemmer(lang).stemWord(word)


def query_terms(text: str) -> list[dict[str, str]]:
    """Per query word, its stem in each language. A word that is a stop word in either language
    ("для", "the") is required nowhere."""
    out = []
    for word in words(text):
        found = {lang: stem(word, lang) for lang in LANGUAGES}
        if all(found.values()):
            out.append(found)
    return out


def vocabulary_words(texts: Iterable[str]) -> set[str]:
    """The words typo correction may propose: three letters or more, not numbers."""
    found: set[str] = set()
    for text in texts:
        found.update(w for w in set(words_all(text)) if 3 <= len(w) <= MAX_VOCABULARY_WORD and not w.isdigit())
    return found


def correct(text: str, known: Callable[[str], bool], candidates: Callable[[str, int, int], list[str]]) -> str | None:
    """The query with each word the index does not know replaced by the closest one it does, or None
    when nothing could be corrected. `candidates(first_letter, min_len, max_len)` lists known words."""
    changed = False
    out = []
    for word in words(text):
        if len(word) < 4 or known(word):
            out.append(word)
            continue
        match = difflib.get_close_matches(word, candidates(word[0], len(word) - 2, len(word) + 2), n=1, cutoff=0.75)
        if match:
            out.append(match[0])
            changed = True
        else:
            out.append(word)
    return " ".join(out) if changed else None


# --- highlighting -----------------------------------------------------------------------------------

def _marked(text: str, wanted: set[str], lang: str) -> tuple[Markup, int]:
    """The text escaped, each word whose stem is wanted inside <mark>; and where the first one is."""
    parts: list[str] = []
    first = -1
    last = 0
    for m in WORD.finditer(text):
        if script_stem(fold(m.group())) in wanted:
            if first < 0:
                first = m.start()
            parts.append(str(escape(text[last:m.start()])))
            parts.append(f"<mark>{escape(m.group())}</mark>")
            last = m.end()
    parts.append(str(escape(text[last:])))
    return Markup("".join(parts)), first


def highlight_title(title: str, wanted: set[str], lang: str) -> Markup | None:
    if not wanted or not title:
        return None
    marked, first = _marked(title, wanted, lang)
    return marked if first >= 0 else None


def _sentence_at(text: str, position: int) -> tuple[int, int]:
    """The bounds of the sentence (or line) around a position, looking at most 400 characters back."""
    window = max(0, position - 400)
    start = window
    for m in _SENTENCE.finditer(text, window, position):
        start = m.end()
    m = _SENTENCE.search(text, position)
    return start, (m.start() if m else len(text))


def _candidate_sentences(text: str, wanted: set[str], limit: int = 12):
    """Sentences holding a stem as a substring, in text order: found with str.find on the folded text
    instead of splitting and folding the whole body (a body is thousands of characters, a snippet
    needs two sentences)."""
    folded = fold(text)
    if len(folded) != len(text):  # a letter whose lower case is longer: positions would not agree
        position = 0
        for line in _SENTENCE.split(text):
            if any(s in fold(line) for s in wanted):
                start = text.find(line, position)
                yield start, start + len(line)
            position += len(line)
        return
    positions = []
    for stem_text in wanted:
        p = folded.find(stem_text)
        while p >= 0 and len(positions) < limit * len(wanted):
            positions.append(p)
            p = folded.find(stem_text, p + len(stem_text))
    seen = set()
    for p in sorted(positions):
        bounds = _sentence_at(text, p)
        if bounds not in seen:
            seen.add(bounds)
            yield bounds


def snippet(text: str, wanted: set[str], lang: str, fragments: int = 2, width: int = 240) -> Markup | None:
    """Up to two passages of the text around matches, matches marked, joined by " … "."""
    if not wanted or not text:
        return None
    found = []
    for a, b in _candidate_sentences(text, wanted):
        line = text[a:b]
        hit = next((m for m in WORD.finditer(line) if script_stem(fold(m.group())) in wanted), None)
        if hit is None:
            continue
        start, end = 0, len(line)
        if len(line) > width:
            start = max(0, hit.start() - 60)
            end = min(len(line), start + width)
            # whole words only at the cut
            if start:
                space = line.find(" ", start)
                start = space + 1 if 0 <= space < hit.start() else start
            if end < len(line):
                space = line.rfind(" ", hit.end(), end)
                end = space if space > 0 else end
        marked, _ = _marked(line[start:end], wanted, lang)
        found.append(Markup(("…" if start else "")) + marked + Markup("…" if end < len(line) else ""))
        if len(found) >= fragments:
            break
    return Markup(" … ").join(found) if found else None
