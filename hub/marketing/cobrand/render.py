"""Co-branded pieces: a vendor template with the partner's logo, name and contacts stamped in, as HTML
(the preview in the page) and as PDF (WeasyPrint).

Safety:
- the template is rendered by a sandboxed Jinja environment with autoescape: whatever a partner
  typed (name, phone, event details) is text, never markup;
- the PDF renderer's URL fetcher (`ClosedFetcher`) serves only files under content/cobrand/ of the
  allowed types and the partner's logo as the one `data:` URL made here from the stored bytes;
  anything else (http, https, ftp, file: outside the folder, another data: URL) is refused and
  recorded, so rendering never touches the network or the rest of the disk;
- the logo is used only if its bytes are a PNG or JPEG (the types hub.files allows for logos) within
  the logo size limit.
"""
from __future__ import annotations

import base64
import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import url_for
from jinja2 import FileSystemLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from ... import files
from ...program import rules as program_rules
from . import catalogue
from .catalogue import ASSET_TYPES, Template

log = logging.getLogger(__name__)

LOGO_MAX_BYTES = 1024 * 1024  # as hub/accounts/profile.py LOGO
_DATA_PREFIXES = ("data:image/png;base64,", "data:image/jpeg;base64,")
_SIGNATURES = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",)}


@dataclass(frozen=True)
class Stamp:
    """What is stamped into a template: the organisation and the contacts the partner chose."""
    name: str
    person: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    details: str = ""
    logo: str | None = None  # a data: URL


def logo_mime(data: bytes) -> str | None:
    for mime, starts in _SIGNATURES.items():
        if any(data.startswith(s) for s in starts):
            return mime
    return None


def logo_data_url(data: bytes | None) -> str | None:
    """A data: URL for logo bytes that are a PNG or JPEG within the size limit; None otherwise."""
    if not data or len(data) > LOGO_MAX_BYTES:
        return None
    mime = logo_mime(data)
    if mime is None:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def stored_logo(sha256: str | None) -> bytes | None:
    """The bytes of a logo in hub.files' store, or None (absent, unreadable, too large)."""
    if not sha256 or not files.exists(sha256):
        return None
    path = files.path_of(sha256)
    try:
        if path.stat().st_size > LOGO_MAX_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


# --- HTML ------------------------------------------------------------------------------------------

_env_lock = threading.Lock()
_envs: dict[Path, SandboxedEnvironment] = {}


def _env() -> SandboxedEnvironment:
    base = catalogue.root()
    with _env_lock:
        env = _envs.get(base)
        if env is None:
            env = SandboxedEnvironment(loader=FileSystemLoader(str(base)), autoescape=select_autoescape(default=True),
                                       auto_reload=True)
            _envs[base] = env
        return env


def _context(template: Template, stamp: Stamp, lang: str, asset) -> dict:
    rules = program_rules.current()
    products = {p.code: p.name.get(lang) if hasattr(p.name, "get") else str(p.name) for p in rules.products}
    program_name = rules.program.name
    vendor = program_name.get(lang) if hasattr(program_name, "get") else str(program_name)
    return {"t": template.texts(lang), "partner": stamp, "products": products, "vendor": vendor,
            "lang": lang, "asset": asset}


def fragment(template: Template, stamp: Stamp, lang: str) -> Markup:
    """The piece as an HTML fragment for the preview in a hub page (assets linked through the hub)."""
    def asset(name: str) -> str:
        return url_for("cobrand.asset", folder=template.slug, name=name)
    source = _env().get_template(f"{template.slug}/template.html")
    return Markup(source.render(**_context(template, stamp, lang, asset)))


def document(template: Template, stamp: Stamp, lang: str) -> str:
    """The whole HTML document the PDF is made from; links are relative to content/cobrand/."""
    def asset(name: str) -> str:
        return f"{template.slug}/{name}"
    source = _env().get_template(f"{template.slug}/template.html")
    body = source.render(**_context(template, stamp, lang, asset))
    links = "".join(f'<link rel="stylesheet" href="{escape(href)}">' for href in template.stylesheets)
    title = escape(f"{template.title_in(lang)} — {stamp.name}")
    return (f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="author" content="{escape(stamp.name)}"><meta name="generator" content="Partner Hub">'
            f"{links}</head><body>{body}</body></html>")


# --- PDF -------------------------------------------------------------------------------------------

class RefusedFetch(ValueError):
    pass


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ClosedFetcher(URLFetcher):
        """Serves files under `base` of the asset types and the given data: URLs; refuses the rest."""

        def __init__(self, base: Path, data_urls=()):
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=1)
            self.base = base
            # Only the logo made by logo_data_url: an image as base64, never any other URL.
            self.data_urls = {url for url in data_urls if isinstance(url, str) and url.startswith(_DATA_PREFIXES)}
            self.refused: list[str] = []
            self.served: list[str] = []

        def fetch(self, url, headers=None):
            if url in self.data_urls:
                head, _comma, payload = url.partition(",")
                mime = head[len("data:"):].split(";")[0]
                self.served.append("data:")
                return URLFetcherResponse(url, base64.b64decode(payload), {"Content-Type": mime})
            parts = urlsplit(url)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                try:
                    path = Path(unquote(parts.path)).resolve()
                except (OSError, ValueError, RuntimeError):
                    path = None
                if (path is not None and self.base in path.parents and path.suffix.lower() in ASSET_TYPES
                        and path.is_file()):
                    self.served.append(str(path.relative_to(self.base)))
                    return URLFetcherResponse(path.as_uri(), path.read_bytes(),
                                              {"Content-Type": ASSET_TYPES[path.suffix.lower()]})
            self.refused.append(url)
            log.warning("co-branded rendering refused to fetch %s", url[:200])
            raise RefusedFetch(f"not allowed while rendering: {url[:200]}")

    return ClosedFetcher


def fetcher(data_urls=()):
    return _fetcher_class()(catalogue.root(), data_urls)


def pdf_from_html(html: str, data_urls=(), fetch=None) -> bytes:
    from weasyprint import HTML
    fetch = fetch or fetcher(data_urls)
    return HTML(string=html, base_url=catalogue.root().as_uri() + "/", url_fetcher=fetch).write_pdf()


def pdf(template: Template, stamp: Stamp, lang: str) -> bytes:
    return pdf_from_html(document(template, stamp, lang), data_urls=(stamp.logo,))


def without_logo(stamp: Stamp) -> Stamp:
    return replace(stamp, logo=None)
