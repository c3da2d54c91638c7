"""Library rules (L1-L3): who sees what, searching, items and files, usage.

Nothing here touches `request`; the viewer is passed in. Visibility is one rule: an item is visible
to vendor staff, and to a partner whose organisation's tier is at least the item's min_tier.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from .. import files
from .. import search as search_index
from .. import signals
from ..content import render_markdown
from ..database import utcnow, write_intent
from ..extensions import db
from ..program import rules as program_rules
from ..web import Page
from . import search_index as library_index
from .loaders import ATTACHMENTS, set_tags
from .models import FACETS, HUB, KINDS, TAG_VALUES, TIERS, LibraryFile, LibraryItem, LibraryUsage, tier_rank

PER_PAGE = 20
SEARCH_FACETS = ("kind",) + FACETS

KIND_LABELS = {
    "demo_kit": _l("Demo kit"), "sales_script": _l("Sales script"), "case_study": _l("Case study"),
    "price_list": _l("Price list"), "presentation": _l("Presentation"), "battlecard": _l("Battlecard"),
}
FACET_LABELS = {
    "kind": _l("Type"), "industry": _l("Industry"), "partner_type": _l("Partner type"),
    "product": _l("Product"), "language": _l("Language"),
}
VALUE_LABELS = {
    "industry": {
        "retail": _l("Retail"), "manufacturing": _l("Manufacturing"), "logistics": _l("Logistics"),
        "banking": _l("Banking"), "healthcare": _l("Healthcare"), "education": _l("Education"),
        "public-sector": _l("Public sector"), "it-services": _l("IT services"), "any": _l("Cross-industry"),
    },
    "partner_type": {"integrator": _l("Integrator"), "distributor": _l("Distributor"), "agent": _l("Agent"),
                     "dealer": _l("Dealer")},
    "language": {"ru": _l("Russian"), "en": _l("English")},
}
TIER_LABELS = {"bronze": _l("Bronze"), "silver": _l("Silver"), "gold": _l("Gold"), "platinum": _l("Platinum")}


def value_label(facet: str, value: str) -> str:
    if facet == "kind":
        return str(KIND_LABELS.get(value, value))
    if facet == "product":
        product = program_rules.current().product(value)
        return str(product.name) if product else value
    return str(VALUE_LABELS.get(facet, {}).get(value, value))


def facet_values(facet: str) -> tuple[str, ...]:
    return KINDS if facet == "kind" else TAG_VALUES[facet]


# --- visibility ------------------------------------------------------------------------------------

def viewer_rank(user) -> int:
    """The highest tier rank the user may see: everything for vendor staff, else the org's tier."""
    if user is None or not getattr(user, "is_authenticated", False):
        return -1
    if user.is_vendor:
        return len(TIERS) - 1
    tier = user.organisation.tier
    return tier_rank(tier) if tier in TIERS else 0


def visible_item(user, slug: str, with_files: bool = True) -> LibraryItem | None:
    """The item when the user may see it, else None (routes answer 404: no hint that it exists)."""
    options = [selectinload(LibraryItem.tags)]
    if with_files:
        options.append(selectinload(LibraryItem.files))
    return db.session.scalar(select(LibraryItem).options(*options).where(
        LibraryItem.slug == slug, LibraryItem.tier_rank <= viewer_rank(user)))


def visible_file(user, slug: str, name: str) -> tuple[LibraryItem, LibraryFile] | None:
    row = db.session.execute(
        select(LibraryItem, LibraryFile).join(LibraryFile, LibraryFile.item_id == LibraryItem.id)
        .where(LibraryItem.slug == slug, LibraryFile.name == name,
               LibraryItem.tier_rank <= viewer_rank(user))).first()
    if row is None or not files.exists(row[1].sha256):
        return None
    return row[0], row[1]


# --- search ------------------------------------------------------------------------------------------

@dataclass
class LibrarySearch:
    text: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    page: int = 1

    def as_args(self) -> dict[str, str]:
        args = {k: v for k, v in self.filters.items() if v}
        if self.text:
            args["q"] = self.text
        return args

    def without(self, facet: str) -> dict[str, str]:
        args = self.as_args()
        args.pop(facet, None)
        return args

    def with_value(self, facet: str, value: str) -> dict[str, str]:
        args = self.as_args()
        args[facet] = value
        return args


