"""The KPIs' read model (SPEC I1, I3): what the durable events said, one row per thing that happened,
kept by the listeners in listeners.py and never by reading another feature's tables.

- `kpi_fact`: one row per (kind, source id) — a deal registered, won or lost, a partner signed, an NPS
  answer, an MDF approval or payment, an event attendance. The unique key makes a second delivery of
  the same event (a replay beside the worker) write nothing. `day`/`month` are the program zone's
  calendar day and month, so periods are counted the way the program's people read them.
- `kpi_partner`: per organisation, when it signed and registered its first deal (TTFD), so that no
  page has to find the first deal among all of them.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ...database import UTCDateTime, utcnow
from ...extensions import db

SUBMITTED, WON, LOST, SIGNED, NPS, MDF_APPROVED, MDF_PAID, ATTENDED = (
    "submitted", "won", "lost", "signed", "nps", "mdf_approved", "mdf_paid", "attended")
KINDS = (SUBMITTED, WON, LOST, SIGNED, NPS, MDF_APPROVED, MDF_PAID, ATTENDED)


class KpiFact(db.Model):
    __tablename__ = "kpi_fact"
    __table_args__ = (
        UniqueConstraint("kind", "source_id", name="uq_kpi_fact_kind_source"),
        # Covering: the pages read kpi_fact through this index alone (kind and a day range).
        Index("ix_kpi_fact_kind_day", "kind", "day", "organisation_id", "month", "amount_kopecks", "score"),
        Index("ix_kpi_fact_org_kind", "organisation_id", "kind"),
        Index("ix_kpi_fact_recorded", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int] = mapped_column(BigInteger)      # deal, response, claim, request, registration, org id
    # No foreign key: the read model takes what the events say, in any order (an event may name an
    # organisation that is gone); every page joins the current partners, so such rows count for nobody.
    organisation_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    month: Mapped[str] = mapped_column(String(7))           # 2026-11
    amount_kopecks: Mapped[Optional[int]] = mapped_column(BigInteger)
    score: Mapped[Optional[int]] = mapped_column(Integer)   # NPS 0-10
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    event_id: Mapped[Optional[int]] = mapped_column(BigInteger)  # the domain event it came from (None: demo backfill)


class KpiPartner(db.Model):
    __tablename__ = "kpi_partner"

    organisation_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    signed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    first_deal_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
