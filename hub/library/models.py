"""The partner library (L1, L3): items with bilingual text, tags and files; usage per organisation."""
from __future__ import annotations

import html as htmllib
import re
from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

KINDS = ("demo_kit", "sales_script", "case_study", "price_list", "presentation", "battlecard")
TIERS = ("bronze", "silver", "gold", "platinum")
FACETS = ("industry", "partner_type", "product", "language")
TAG_VALUES = {
    "industry": ("retail", "manufacturing", "logistics", "banking", "healthcare", "education",
                 "public-sector", "it-services", "any"),
    "partner_type": ("integrator", "distributor", "agent", "dealer"),
    "product": ("crm", "bi", "servicedesk"),
    "language": ("ru", "en"),
}
CONTENT = "content"  # loaded from content/library
HUB = "hub"          # created by a manager in the hub


_TAG = re.compile(r"<[^>]+>")
_BLANK = re.compile(r"[ \t]*\n[ \t\n]*")


def html_to_text(html: str) -> str:
    return _BLANK.sub("\n", htmllib.unescape(_TAG.sub(" ", html))).strip()


def tier_rank(tier: str) -> int:
    return TIERS.index(tier)


class LibraryItem(db.Model):
    __tablename__ = "library_item"
    __table_args__ = (
        Index("ix_library_item_tier_published", "tier_rank", "published"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    min_tier: Mapped[str] = mapped_column(String(20))
    # The position of min_tier in TIERS: "visible to a viewer of rank r" is tier_rank <= r.
    tier_rank: Mapped[int] = mapped_column(Integer)
    title_ru: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    summary_ru: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    body_ru: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    body_html_ru: Mapped[str] = mapped_column(Text)
    body_html_en: Mapped[str] = mapped_column(Text)
    # Summary and body as plain text (from the rendered HTML): what the search indexes and quotes.
    plain_ru: Mapped[str] = mapped_column(Text, default="")
    plain_en: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(10), default=CONTENT)
    checksum: Mapped[Optional[str]] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    tags: Mapped[list["LibraryTag"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="LibraryTag.id")
    files: Mapped[list["LibraryFile"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="LibraryFile.position")

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" else self.title_ru

    def refresh_plain(self) -> None:
        self.plain_ru = self.summary_ru + "\n\n" + html_to_text(self.body_html_ru)
        self.plain_en = self.summary_en + "\n\n" + html_to_text(self.body_html_en)

    def summary(self, locale: str) -> str:
        return self.summary_en if locale == "en" else self.summary_ru

    def body_html(self, locale: str) -> str:
        return self.body_html_en if locale == "en" else self.body_html_ru

    def tag_values(self, facet: str) -> list[str]:
        return [t.value for t in self.tags if t.facet == facet]

    def __repr__(self) -> str:
        return f"<LibraryItem {self.slug}>"


class LibraryTag(db.Model):
    __tablename__ = "library_tag"
    __table_args__ = (
        UniqueConstraint("item_id", "facet", "value", name="uq_library_tag_item_facet_value"),
        Index("ix_library_tag_facet_value", "facet", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("library_item.id", ondelete="CASCADE"))
    facet: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(40))

    item: Mapped[LibraryItem] = relationship(back_populates="tags")


class LibraryFile(db.Model):
    __tablename__ = "library_file"
    __table_args__ = (UniqueConstraint("item_id", "name", name="uq_library_file_item_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("library_item.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(120))
    title_ru: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    # The copy in the data directory is named by its digest: unchanged files are not copied again.
    sha256: Mapped[str] = mapped_column(String(64))

    item: Mapped[LibraryItem] = relationship(back_populates="files")

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" else self.title_ru


class LibraryUsage(db.Model):
    """Views and downloads of one item by one organisation (L3)."""

    __tablename__ = "library_usage"
    __table_args__ = (UniqueConstraint("item_id", "organisation_id", name="uq_library_usage_item_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("library_item.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    views: Mapped[int] = mapped_column(Integer, default=0)
    downloads: Mapped[int] = mapped_column(Integer, default=0)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
