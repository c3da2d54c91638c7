"""Content pages of the program (P4): loaded from content/pages/*.md, shown at /pages/<slug>."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class ContentPage(db.Model):
    __tablename__ = "content_page"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    sort_order: Mapped[int] = mapped_column(default=100)
    title_ru: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    # Markdown source as written, and the HTML rendered from it and sanitised at load time.
    body_ru: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    body_html_ru: Mapped[str] = mapped_column(Text)
    body_html_en: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def title(self, locale: str | None) -> str:
        return self.title_en if (locale or "ru").startswith("en") else self.title_ru

    def html(self, locale: str | None) -> str:
        return self.body_html_en if (locale or "ru").startswith("en") else self.body_html_ru

    def __repr__(self) -> str:
        return f"<ContentPage {self.slug}>"
