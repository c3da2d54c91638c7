"""The locator's verified numbers, kept current by durable events (hub/signals.py): certificates from
the academy's certificate_earned / certificate_expired, won deals per region from deals' deal_submitted
(which carries the region) and deal_won (which does not: the region then comes from deals' `deal_regions`
fact when deal_submitted was not seen); either may arrive first.

Every write is an INSERT ... ON CONFLICT by the row's key, and the counters are recounted from the
rows (one organisation's, through an index), never incremented: a replayed or repeated delivery
leaves the same numbers. Ranking a page then reads two small tables instead of scanning
certificates and deals per request.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ... import facts, signals
from ...database import utcnow
from ...extensions import db
from ...upsert import dialect_insert
from .models import DirectoryCertificate, DirectoryDeal, DirectoryRegionWin, DirectoryStat


def _lock(organisation_id: int) -> None:
    """Serialise the recounts of one organisation: two workers delivering two certificates of one
    organisation at once would each count without the other's uncommitted row and the last to write
    would leave one too few. The stat row (created if missing) is the lock; a recount after the
    wait reads what the other committed (PostgreSQL; SQLite has one writer at a time anyway)."""
    stmt = dialect_insert(DirectoryStat).values(organisation_id=organisation_id, valid_certificates=0,
                                                certified_people=0, deals_won=0, updated_at=utcnow())
    db.session.execute(stmt.on_conflict_do_nothing(index_elements=["organisation_id"]))
    db.session.execute(select(DirectoryStat.organisation_id).where(DirectoryStat.organisation_id == organisation_id)
                       .with_for_update())


def recount_certificates(organisation_id: int, now: datetime | None = None) -> None:
    now = now or utcnow()
    _lock(organisation_id)
    valid = (DirectoryCertificate.organisation_id == organisation_id, DirectoryCertificate.valid.is_(True),
             (DirectoryCertificate.expires_at.is_(None)) | (DirectoryCertificate.expires_at > now))
    certificates, people = db.session.execute(
        select(func.count(DirectoryCertificate.certificate_id),
               func.count(func.distinct(DirectoryCertificate.user_id))).where(*valid)).one()
    stmt = dialect_insert(DirectoryStat).values(organisation_id=organisation_id, valid_certificates=certificates,
                                                certified_people=people, updated_at=now)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["organisation_id"],
        set_={"valid_certificates": certificates, "certified_people": people, "updated_at": now}))


def _certificate(event: signals.Event, valid: bool, as_of: datetime, expires_at: datetime | None) -> None:
    values = dict(certificate_id=event.certificate_id, organisation_id=event.organisation_id,
                  user_id=event.user_id, track_slug=event.track_slug, valid=valid, as_of=as_of)
    if expires_at is not None:
        values["expires_at"] = expires_at
    stmt = dialect_insert(DirectoryCertificate).values(**values)
    changed = {k: v for k, v in values.items() if k != "certificate_id"}
    # A late delivery of an older event (an issue delivered after the expiry that followed it)
    # must not bring a certificate back.
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["certificate_id"], set_=changed,
        where=DirectoryCertificate.as_of <= stmt.excluded.as_of))
    recount_certificates(event.organisation_id)


@signals.certificate_earned.listener("directory.certificates")
def on_certificate_earned(event: signals.Event) -> None:
    _certificate(event, True, event.issued_at, event.expires_at)


@signals.certificate_expired.listener("directory.certificates_expired")
def on_certificate_expired(event: signals.Event) -> None:
    _certificate(event, False, event.expired_at, None)


def recount_wins(organisation_id: int, region: str) -> None:
    _lock(organisation_id)
    wins = db.session.scalar(select(func.count(DirectoryDeal.deal_id)).where(
        DirectoryDeal.organisation_id == organisation_id, DirectoryDeal.region == region,
        DirectoryDeal.won.is_(True)))
    stmt = dialect_insert(DirectoryRegionWin).values(organisation_id=organisation_id, region=region, wins=wins)
    db.session.execute(stmt.on_conflict_do_update(index_elements=["organisation_id", "region"],
                                                  set_={"wins": wins}))
    total = db.session.scalar(select(func.count(DirectoryDeal.deal_id)).where(
        DirectoryDeal.organisation_id == organisation_id, DirectoryDeal.region.is_not(None),
        DirectoryDeal.won.is_(True)))
    now = utcnow()
    stmt = dialect_insert(DirectoryStat).values(organisation_id=organisation_id, deals_won=total, updated_at=now)
    db.session.execute(stmt.on_conflict_do_update(index_elements=["organisation_id"],
                                                  set_={"deals_won": total, "updated_at": now}))


def _deal(deal_id: int, organisation_id: int, **values) -> None:
    stmt = dialect_insert(DirectoryDeal).values(deal_id=deal_id, organisation_id=organisation_id, **values)
    db.session.execute(stmt.on_conflict_do_update(index_elements=["deal_id"], set_=values))
    row = db.session.execute(select(DirectoryDeal.region, DirectoryDeal.won)
                             .where(DirectoryDeal.deal_id == deal_id)).one()
    if row.region and row.won:
        recount_wins(organisation_id, row.region)


@signals.deal_submitted.listener("directory.deal_regions")
def on_deal_submitted(event: signals.Event) -> None:
    _deal(event.deal_id, event.organisation_id, region=event.region or None)


@signals.deal_won.listener("directory.deals_won")
def on_deal_won(event: signals.Event) -> None:
    values = {"won": True}
    known = db.session.scalar(select(DirectoryDeal.region).where(DirectoryDeal.deal_id == event.deal_id))
    if known is None:
        # deal_submitted not seen (history before this listener, or still on its way): ask deals.
        region = (facts.get("deal_regions", [event.deal_id], default={}) or {}).get(event.deal_id)
        if region:
            values["region"] = region
    _deal(event.deal_id, event.organisation_id, **values)
