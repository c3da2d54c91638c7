"""`demo large` for MDF (issue 12 point 7: the MDF pages at 5,000 organisations x 8 quarters).

For every partner organisation whose tier has an allocation: the last eight quarters' accounts and
credits; in each past quarter one approved activity whose claim was paid (commit, payable, paid,
release of the rest) and the unused remainder expired at quarter end; in the current quarter one
approved and, for every fifth organisation, one submitted request waiting in the managers' queue.
Bulk inserts with the ledger's own keys, so balances stay sums of entries and a second run of the
normal demo adds nothing on top.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import insert, select

from ...accounts.models import PARTNER, PARTNER_ROLES, Organisation, User
from ...core.cli import DemoContext, demo_step
from ...extensions import db
from . import services
from .models import (APPROVED, CLAIM_PAID, CLOSED, COMMIT, CREDIT, EXPIRE, PAID, PAYABLE, RELEASE, SUBMITTED,
                     MdfAccount, MdfClaim, MdfEntry, MdfRequest)

ACTIVITIES = ("webinar", "campaign", "event", "trade_show", "content")


def _quarters_back(today: date, count: int) -> list[tuple[str, date, date]]:
    """(label, first day, last day) of the `count` quarters ending with today's, oldest first."""
    out = []
    year, q = today.year, (today.month - 1) // 3
    for _ in range(count):
        first = date(year, 3 * q + 1, 1)
        out.append((f"{year}-Q{q + 1}", first, services.quarter_end(f"{year}-Q{q + 1}")))
        year, q = (year, q - 1) if q else (year - 1, 3)
    return out[::-1]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=timezone.utc)


@demo_step("marketing-mdf", order=80, large=True)
def large(ctx: DemoContext) -> dict[str, int]:
    count = int(ctx.options.get("mdf_quarters", 8))
    batch = int(ctx.options.get("batch", 5000))
    rules = services.rules()
    quarters = _quarters_back(ctx.today, count)
    known = {(o, q) for o, q in db.session.execute(select(MdfAccount.organisation_id, MdfAccount.quarter))}
    people = dict(db.session.execute(select(User.organisation_id, User.id).where(
        User.role.in_(PARTNER_ROLES)).order_by(User.id.desc())).all())
    orgs = [(o.id, o.tier) for o in db.session.execute(
        select(Organisation.id, Organisation.tier).where(Organisation.kind == PARTNER).order_by(Organisation.id))]
    accounts, entries, made = [], [], {"mdf_accounts": 0, "mdf_requests": 0, "mdf_entries": 0}
    plans: list[tuple[dict, dict | None, list[dict]]] = []   # (request, claim, entries after it has an id)
    for org_id, tier in orgs:
        allocation = rules.allocation_kopecks(tier)
        if allocation <= 0:
            continue
        for n, (quarter, first, last) in enumerate(quarters):
            if (org_id, quarter) in known:
                continue
            accounts.append(dict(organisation_id=org_id, quarter=quarter, created_at=_at(first)))
            entries.append(dict(organisation_id=org_id, quarter=quarter, kind=CREDIT, amount_kopecks=allocation,
                                key=f"credit:{org_id}:{quarter}", reason="tier allocation", created_at=_at(first)))
            current = last >= ctx.today
            cost = max(100_00, allocation // 2 // 100 * 100)
            approved = cost // 2
            starts = first + timedelta(days=20 + (org_id + n) % 40)
            request = dict(organisation_id=org_id, user_id=people.get(org_id), quarter=quarter,
                           activity=ACTIVITIES[(org_id + n) % len(ACTIVITIES)], title=f"Activity {quarter}",
                           starts_on=starts, ends_on=starts + timedelta(days=1), planned_cost_kopecks=cost,
                           share_percent=50, requested_kopecks=approved, expected_leads=10,
                           expected_pipeline_kopecks=approved * 10, approved_kopecks=approved,
                           status=APPROVED if current else CLOSED, submitted_at=_at(first),
                           approved_at=_at(first + timedelta(days=3)), decided_at=_at(first + timedelta(days=3)),
                           created_at=_at(first))
            after = [dict(kind=COMMIT, amount_kopecks=approved, key="commit:{id}", reason="approved")]
            claim = None
            if not current:
                paid = approved * 9 // 10
                claim = dict(organisation_id=org_id, user_id=people.get(org_id), actual_cost_kopecks=paid * 2,
                             claimed_kopecks=paid, payable_kopecks=paid, status=CLAIM_PAID,
                             submitted_at=_at(starts + timedelta(days=5)), decided_at=_at(starts + timedelta(days=8)),
                             due_on=starts + timedelta(days=38), paid_on=starts + timedelta(days=30),
                             payment_reference=f"PP-{org_id}-{n}", paid_at=_at(starts + timedelta(days=30)))
                after += [dict(kind=PAYABLE, amount_kopecks=paid, key="payable:{id}", reason="claim approved"),
                          dict(kind=PAID, amount_kopecks=paid, key="paid:{id}", reason=f"PP-{org_id}-{n}"),
                          dict(kind=RELEASE, amount_kopecks=approved - paid, key="release:{id}", reason="closed")]
                entries.append(dict(organisation_id=org_id, quarter=quarter, kind=EXPIRE,
                                    amount_kopecks=allocation - approved + (approved - paid),
                                    key=f"expire:{org_id}:{quarter}", reason="quarter ended", created_at=_at(last)))
            plans.append((request, claim, after))
            if current and org_id % 5 == 0:
                plans.append((dict(request, status=SUBMITTED, approved_kopecks=None, approved_at=None,
                                   decided_at=None, title=f"Campaign {quarter}", submitted_at=ctx.now - timedelta(hours=org_id % 48)),
                              None, []))
    for i in range(0, len(accounts), batch):
        db.session.execute(insert(MdfAccount), accounts[i:i + batch])
    made["mdf_accounts"] = len(accounts)
    for i in range(0, len(plans), batch):
        chunk = plans[i:i + batch]
        ids = db.session.scalars(insert(MdfRequest).returning(MdfRequest.id, sort_by_parameter_order=True),
                                 [request for request, _, _ in chunk]).all()
        claims = [dict(claim, request_id=rid) for rid, (_, claim, _) in zip(ids, chunk) if claim]
        if claims:
            db.session.execute(insert(MdfClaim), claims)
        for rid, (request, _, after) in zip(ids, chunk):
            for entry in after:
                entries.append(dict(entry, organisation_id=request["organisation_id"], quarter=request["quarter"],
                                    key=entry["key"].format(id=rid), request_id=rid,
                                    created_at=request["approved_at"] or request["submitted_at"]))
        made["mdf_requests"] += len(ids)
    for i in range(0, len(entries), batch):
        db.session.execute(insert(MdfEntry), entries[i:i + batch])
    made["mdf_entries"] = len(entries)
    return made