@dataclass
class SearchPage:
    page: Page
    entries: list[tuple[LibraryItem, search_index.Hit]]
    counts: dict[str, dict[str, int]]
    corrected: str | None
    suggestion: str | None
    unavailable: bool = False  # the search index failed: browsing by filters only, words ignored


def parse_search(args) -> LibrarySearch:
    """The search from a query string; unknown filter values are dropped rather than refused."""
    text = (args.get("q") or "").strip()[:200]
    filters = {}
    for facet in SEARCH_FACETS:
        value = args.get(facet) or ""
        if value in facet_values(facet):
            filters[facet] = value
    try:
        page = max(1, min(int(args.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    return LibrarySearch(text=text, filters=filters, page=page)


def search_library(user, params: LibrarySearch, locale: str = "ru", per_page: int = PER_PAGE) -> SearchPage:
    query = search_index.SearchQuery(text=params.text, max_rank=viewer_rank(user), filters=params.filters,
                                     page=params.page, per_page=per_page, locale=locale)
    unavailable = False
    try:
        result = search_index.search(library_index.NAME, query)
    except search_index.SearchUnavailable:
        unavailable = True
        try:
            result = search_index.browse(library_index.NAME, query)
        except Exception:  # the database itself failing: still a page that says so
            db.session.rollback()
            result = search_index.SearchResult(hits=[], total=0, counts={}, query=query)
    ids = [hit.id for hit in result.hits]
    items = {}
    if ids:
        items = {item.id: item for item in db.session.scalars(
            select(LibraryItem).options(selectinload(LibraryItem.tags))
            .where(LibraryItem.id.in_(ids), LibraryItem.tier_rank <= query.max_rank))}
    # A hit whose row is gone (the index lags a moment behind) is left out rather than shown broken.
    entries = [(items[hit.id], hit) for hit in result.hits if hit.id in items]
    return SearchPage(page=Page(entries, params.page, per_page, result.total), entries=entries,
                      counts=result.counts, corrected=result.corrected, suggestion=result.suggestion,
                      unavailable=unavailable)


# --- usage (L3) ----------------------------------------------------------------------------------------

VIEW = "view"
DOWNLOAD = "download"


def record_use(item: LibraryItem, user, action: str, file: LibraryFile | None = None) -> None:
    """Count a view or a download for the user's organisation (vendor staff are not counted) and
    emit `library_item_used`, in one writing transaction. One atomic upsert: concurrent views
    never lose a count.

    The caller (a GET request) has read the item already, in a transaction SQLite began as a
    reader; a reader that tries to write fails with "database is locked" when another writer
    committed meanwhile, without waiting. So that read transaction ends here, and the write
    begins as a writer (BEGIN IMMEDIATE), queueing on the busy timeout. The count stays in the
    library's own transaction rather than in a listener: it is the library's data, exact at once,
    and one write per view instead of two."""
    if user is None or not user.is_partner:
        return
    column = "views" if action == VIEW else "downloads"
    item_id, item_slug, item_kind = item.id, item.slug, item.kind
    user_id, org_id = user.id, user.organisation_id
    file_name = file.name if file else None
    db.session.commit()  # only reads so far: ends the reader's snapshot
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(LibraryUsage).values(item_id=item_id, organisation_id=org_id,
                                       views=1 if action == VIEW else 0,
                                       downloads=1 if action == DOWNLOAD else 0, last_used_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["item_id", "organisation_id"],
        set_={column: getattr(LibraryUsage, column) + 1, "last_used_at": now})
    with write_intent():
        db.session.execute(stmt)
        signals.library_item_used.emit(item_id=item_id, item_slug=item_slug, item_kind=item_kind, user_id=user_id,
                                       organisation_id=org_id, action=action, file_name=file_name)
        db.session.commit()


@dataclass(frozen=True)
class UsageRow:
    item: LibraryItem
    views: int
    downloads: int
    organisations: int


def usage_report(limit: int = 10) -> tuple[list[UsageRow], list[UsageRow]]:
    """The most and the least used items (views + downloads over all organisations)."""
    totals = (select(LibraryUsage.item_id, func.sum(LibraryUsage.views).label("views"),
                     func.sum(LibraryUsage.downloads).label("downloads"),
                     func.count(LibraryUsage.organisation_id).label("orgs"))
              .group_by(LibraryUsage.item_id).subquery())
    views = func.coalesce(totals.c.views, 0)
    downloads = func.coalesce(totals.c.downloads, 0)
    orgs = func.coalesce(totals.c.orgs, 0)
    base = select(LibraryItem, views, downloads, orgs).outerjoin(totals, totals.c.item_id == LibraryItem.id)
    used = views + downloads
    most = db.session.execute(base.order_by(used.desc(), LibraryItem.slug).limit(limit)).all()
    least = db.session.execute(base.order_by(used.asc(), LibraryItem.slug).limit(limit)).all()
    return ([UsageRow(*row) for row in most], [UsageRow(*row) for row in least])


# --- managers create and edit items --------------------------------------------------------------------

@dataclass
class ItemInput:
    slug: str
    kind: str
    min_tier: str
    title_ru: str
    title_en: str
    summary_ru: str
    summary_en: str
    body_ru: str
    body_en: str
    tags: dict[str, list[str]]
    published: date


def save_item(item: LibraryItem | None, data: ItemInput, actor) -> LibraryItem:
    """Create (item None) or update an item from the manager's form; the index follows on commit."""
    from ..core.services import audit
    with write_intent():
        created = item is None
        if created:
            item = LibraryItem(slug=data.slug, source=HUB, created_at=utcnow())
            db.session.add(item)
        item.kind, item.min_tier, item.tier_rank = data.kind, data.min_tier, tier_rank(data.min_tier)
        item.title_ru, item.title_en = data.title_ru.strip(), data.title_en.strip()
        item.summary_ru, item.summary_en = data.summary_ru.strip(), data.summary_en.strip()
        item.body_ru, item.body_en = data.body_ru, data.body_en
        item.body_html_ru, item.body_html_en = render_markdown(data.body_ru), render_markdown(data.body_en)
        item.refresh_plain()
        item.published = data.published
        item.updated_at = utcnow()
        if item.source != HUB:
            item.checksum = None  # edited in the hub: the next content load brings the file's version back
        set_tags(item, data.tags)
        db.session.flush()
        audit("library_item", item.id, "created" if created else "updated", actor=actor, slug=item.slug)
        db.session.commit()
    return item


# --- managers attach files to items created in the hub --------------------------------------------------

class LibraryError(Exception):
    """A rule refused the change; the message is for the manager."""


def can_manage_files(item: LibraryItem) -> bool:
    """Items loaded from content/ get their files from there (a load would undo changes made here)."""
    return item.source == HUB


def _require_hub_item(item: LibraryItem) -> None:
    if not can_manage_files(item):
        raise LibraryError(_l("This item's files come from content/library/%(slug)s; change them there.",
                              slug=item.slug))


@dataclass
class FileInput:
    title_ru: str
    title_en: str


def add_file(item: LibraryItem, upload, data: FileInput, actor) -> LibraryFile:
    """Store an upload and attach it to the item under a name of its own (unique within the item)."""
    _require_hub_item(item)
    stored = files.save_upload(upload, ATTACHMENTS)  # UploadRefused: nothing stored, nothing saved
    from ..core.services import audit
    with write_intent():
        taken = db.session.scalars(select(LibraryFile.name).where(LibraryFile.item_id == item.id)).all()
        position = db.session.scalar(select(func.coalesce(func.max(LibraryFile.position), -1))
                                     .where(LibraryFile.item_id == item.id)) + 1
        row = LibraryFile(item_id=item.id, position=position, name=files.unique_name(stored.name, taken),
                          title_ru=data.title_ru.strip(), title_en=data.title_en.strip(),
                          content_type=stored.content_type, size=stored.size, sha256=stored.sha256)
        db.session.add(row)
        item.updated_at = utcnow()
        db.session.flush()
        audit("library_item", item.id, "file_added", actor=actor, slug=item.slug, file=row.name,
              sha256=stored.sha256, size=stored.size)
        db.session.commit()
    return row


def replace_file(item: LibraryItem, file: LibraryFile, upload, data: FileInput, actor) -> LibraryFile:
    """A new version of an attachment (titles kept or changed); the name follows the new file's type."""
    _require_hub_item(item)
    stored = files.save_upload(upload, ATTACHMENTS)
    from ..core.services import audit
    with write_intent():
        taken = db.session.scalars(select(LibraryFile.name).where(
            LibraryFile.item_id == item.id, LibraryFile.id != file.id)).all()
        old = file.name
        file.name = files.unique_name(stored.name, taken)
        file.title_ru, file.title_en = data.title_ru.strip(), data.title_en.strip()
        file.content_type, file.size, file.sha256 = stored.content_type, stored.size, stored.sha256
        item.updated_at = utcnow()
        audit("library_item", item.id, "file_replaced", actor=actor, slug=item.slug, file=file.name,
              previous=old, sha256=stored.sha256, size=stored.size)
        db.session.commit()
    return file


def rename_file(item: LibraryItem, file: LibraryFile, data: FileInput, actor) -> LibraryFile:
    _require_hub_item(item)
    from ..core.services import audit
    with write_intent():
        file.title_ru, file.title_en = data.title_ru.strip(), data.title_en.strip()
        item.updated_at = utcnow()
        audit("library_item", item.id, "file_titled", actor=actor, slug=item.slug, file=file.name)
        db.session.commit()
    return file


def remove_file(item: LibraryItem, file: LibraryFile, actor) -> None:
    _require_hub_item(item)
    from ..core.services import audit
    with write_intent():
        name = file.name
        db.session.delete(file)
        item.updated_at = utcnow()
        audit("library_item", item.id, "file_removed", actor=actor, slug=item.slug, file=name)
        db.session.commit()


def item_file(item: LibraryItem, file_id: int) -> LibraryFile | None:
    return db.session.scalar(select(LibraryFile).where(LibraryFile.id == file_id,
                                                       LibraryFile.item_id == item.id))


def slug_taken(slug: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(LibraryItem).where(LibraryItem.slug == slug)) > 0


def preview(markdown_text: str) -> str:
    return render_markdown(markdown_text or "")


def today() -> date:
    return date.today()


def tier_label(tier: str) -> str:
    return str(TIER_LABELS.get(tier, tier))


def by_kind_counts(user) -> dict[str, int]:
    rank = viewer_rank(user)
    return dict(db.session.execute(select(LibraryItem.kind, func.count()).where(LibraryItem.tier_rank <= rank)
                                   .group_by(LibraryItem.kind)).all())




# --- the customer ROI / payback calculator (L4) -----------------------------------------------------

@dataclass(frozen=True)
class RoiInput:
    licences: int
    price_kopecks: int              # per licence per year
    implementation_kopecks: int     # once
    monthly_savings_kopecks: int


@dataclass(frozen=True)
class RoiResult:
    licences_per_year_kopecks: int
    first_year_cost_kopecks: int
    three_year_cost_kopecks: int
    three_year_savings_kopecks: int
    three_year_net_kopecks: int
    payback_months: Decimal         # one decimal, rounded up: the month the investment is back
    roi_percent: Decimal            # three-year ROI, one decimal


def roi(data: RoiInput) -> RoiResult:
    """Payback: months until the savings cover the first year's licences and the implementation.
    ROI over three years: (savings - cost) / cost, with three years of licences and one implementation.
    Integer kopecks and Decimal throughout: no float."""
    licences_year = data.licences * data.price_kopecks
    first_year = licences_year + data.implementation_kopecks
    three_years_cost = 3 * licences_year + data.implementation_kopecks
    savings = 36 * data.monthly_savings_kopecks
    payback = (Decimal(first_year) / Decimal(data.monthly_savings_kopecks)).quantize(
        Decimal("0.1"), rounding=ROUND_CEILING)
    roi_percent = ((Decimal(savings - three_years_cost) * 100) / Decimal(three_years_cost)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP)
    return RoiResult(licences_per_year_kopecks=licences_year, first_year_cost_kopecks=first_year,
                     three_year_cost_kopecks=three_years_cost, three_year_savings_kopecks=savings,
                     three_year_net_kopecks=savings - three_years_cost, payback_months=payback,
                     roi_percent=roi_percent)
