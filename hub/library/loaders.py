"""`flask --app hub content load` for the library: content/library/<slug>/{item.yml, ru.md, en.md, files}.

The format is documented in content/library/README.md. Every folder is validated before anything is
written; an error names the file, the key and the problem. Items are upserted by slug (the folder
name); attachments are copied into the data directory under their SHA-256, so the hub serves what was
loaded even while content/ is being edited. Items created in the hub (source "hub") are never touched.
"""
from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Callable

import click
import yaml
from pydantic import BeforeValidator, ValidationInfo, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import files
from ..content import ContentError, checksum, render_markdown
from ..content.sync import new_counts, remove_missing, upsert_by_slug
from ..core.cli import content_loader
from ..database import utcnow, write_intent
from ..extensions import db
from ..schema import Date, LimitedText, ListOf, Model, one_of, problem_at, validate
from .models import CONTENT, FACETS, KINDS, TAG_VALUES, TIERS, LibraryFile, LibraryItem, LibraryTag, tier_rank

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FILE_NAME = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*\.[a-z0-9]+")
BODY_FILES = {"item.yml", "ru.md", "en.md"}
MAX_FILE_BYTES = 20 * 1024 * 1024
# What a library item may carry, loaded from content/ or uploaded in the hub alike.
ATTACHMENTS = files.UploadRule(types=("pdf", "docx", "xlsx", "pptx", "csv"), max_bytes=MAX_FILE_BYTES)
SUFFIXES = tuple(files.TYPES[code].extension for code in ATTACHMENTS.types)
PROGRESS_FROM = 20


@dataclass(frozen=True)
class FileSource:
    name: str
    title_ru: str
    title_en: str
    path: Path
    content_type: str
    size: int
    sha256: str
    stored: files.StoredFile | None = None


@dataclass(frozen=True)
class ItemSource:
    slug: str
    kind: str
    min_tier: str
    titles: dict[str, str]
    summaries: dict[str, str]
    bodies: dict[str, str]
    tags: dict[str, list[str]]
    files: list[FileSource] = field(default_factory=list)
    published: date = date.min
    checksum: str = ""


def _tags(tags: Any) -> dict[str, list[str]]:
    if not isinstance(tags, dict):
        raise ValueError("must be a mapping with the keys " + ", ".join(FACETS))
    unknown = set(tags) - set(FACETS)
    if unknown:
        raise problem_at((sorted(map(str, unknown))[0],), f"is not a known key (known: {', '.join(FACETS)})")
    out = {}
    for facet in FACETS:
        values = tags.get(facet)
        if not isinstance(values, list) or not values:
            raise problem_at((facet,), "must be a non-empty list")
        for value in values:
            if value not in TAG_VALUES[facet]:
                raise problem_at((facet,), f"unknown value {value!r} (known: {', '.join(TAG_VALUES[facet])})")
        if len(set(values)) != len(values):
            raise problem_at((facet,), "lists a value twice")
        out[facet] = list(values)
    if "any" in out["industry"] and len(out["industry"]) > 1:
        raise problem_at(("industry",), "'any' is not combined with other industries")
    return out


Tags = Annotated[dict[str, list[str]], BeforeValidator(_tags)]


def _file_name(name: Any) -> str:
    if not isinstance(name, str) or not FILE_NAME.fullmatch(name) or name in BODY_FILES:
        raise ValueError(f"{name!r} is not a plain file name (lower-case letters, digits, dots and dashes)")
    if Path(name).suffix not in SUFFIXES or files.type_of_extension(name) not in ATTACHMENTS.types:
        raise ValueError(f"unsupported file type {Path(name).suffix!r} (known: {', '.join(SUFFIXES)})")
    return name


class FileEntry(Model):
    name: Annotated[str, BeforeValidator(_file_name)]
    title: LimitedText(200)


class ItemMeta(Model):
    """content/library/<slug>/item.yml (format: content/library/README.md)."""
    title: LimitedText(300)
    summary: LimitedText(600)
    kind: one_of(KINDS)
    min_tier: one_of(TIERS)
    tags: Tags
    files: Annotated[ListOf[FileEntry], BeforeValidator(lambda value: [] if value is None else value)] = ()
    published: Date

    @field_validator("published")
    @classmethod
    def _not_in_the_future(cls, published: date, info: ValidationInfo) -> date:
        if published > (info.context or {}).get("today", date.today()):
            raise ValueError(f"{published.isoformat()} is in the future")
        return published

    @model_validator(mode="after")
    def _each_file_once(self):
        seen = set()
        for n, entry in enumerate(self.files):
            if entry.name in seen:
                raise problem_at(("files", n, "name"), f"{entry.name!r} is listed twice")
            seen.add(entry.name)
        return self


def validate_tags(path: Path | str, tags: Any) -> dict[str, list[str]]:
    """The tags of an item, checked as item.yml's are (ContentError names the problem)."""
    return validate(Tags, tags, path, where="tags")


