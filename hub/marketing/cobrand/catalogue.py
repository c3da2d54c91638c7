"""The vendor's co-branded templates, read from content/cobrand/<slug>/ (see its README.md).

The folder is read when first asked for and again when a file in it changes (by modification time),
so a vendor edits a template without a restart. A broken template is left out and logged; the others
stay available.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask import current_app

log = logging.getLogger(__name__)

KINDS = ("one-pager", "brochure", "banner", "invitation")
LANGUAGES = ("ru", "en")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
# What a template's folder may hand out (to the page's preview and to the PDF renderer).
ASSET_TYPES = {".css": "text/css; charset=utf-8", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg"}


@dataclass(frozen=True)
class Template:
    slug: str
    kind: str
    order: int
    pages: int
    title: dict
    summary: dict
    text: dict
    folder: Path
    event_details: bool = False

    @property
    def stylesheets(self) -> tuple[str, ...]:
        """Paths relative to content/cobrand/, in the order they apply."""
        return ("_shared/base.css", f"{self.slug}/style.css")

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title["en"]

    def summary_in(self, lang: str) -> str:
        return self.summary.get(lang) or self.summary["en"]

    def texts(self, lang: str) -> dict:
        return self.text.get(lang) or self.text["en"]


def root() -> Path:
    return (Path(current_app.root_path).parent / "content" / "cobrand").resolve()


_lock = threading.Lock()
_cache: dict[Path, tuple[tuple, dict[str, Template]]] = {}


def _stamp(folder: Path) -> tuple:
    try:
        return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()))
    except OSError:
        return ()


def _bilingual(data, key: str, slug: str) -> dict:
    value = data.get(key)
    if not isinstance(value, dict) or not all(isinstance(value.get(lang), (str, dict)) for lang in LANGUAGES):
        raise ValueError(f"content/cobrand/{slug}/template.yml: {key} needs ru and en")
    return {lang: value[lang] for lang in LANGUAGES}


def _load_one(folder: Path) -> Template:
    slug = folder.name
    if not SLUG.match(slug):
        raise ValueError(f"content/cobrand/{slug}: a folder name is lower-case letters, digits and dashes")
    data = yaml.safe_load((folder / "template.yml").read_text(encoding="utf-8")) or {}
    if data.get("kind") not in KINDS:
        raise ValueError(f"content/cobrand/{slug}/template.yml: kind must be one of {', '.join(KINDS)}")
    if not (folder / "template.html").is_file():
        raise ValueError(f"content/cobrand/{slug}: template.html is missing")
    pages = int(data.get("pages", 1))
    if not 1 <= pages <= 8:
        raise ValueError(f"content/cobrand/{slug}/template.yml: pages must be between 1 and 8")
    return Template(slug=slug, kind=data["kind"], order=int(data.get("order", 50)), pages=pages,
                    title=_bilingual(data, "title", slug), summary=_bilingual(data, "summary", slug),
                    text=_bilingual(data, "text", slug), folder=folder,
                    event_details=bool(data.get("event_details", False)))


def templates() -> dict[str, Template]:
    """slug -> Template, in catalogue order."""
    base = root()
    stamp = _stamp(base)
    with _lock:
        cached = _cache.get(base)
        if cached and cached[0] == stamp:
            return cached[1]
        found = []
        for folder in sorted(base.iterdir()) if base.is_dir() else ():
            if not folder.is_dir() or folder.name.startswith("_"):
                continue
            try:
                found.append(_load_one(folder))
            except (OSError, ValueError, TypeError, yaml.YAMLError) as exc:
                log.error("co-branded template left out: %s", exc)
        out = {t.slug: t for t in sorted(found, key=lambda t: (t.order, t.slug))}
        _cache[base] = (stamp, out)
        return out


def get(slug: str) -> Template | None:
    return templates().get(slug) if isinstance(slug, str) and SLUG.match(slug) else None


def asset_path(name: str) -> Path | None:
    """A file under content/cobrand/ that pages and the PDF renderer may use (`<slug>/style.css`,
    `_shared/base.css`, images), or None: never a path outside the folder, never a type other than
    ASSET_TYPES, never a template's source."""
    base = root()
    if not isinstance(name, str) or "\x00" in name or len(name) > 200:
        return None
    try:
        path = (base / name).resolve()
    except (OSError, ValueError, RuntimeError):
        return None
    if base not in path.parents or path.suffix.lower() not in ASSET_TYPES or not path.is_file():
        return None
    return path
