"""The directory's own tables: who chose to be shown (organisations, people) and the verified numbers
the locator ranks by, a read model kept current by durable events (hub/signals.py).

Settings (written by people):
- `DirectoryOrganisation`: per organisation, whether it is in the partners' directory (default yes:
  partners see each other unless the admin takes the organisation out) and in the public locator
  (default no: customers see it only when the admin opts in). A missing row means the defaults.
- `DirectoryPerson`: per person, whether they are listed (default no: each person chooses) and the
  job title shown.

Read model (written by listeners only; `flask --app hub worker --replay directory.<listener>` rebuilds
it from history):
- `DirectoryCertificate`: one row per academy certificate (its validity as the last event said).
- `DirectoryDeal`: one row per deal: the region (from deal_submitted) and whether it was won (deal_won);
  either event may arrive first.
- `DirectoryRegionWin`: won deals per organisation and region (what "deals won in the region" reads).
- `DirectoryStat`: per organisation, valid certificates, certified people and won deals (what the
  ranking reads).
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ...database import UTCDateTime, utcnow
from ...extensions import db


class DirectoryOrganisation(db.Model):
    __tablename__ = "directory_organisation"
    __table_args__ = (Index("ix_directory_organisation_locator", "in_locator"),)

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"),
                                                 primary_key=True)
    in_directory: Mapped[bool] = mapped_column(default=True)
    in_locator: Mapped[bool] = mapped_column(default=False)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DirectoryPerson(db.Model):
    __tablename__ = "directory_person"
    __table_args__ = (Index("ix_directory_person_org_listed", "organisation_id", "listed"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    listed: Mapped[bool] = mapped_column(default=False)
    job_title: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DirectoryCertificate(db.Model):
    __tablename__ = "directory_certificate"
    __table_args__ = (Index("ix_directory_certificate_org", "organisation_id", "valid"),)

    certificate_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    organisation_id: Mapped[int] = mapped_column()
    user_id: Mapped[int] = mapped_column()
    track_slug: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    valid: Mapped[bool] = mapped_column(default=True)
    # The moment of the event the row reflects: an older event delivered late changes nothing.
    as_of: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DirectoryDeal(db.Model):
    __tablename__ = "directory_deal"
    __table_args__ = (Index("ix_directory_deal_org_region", "organisation_id", "region", "won"),)

    deal_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    organisation_id: Mapped[int] = mapped_column()
    region: Mapped[Optional[str]] = mapped_column(String(40))
    won: Mapped[bool] = mapped_column(default=False)


class DirectoryRegionWin(db.Model):
    __tablename__ = "directory_region_win"
    __table_args__ = (Index("ix_directory_region_win_region", "region", "wins"),)

    organisation_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    region: Mapped[str] = mapped_column(String(40), primary_key=True)
    wins: Mapped[int] = mapped_column(default=0)


class DirectoryStat(db.Model):
    __tablename__ = "directory_stat"

    organisation_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    valid_certificates: Mapped[int] = mapped_column(default=0)
    certified_people: Mapped[int] = mapped_column(default=0)
    deals_won: Mapped[int] = mapped_column(default=0)  # in every region: the ranking without a region chosen
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
