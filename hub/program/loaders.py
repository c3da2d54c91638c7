"""`flask --app hub content load` for the program: validate program.yml, upsert content/pages.

Pages are Markdown files with YAML front matter, two per page: `pages/<slug>.ru.md` and
`pages/<slug>.en.md` (see content/README.md). The files are the only source: a page whose files
are gone is deleted from the database and reported as removed.
"""
from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import click
from flask import current_app
from sqlalchemy import select

from ..content import ContentError, Document, checksum, read_document, render_markdown
from ..content.sync import new_counts, remove_missing, upsert_by_slug
from ..core.cli import content_loader
from ..database import utcnow, write_intent
from ..extensions import db
from ..schema import Line, Model, OptionalSlug, WholeNumber, validate
from . import rules as program_rules
from .models import ContentPage

LANGS = ("ru", "en")
PAGE_FILE = re.compile(r"(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<lang>[a-z]{2})\.md")
DEFAULT_ORDER = 100
PROGRESS_FROM = 20  # show a progress bar when loading more pages than this


class PageMeta(Model):
    title: Line(200)
    order: WholeNumber(-10**6, optional=True) = None
    slug: OptionalSlug = None


@dataclass(frozen=True)
class PageSource:
    slug: str
    order: int
    titles: dict[str, str]
    bodies: dict[str, str]
    checksum: str


def read_pages(folder: Path) -> list[PageSource]:
    """Every page under `folder`, validated; ContentError names the file and what is wrong."""
    if not folder.is_dir():
        return []
    found: dict[str, dict[str, Document]] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        match = PAGE_FILE.fullmatch(path.name)
        if not match:
            raise ContentError(path, "a page file is named <slug>.ru.md or <slug>.en.md "
                                     "(slug: lower-case letters, digits and dashes)")
        if match["lang"] not in LANGS:
            raise ContentError(path, f"unknown language {match['lang']!r} (known: {', '.join(LANGS)})")
        found.setdefault(match["slug"], {})[match["lang"]] = read_document(path)

    pages = []
    for slug, docs in sorted(found.items()):
        for lang in LANGS:
            if lang not in docs:
                other = next(iter(docs.values())).path
                raise ContentError(other, f"has no {lang} counterpart: add {slug}.{lang}.md beside it")
        titles, bodies, orders = {}, {}, set()
        for lang in LANGS:
            doc = docs[lang]
            meta = validate(PageMeta, doc.meta, doc.path, where="front matter")
            if meta.slug is not None and meta.slug != slug:
                raise ContentError(doc.path, f"front matter slug {meta.slug!r} differs from the file name")
            if meta.order is not None:
                orders.add(meta.order)
            if not doc.body.strip():
                raise ContentError(doc.path, "the page has no text after the front matter")
            titles[lang], bodies[lang] = meta.title, doc.body
        if len(orders) > 1:
            raise ContentError(docs["en"].path, f"'order' differs between the ru and en files: {sorted(orders)}")
        pages.append(PageSource(
            slug=slug, order=orders.pop() if orders else DEFAULT_ORDER, titles=titles, bodies=bodies,
            checksum=checksum(*(docs[lang].raw for lang in LANGS))))
    return pages


def sync_pages(folder: Path) -> dict[str, int]:
    """Upsert the pages by slug; delete those whose files are gone. Returns the counts."""
    sources = read_pages(folder)  # all validated before anything is written
    counts = new_counts()
    with write_intent():
        existing = {page.slug: page for page in db.session.scalars(select(ContentPage))}
        progress = (click.progressbar(sources, label="pages") if len(sources) > PROGRESS_FROM
                    else nullcontext(sources))
        with progress as items:
            for source in items:
                def fill(page, source=source):
                    page.sort_order = source.order
                    page.title_ru, page.title_en = source.titles["ru"], source.titles["en"]
                    page.body_ru, page.body_en = source.bodies["ru"], source.bodies["en"]
                    page.body_html_ru = render_markdown(source.bodies["ru"])
                    page.body_html_en = render_markdown(source.bodies["en"])
                    page.updated_at = utcnow()
                upsert_by_slug(ContentPage, existing, source.slug, source.checksum, counts, fill)
        remove_missing(existing, (source.slug for source in sources), counts)
        db.session.flush()
    return counts


def rules_path(directory: str | Path) -> Path:
    """The rules file the app uses: PROGRAM_RULES when set, else program.yml in the content directory."""
    configured = current_app.config.get("PROGRAM_RULES")
    return Path(configured) if configured else Path(directory) / "program.yml"


@content_loader("program")
def load_program(directory: str, echo: Callable[[str], None]) -> dict[str, int]:
    """Validate the program rules (they are read from the file, not stored) and say what they hold."""
    try:
        rules = program_rules.load(rules_path(directory))
    except program_rules.RulesError as exc:
        raise click.ClickException(str(exc)) from None
    return {"tiers": len(rules.tiers), "products": len(rules.products), "regions": len(rules.regions),
            "retro-bonus steps": len(rules.retro_bonuses), "territories": len(rules.territories)}


@content_loader("pages")
def load_pages(directory: str, echo: Callable[[str], None]) -> dict[str, int]:
    folder = Path(directory) / "pages"
    if not folder.is_dir():
        # A content directory without pages/ is more likely a wrong --dir than a wish to delete every page.
        echo(f"pages: {folder} does not exist, pages left as they are")
        return {}
    try:
        return sync_pages(folder)
    except ContentError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
