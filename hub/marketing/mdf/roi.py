"""MDF ROI and utilisation: what the funded activities brought, from the ledger and the deals read model.

Per activity (an approved, closed or released request): the MDF spent (paid, else payable, else what is
still committed), the deals linked to it, their pipeline (registered amounts) and won revenue, and both
per rouble spent. Rolled up per organisation and per quarter. Utilisation: allocated / committed /
paid / expired per tier (managers) or per quarter (a partner, its own). A constant number of queries.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from ...accounts.models import Organisation
from ...extensions import db
from .models import (ADJUST, APPROVED, CLOSED, COMMIT, CREDIT, EXPIRE, PAID, PAYABLE, RELEASE, RELEASED, MdfDeal,
                     MdfEntry, MdfRequest)

FUNDED = (APPROVED, CLOSED, RELEASED)


@dataclass
class Row:
    key: object
    label: str
    organisation_id: int | None = None
    organisation: str = ""
    quarter: str = ""
    committed: int = 0
    payable: int = 0
    paid: int = 0
    deals: int = 0
    pipeline: int = 0
    won: int = 0

    @property
    def spent(self) -> int:
        return self.paid or self.payable or self.committed

    def per_rouble(self, kopecks: int) -> float | None:
        return round(kopecks / self.spent, 2) if self.spent > 0 else None

    @property
    def pipeline_per_rouble(self) -> float | None:
        return self.per_rouble(self.pipeline)

    @property
    def won_per_rouble(self) -> float | None:
        return self.per_rouble(self.won)

    def add(self, other: "Row") -> None:
        for name in ("committed", "payable", "paid", "deals", "pipeline", "won"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def activities(organisation_id: int | None = None, quarter: str | None = None, limit: int = 500) -> list[Row]:
    query = (select(MdfRequest.id, MdfRequest.title, MdfRequest.organisation_id, Organisation.name, MdfRequest.quarter)
             .join(Organisation, Organisation.id == MdfRequest.organisation_id)
             .where(MdfRequest.status.in_(FUNDED)))
    if organisation_id is not None:
        query = query.where(MdfRequest.organisation_id == organisation_id)
    if quarter:
        query = query.where(MdfRequest.quarter == quarter)
    rows = {rid: Row(rid, title, org_id, org_name, q) for rid, title, org_id, org_name, q in db.session.execute(
        query.order_by(MdfRequest.quarter.desc(), MdfRequest.id.desc()).limit(limit))}
    if not rows:
        return []
    ids = list(rows)
    amount = MdfEntry.amount_kopecks
    for rid, committed, payable, paid in db.session.execute(
            select(MdfEntry.request_id,
                   func.sum(case((MdfEntry.kind == COMMIT, amount), (MdfEntry.kind == RELEASE, -amount), else_=0)),
                   func.sum(case((MdfEntry.kind == PAYABLE, amount), else_=0)),
                   func.sum(case((MdfEntry.kind == PAID, amount), else_=0)))
            .where(MdfEntry.request_id.in_(ids)).group_by(MdfEntry.request_id)):
        row = rows[rid]
        row.committed, row.payable, row.paid = int(committed or 0), int(payable or 0), int(paid or 0)
    for rid, count, pipeline, won in db.session.execute(
            select(MdfDeal.request_id, func.count(), func.sum(MdfDeal.amount_kopecks),
                   func.sum(func.coalesce(MdfDeal.won_kopecks, 0)))
            .where(MdfDeal.request_id.in_(ids)).group_by(MdfDeal.request_id)):
        row = rows[rid]
        row.deals, row.pipeline, row.won = int(count), int(pipeline or 0), int(won or 0)
    return list(rows.values())


def rollup(rows: list[Row], by: str) -> list[Row]:
    """Per organisation (by="organisation") or per quarter (by="quarter"), plus nothing else."""
    out: dict = {}
    for row in rows:
        key = row.organisation_id if by == "organisation" else row.quarter
        label = row.organisation if by == "organisation" else row.quarter
        target = out.setdefault(key, Row(key, label, row.organisation_id if by == "organisation" else None,
                                         row.organisation if by == "organisation" else "", row.quarter))
        target.add(row)
    return sorted(out.values(), key=lambda r: (-r.won, -r.pipeline, str(r.label)))


def total(rows: list[Row]) -> Row:
    out = Row("total", "")
    for row in rows:
        out.add(row)
    return out


@dataclass
class Use:
    label: str
    allocated: int = 0
    committed: int = 0
    paid: int = 0
    expired: int = 0

    @property
    def share_paid(self) -> int | None:
        return round(100 * self.paid / self.allocated) if self.allocated > 0 else None


def _use_columns():
    amount = MdfEntry.amount_kopecks
    return (func.sum(case((MdfEntry.kind.in_((CREDIT, ADJUST)), amount), else_=0)),
            func.sum(case((MdfEntry.kind == COMMIT, amount), (MdfEntry.kind == RELEASE, -amount), else_=0)),
            func.sum(case((MdfEntry.kind == PAID, amount), else_=0)),
            func.sum(case((MdfEntry.kind == EXPIRE, amount), else_=0)))


def utilisation_by_tier(quarter: str | None = None) -> list[Use]:
    query = (select(Organisation.tier, *_use_columns()).join(Organisation, Organisation.id == MdfEntry.organisation_id)
             .group_by(Organisation.tier))
    if quarter:
        query = query.where(MdfEntry.quarter == quarter)
    return [Use(tier or "", int(a or 0), int(c or 0), int(p or 0), int(e or 0))
            for tier, a, c, p, e in db.session.execute(query.order_by(Organisation.tier))]


def utilisation_of(organisation_id: int) -> list[Use]:
    query = (select(MdfEntry.quarter, *_use_columns()).where(MdfEntry.organisation_id == organisation_id)
             .group_by(MdfEntry.quarter).order_by(MdfEntry.quarter.desc()))
    return [Use(q, int(a or 0), int(c or 0), int(p or 0), int(e or 0)) for q, a, c, p, e in db.session.execute(query)]


def quarters() -> list[str]:
    return list(db.session.scalars(select(MdfRequest.quarter).distinct().order_by(MdfRequest.quarter.desc()).limit(40)))
