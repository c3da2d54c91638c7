from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import nh3
import yaml

# Bumped when the rendering or the sanitiser rules change, so that loaders re-render everything
# (it is part of every checksum).
RENDER_VERSION = "1"

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "small",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_H1 = re.compile(r"<(/?)h1\b", re.IGNORECASE)


class ContentError(ValueError):
    def __init__(self, path: Path | str, problem: str):
        self.path, self.problem = str(path), problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class Document:
    path: Path
    meta: dict[str, Any]
    body: str
    raw: str


def read_document(path: Path | str) -> Document:
    """A Markdown file, optionally opening with YAML front matter between two `---` lines."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError(path, "is not UTF-8 text") from None
    text = raw.lstrip("\ufeff")
    meta: Any = {}
    body = text
    if text.startswith("---"):
        first, _, rest = text.partition("\n")
        if first.strip() != "---":
            raise ContentError(path, "front matter must start with a line of exactly '---'")
        lines = rest.split("\n")
        try:
            end = next(i for i, line in enumerate(lines) if line.strip() == "---")
        except StopIteration:
            raise ContentError(path, "front matter is not closed by a '---' line") from None
        try:
            meta = yaml.safe_load("\n".join(lines[:end])) or {}
        except yaml.YAMLError as exc:
            raise ContentError(path, f"front matter is not valid YAML: {exc}") from None
        if not isinstance(meta, dict):
            raise ContentError(path, "front matter must be a mapping of keys to values")
        body = "\n".join(lines[end + 1:])
    return Document(path=path, meta=meta, body=body.strip() + "\n", raw=raw)


def render_markdown(text: str) -> str:
    """Markdown to HTML that is safe to put on a page as it is.

    Raw HTML in the source is escaped by nh3, not trusted: content files are written by people,
    and the same renderer will serve user text (community posts). Headings start at h2 because
    the page title is the h1.
    """
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    html = _H1.sub(r"<\1h2", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def checksum(*parts: str) -> str:
    digest = hashlib.sha256(RENDER_VERSION.encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()
