"""Commissions (D5): lines created when a deal is won, SPIFF, the quarterly retro-bonus, the
statement and its workflow (owed -> approved -> paid).

Arithmetic: amounts are integer kopecks; a rate is a Decimal percent from content/program.yml;
line = base x percent / 100, rounded to the kopeck half-up (ROUND_HALF_UP: 0.5 kopeck goes up),
computed with Decimal only, never float.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..accounts.models import Organisation
from ..core.services import audit
from ..database import utcnow
from ..extensions import db
from ..program import rules as program_rules
from .models import (APPROVED, LINE_STATUSES, OWED, PAID, RULE_COMMISSION, RULE_RETRO, RULE_SPIFF,
                     CommissionLine, PeriodStat)
from .services import insert_ignore, insert_many_ignore, program_date, quarter_bounds


class CommissionError(Exception):
    """A change that is not allowed now (message translated for the user)."""


def percent_of(base_kopecks: int, percent: Decimal) -> int:
    """base x percent / 100 in kopecks, half-up to the whole kopeck."""
    return int((Decimal(base_kopecks) * Decimal(percent) / Decimal(100)).quantize(Decimal(1), ROUND_HALF_UP))


def lines_for_won_deal(deal_id: int, organisation_id: int, product: str, amount: int,
                       now: datetime | None = None) -> list[str]:
    """Create the commission line (and the SPIFF when this is the organisation's first won deal)
    inside the caller's transaction. The rate is the one of the tier the organisation holds when
    the deal is won. Returns the rules of the lines created (empty on a replay)."""
    now = now or utcnow()
    rules = program_rules.current()
    tier = db.session.scalar(select(Organisation.tier).where(Organisation.id == organisation_id)) or "bronze"
    created = []
    if rules.product(product) is not None:
        percent = rules.rate(product, tier)
        if insert_ignore(CommissionLine, organisation_id=organisation_id, deal_id=deal_id, rule=RULE_COMMISSION,
                         source_key=f"commission:deal:{deal_id}", tier=tier, product=product,
                         base_kopecks=amount, percent=percent, amount_kopecks=percent_of(amount, percent),
                         status=OWED, created_at=now):
            created.append(RULE_COMMISSION)
    # One SPIFF per organisation: the key names the organisation, not the deal, so two first
    # deals won at the same moment cannot both carry one.
    if rules.spiff_first_deal_kopecks and insert_ignore(
            CommissionLine, organisation_id=organisation_id, deal_id=deal_id, rule=RULE_SPIFF,
            source_key=f"spiff:org:{organisation_id}", tier=tier, product=product, base_kopecks=0,
            percent=None, amount_kopecks=rules.spiff_first_deal_kopecks, status=OWED, created_at=now):
        created.append(RULE_SPIFF)
    return created


def retro_step(revenue_kopecks: int):
    """The highest retro-bonus step reached by a quarter's revenue, or None."""
    reached = None
    for step in program_rules.current().retro_bonuses:
        if revenue_kopecks >= step.min_quarter_revenue_kopecks:
            reached = step
    return reached


def closed_quarters(today: date, since: date | None = None) -> list[str]:
    """Quarter keys (YYYY-Qn) that ended before `today`, newest first, back to `since`."""
    out = []
    year, quarter = today.year, (today.month - 1) // 3 + 1
    while True:
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        first, _last = quarter_bounds(year, quarter)
        if since is not None and _last < since:
            break
        out.append(f"{year}-Q{quarter}")
        if since is None and len(out) >= 8:
            break
    return out


def compute_retro_bonuses(now: datetime | None = None, quarters: list[str] | None = None) -> int:
    """Retro-bonus lines for closed quarters (program time zone), from the quarter aggregates.

    Idempotent: one line per organisation and quarter. A late deal closing in a past quarter
    updates a line still owed; an approved or paid line is never changed behind the manager's back.
    Returns the number of lines created or updated. The caller commits.
    """
    now = now or utcnow()
    steps = program_rules.current().retro_bonuses
    if not steps:
        return 0
    quarters = quarters or closed_quarters(program_date(now))
    lowest = steps[0].min_quarter_revenue_kopecks
    rows = db.session.execute(
        select(PeriodStat.organisation_id, PeriodStat.period, PeriodStat.revenue_kopecks)
        .where(PeriodStat.period.in_(quarters), PeriodStat.revenue_kopecks >= lowest)).all()
    existing = {(line.organisation_id, line.period): line for line in db.session.scalars(
        select(CommissionLine).where(CommissionLine.rule == RULE_RETRO, CommissionLine.period.in_(quarters)))}
    changed, new = 0, []
    for org_id, period, revenue in sorted(rows):
        step = retro_step(revenue)
        amount = percent_of(revenue, step.percent)
        line = existing.get((org_id, period))
        if line is None:
            new.append(dict(organisation_id=org_id, deal_id=None, rule=RULE_RETRO,
                            source_key=f"retro:org:{org_id}:{period}", tier=None, product=None, period=period,
                            base_kopecks=revenue, percent=step.percent, amount_kopecks=amount, status=OWED,
                            created_at=now))
        elif line.status == OWED and (line.amount_kopecks != amount or line.base_kopecks != revenue):
            line.base_kopecks, line.percent, line.amount_kopecks = revenue, step.percent, amount
            changed += 1
    return changed + insert_many_ignore(CommissionLine, new)


# --- the statement ------------------------------------------------------------------------------

@dataclass
class Statement:
    organisation: Organisation
    lines: list[CommissionLine]
    totals: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def totals_for(organisation_id: int) -> dict[str, int]:
    totals = {status: 0 for status in LINE_STATUSES}
    for status, amount in db.session.execute(
            select(CommissionLine.status, func.sum(CommissionLine.amount_kopecks))
            .where(CommissionLine.organisation_id == organisation_id).group_by(CommissionLine.status)):
        totals[status] = int(amount or 0)
    return totals


def statement(organisation: Organisation, status: str | None = None) -> Statement:
    query = select(CommissionLine).where(CommissionLine.organisation_id == organisation.id)
    if status in LINE_STATUSES:
        query = query.where(CommissionLine.status == status)
    lines = list(db.session.scalars(query.order_by(CommissionLine.created_at.desc(), CommissionLine.id.desc())))
    return Statement(organisation, lines, totals_for(organisation.id))


def rule_label(line: CommissionLine) -> str:
    rules = program_rules.current()
    if line.rule == RULE_COMMISSION:
        product = rules.product(line.product or "")
        tier = rules.tier(line.tier or "")
        return _("Commission %(percent)s %% on %(product)s at tier %(tier)s",
                 percent=_percent(line.percent), product=str(product.name) if product else line.product,
                 tier=str(tier.name) if tier else line.tier)
    if line.rule == RULE_SPIFF:
        return _("SPIFF for the organisation's first won deal")
    return _("Retro-bonus %(percent)s %% on the won revenue of %(period)s",
             percent=_percent(line.percent), period=line.period)


def _percent(value) -> str:
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


def status_label(status: str) -> str:
    return {OWED: _("owed"), APPROVED: _("approved"), PAID: _("paid")}.get(status, status)


def export_csv(organisation: Organisation) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["line", "created_at", "rule", "description", "deal_id", "period", "tier", "product",
                     "base_rub", "percent", "amount_rub", "status", "approved_at", "paid_at"])
    for line in statement(organisation).lines:
        writer.writerow([line.id, line.created_at.isoformat(), line.rule, rule_label(line), line.deal_id or "",
                         line.period or "", line.tier or "", line.product or "", _rub(line.base_kopecks),
                         _percent(line.percent), _rub(line.amount_kopecks), line.status,
                         line.approved_at.isoformat() if line.approved_at else "",
                         line.paid_at.isoformat() if line.paid_at else ""])
    return buffer.getvalue()