def read_item(folder: Path, today: date | None = None) -> ItemSource:
    slug = folder.name
    if not SLUG.fullmatch(slug):
        raise ContentError(folder, "an item folder is named by its slug: lower-case letters, digits and single dashes")
    meta_path = folder / "item.yml"
    if not meta_path.is_file():
        raise ContentError(folder, "has no item.yml")
    try:
        raw_meta = meta_path.read_text(encoding="utf-8")
        raw = yaml.safe_load(raw_meta)
    except UnicodeDecodeError:
        raise ContentError(meta_path, "is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise ContentError(meta_path, f"is not valid YAML: {exc}") from None
    meta = validate(ItemMeta, raw, meta_path, context={"today": today or date.today()})

    bodies, raws = {}, [raw_meta]
    for lang in ("ru", "en"):
        path = folder / f"{lang}.md"
        if not path.is_file():
            raise ContentError(folder, f"has no {lang}.md")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ContentError(path, "is not UTF-8 text") from None
        if text.lstrip("\ufeff").startswith("---"):
            raise ContentError(path, "bodies have no front matter (the metadata lives in item.yml)")
        if not text.strip():
            raise ContentError(path, "is empty")
        bodies[lang] = text.lstrip("\ufeff").strip() + "\n"
        raws.append(text)

    attachments: list[FileSource] = []
    for n, entry in enumerate(meta.files):
        path = folder / entry.name
        if not path.is_file():
            raise ContentError(meta_path, f"files[{n}].name: {entry.name} does not exist in {folder}")
        try:
            stored = files.inspect_path(path, ATTACHMENTS)
        except files.UploadRefused as exc:
            raise ContentError(path, str(exc)) from None
        claimed = files.type_of_extension(entry.name)
        if stored.type != claimed:
            raise ContentError(path, f"is named {path.suffix} but its content is {files.TYPES[stored.type].label}")
        attachments.append(FileSource(name=entry.name, title_ru=entry.title.ru, title_en=entry.title.en,
                                      path=path, content_type=stored.content_type, size=stored.size,
                                      sha256=stored.sha256, stored=stored))
        raws.append(stored.sha256)
    listed = {entry.name for entry in meta.files}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.name not in BODY_FILES and path.name not in listed:
            raise ContentError(path, "is not listed under 'files' in item.yml (list it or remove it)")

    return ItemSource(slug=slug, kind=meta.kind, min_tier=meta.min_tier, titles=meta.title.model_dump(),
                      summaries=meta.summary.model_dump(), bodies=bodies, tags=meta.tags, files=attachments,
                      published=meta.published, checksum=checksum(*raws))


def read_library(folder: Path, today: date | None = None) -> list[ItemSource]:
    if not folder.is_dir():
        return []
    items = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name == "README.md":
            continue
        if not path.is_dir():
            raise ContentError(path, "only item folders (and README.md) belong directly in content/library/")
        items.append(read_item(path, today))
    return items


def _store(source: FileSource) -> None:
    files.copy_in(source.path, source.stored or files.inspect_path(source.path, ATTACHMENTS))


def apply_source(item: LibraryItem, source: ItemSource) -> None:
    item.kind, item.min_tier, item.tier_rank = source.kind, source.min_tier, tier_rank(source.min_tier)
    item.title_ru, item.title_en = source.titles["ru"], source.titles["en"]
    item.summary_ru, item.summary_en = source.summaries["ru"], source.summaries["en"]
    item.body_ru, item.body_en = source.bodies["ru"], source.bodies["en"]
    item.body_html_ru = render_markdown(source.bodies["ru"])
    item.body_html_en = render_markdown(source.bodies["en"])
    item.refresh_plain()
    item.published = source.published
    item.checksum = source.checksum
    item.updated_at = utcnow()
    set_tags(item, source.tags)
    by_name = {f.name: f for f in item.files}
    keep = []
    for position, src in enumerate(source.files):
        _store(src)
        row = by_name.get(src.name) or LibraryFile(name=src.name)
        row.position, row.title_ru, row.title_en = position, src.title_ru, src.title_en
        row.content_type, row.size, row.sha256 = src.content_type, src.size, src.sha256
        keep.append(row)
    item.files = keep


def set_tags(item: LibraryItem, tags: dict[str, list[str]]) -> None:
    wanted = [(facet, value) for facet in FACETS for value in tags.get(facet, [])]
    current = {(t.facet, t.value): t for t in item.tags}
    item.tags = [current.get(key) or LibraryTag(facet=key[0], value=key[1]) for key in wanted]


def sync_library(folder: Path, echo: Callable[[str], None] = print) -> dict[str, int]:
    sources = read_library(folder)  # all validated before anything is written
    counts = new_counts()
    with write_intent():
        existing = {item.slug: item for item in db.session.scalars(
            select(LibraryItem).options(selectinload(LibraryItem.tags), selectinload(LibraryItem.files)))}
        progress = (click.progressbar(sources, label="library") if len(sources) > PROGRESS_FROM
                    else nullcontext(sources))
        with progress as items:
            for source in items:
                item = existing.get(source.slug)
                if item is not None and item.source != CONTENT:
                    raise ContentError(folder / source.slug, "an item with this slug was created in the hub; "
                                                             "rename the folder")
                upsert_by_slug(LibraryItem, existing, source.slug, source.checksum, counts,
                               lambda item, source=source: apply_source(item, source), source=CONTENT)
        remove_missing(existing, (source.slug for source in sources), counts,
                       owned=lambda item: item.source == CONTENT)
        db.session.flush()
    return counts


@content_loader("library")
def load_library(directory: str, echo: Callable[[str], None]) -> dict[str, int]:
    folder = Path(directory) / "library"
    if not folder.is_dir():
        echo(f"library: {folder} does not exist, library left as it is")
        return {}
    try:
        return sync_library(folder, echo)
    except ContentError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
