"""Company names and web domains in one canonical form: the customer keys of the deals' conflict
check (D2) and the organisation slugs of hub/accounts (INNs: hub/inn.py). Platform, like hub/inn.py.

Two registrations of the same customer must produce the same key however the partner typed it:
«ООО "Рога и Копыта"», "РОГА И КОПЫТА, ооо" and "Рога и копыта LLC" are one company, and
`https://www.пример.рф/about` and `xn--e1afmkfd.xn--p1ai` are one domain.
"""
from __future__ import annotations

import re
import unicodedata

import idna

# Quotes of every kind a Russian or English company name is written with.
_QUOTES = "«»\"'„“”‘’‚‛‹›`´"

# Legal forms, removed as whole words. Long forms first: they are phrases that contain short ones.
_LONG_FORMS = (
    "общество с ограниченной ответственностью",
    "непубличное акционерное общество",
    "публичное акционерное общество",
    "закрытое акционерное общество",
    "открытое акционерное общество",
    "акционерное общество",
    "индивидуальный предприниматель",
    "некоммерческая организация",
    "федеральное государственное унитарное предприятие",
    "муниципальное унитарное предприятие",
    "limited liability company",
    "limited liability partnership",
    "public limited company",
    "joint stock company",
)
_SHORT_FORMS = frozenset({
    "ооо", "оао", "зао", "пао", "ао", "нао", "ип", "нко", "гк", "фгуп", "муп",
    "llc", "llp", "inc", "ltd", "gmbh", "corp", "co", "plc", "jsc",
})

# Dotted abbreviations such as "L.L.C." or "О.О.О." become one word before punctuation goes.
_DOTTED = re.compile(r"(?<!\w)(?:\w\.){2,}(?!\w)")
# Hyphens stay inside a word until the legal forms are gone, so "Co-op" keeps its "co".
_NOT_WORD = re.compile(r"[^\w-]+")
_SPACES = re.compile(r"\s+")


def normalise_company(name: str | None) -> str:
    """The canonical form of a company name; '' when nothing but a legal form (or nothing) is left."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", name).lower().replace("ё", "е")
    for quote in _QUOTES:
        text = text.replace(quote, " ")
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    # Everything that is not a letter or digit separates words ("_" counts as punctuation too).
    text = _NOT_WORD.sub(" ", text).replace("_", " ")
    text = f" {_SPACES.sub(' ', text).strip()} "
    for phrase in _LONG_FORMS:
        while f" {phrase} " in text:
            text = text.replace(f" {phrase} ", " ")
    words = [word for word in text.split() if word.strip("-") not in _SHORT_FORMS]
    return " ".join(" ".join(words).replace("-", " ").split())


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_domain(value: str | None) -> str | None:
    """The registrable host in ASCII (punycode) lower case, or None when it is not a valid domain.

    Accepts what people paste: a URL with scheme, path, query, port or user part, a leading
    `www.`, a trailing dot, upper case, a Cyrillic (IDN) name.
    """
    if not value:
        return None
    text = unicodedata.normalize("NFKC", value).strip().lower()
    if not text:
        return None
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.split(r"[/?#\\]", text, maxsplit=1)[0]
    text = text.rsplit("@", 1)[-1]
    text = re.sub(r":\d*$", "", text)
    text = text.strip().rstrip(".")
    # Ideographic and other full stops are dots in IDNA too.
    text = re.sub(r"[\u3002\uff0e\uff61]", ".", text)
    if text.startswith("www."):
        text = text[4:]
    if not text or " " in text or len(text) > 253:
        return None
    try:
        ascii_name = idna.encode(text, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    ascii_name = ascii_name.lower()
    if ascii_name.startswith("www."):
        ascii_name = ascii_name[4:]
    labels = ascii_name.split(".")
    if len(labels) < 2 or len(ascii_name) > 253:
        return None
    if not all(_LABEL.match(label) for label in labels):
        return None
    # A top-level domain is never all digits (that would be an IP address, not a customer domain).
    if labels[-1].isdigit():
        return None
    return ascii_name


def display_domain(ascii_name: str | None) -> str:
    """A punycode domain as people read it (xn--e1afmkfd.xn--p1ai -> пример.рф)."""
    if not ascii_name:
        return ""
    try:
        return idna.decode(ascii_name)
    except (idna.IDNAError, UnicodeError, ValueError):
        return ascii_name