def _rub(kopecks: int) -> str:
    return f"{Decimal(kopecks) / 100:.2f}"


# --- the workflow (manager) ---------------------------------------------------------------------

def set_status(line_ids: list[int], new: str, actor, organisation_id: int, now: datetime | None = None) -> int:
    """Approve owed lines or mark approved lines paid, for one organisation. The UPDATE names the
    expected old status, so two managers pressing at once change each line once. The caller runs
    this inside write_intent() and commits."""
    if not actor.is_manager:
        raise CommissionError(_("You are not allowed to do this."))
    now = now or utcnow()
    old = {APPROVED: OWED, PAID: APPROVED}.get(new)
    if old is None:
        raise CommissionError(_("Unknown action."))
    values = ({"status": APPROVED, "approved_at": now, "approved_by_id": actor.id} if new == APPROVED
              else {"status": PAID, "paid_at": now, "paid_by_id": actor.id})
    ids = list(db.session.scalars(
        update(CommissionLine).where(CommissionLine.id.in_(line_ids), CommissionLine.status == old,
                                     CommissionLine.organisation_id == organisation_id)
        .values(**values).returning(CommissionLine.id)))
    for line_id in ids:
        audit("commission_line", line_id, new, actor=actor, organisation_id=organisation_id)
    if not ids:
        raise CommissionError(_("Nothing to change: these lines are no longer %(status)s.",
                                status=status_label(old)))
    return len(ids)


def manager_overview() -> list[tuple[Organisation, dict[str, int]]]:
    """Organisations with commission lines and their totals per status (two queries)."""
    totals: dict[int, dict[str, int]] = {}
    for org_id, status, amount in db.session.execute(
            select(CommissionLine.organisation_id, CommissionLine.status, func.sum(CommissionLine.amount_kopecks))
            .group_by(CommissionLine.organisation_id, CommissionLine.status)):
        totals.setdefault(org_id, {s: 0 for s in LINE_STATUSES})[status] = int(amount or 0)
    if not totals:
        return []
    orgs = db.session.scalars(select(Organisation).where(Organisation.id.in_(totals)).order_by(Organisation.name))
    return [(org, totals[org.id]) for org in orgs]
