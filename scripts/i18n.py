"""Translation catalogs.

`python scripts/i18n.py update` (or `make messages`) extracts every wrapped string into
translations/messages.pot, merges it into the ru and en catalogs, fills the English catalog (source
strings are English) and fills the Russian catalog from the dictionaries in translations/ru/*.yml
(one per feature: `English source: Русский перевод`, plural entries as a list of three forms).
The dictionaries are the source of the Russian text, so features can be translated in parallel
without editing one .po file. `python scripts/i18n.py missing` lists strings still without Russian.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGS = ("ru", "en")
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2", "-k", "lazy_ngettext:1,2"]


def pybabel(*args: str) -> None:
    exe = Path(sys.executable).parent / "pybabel"
    subprocess.run([str(exe), *args], check=True, cwd=ROOT)


def extract(output: Path) -> None:
    pybabel("--quiet", "extract", "-F", "babel.cfg", *KEYWORDS, "--no-location", "--sort-output",
            "--project", "Partner Hub", "-o", str(output), "hub", "templates")


def update() -> None:
    TRANSLATIONS.mkdir(exist_ok=True)
    extract(POT)
    for lang in LANGS:
        po = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
        if po.exists():
            pybabel("--quiet", "update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", lang, "--no-fuzzy-matching",
                    "--ignore-obsolete")
        else:
            pybabel("--quiet", "init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", lang)
    fill_english()
    fill_russian()


def russian_dictionary() -> dict:
    import yaml
    merged: dict = {}
    for path in sorted((TRANSLATIONS / "ru").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise SystemExit(f"{path}: must be a mapping of English source to Russian text")
        merged.update(data)
    return merged


def fill_russian() -> None:
    words = russian_dictionary()
    po = TRANSLATIONS / "ru" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="ru")
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in words:
            value = words[key]
            if isinstance(message.id, tuple):
                forms = list(value) if isinstance(value, list) else [value] * 3
                message.string = tuple(forms[: catalog.num_plurals] + [forms[-1]] * (catalog.num_plurals - len(forms)))
            else:
                message.string = value
            message.flags.discard("fuzzy")
    with po.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)


def fill_english() -> None:
    po = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(message.id)
        elif not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with po.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)


def missing(lang: str = "ru") -> list[str]:
    po = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    out = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            out.append(message.id if isinstance(message.id, str) else message.id[0])
    return out


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "update":
        update()
        print(f"{len(missing('ru'))} Russian strings still to translate")
    elif command == "missing":
        for text in missing(sys.argv[2] if len(sys.argv) > 2 else "ru"):
            print(repr(text))
    else:
        raise SystemExit(__doc__)
