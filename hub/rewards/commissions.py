"""Commissions (D5): lines created when a deal is won, SPIFF, the quarterly retro-bonus, the
statement and its workflow (owed -> approved -> paid), and `repair` for lines that are missing.

Arithmetic: hub/program/commission.py, the function the public earnings calculator uses too
(amounts in integer kopecks, Decimal percent from content/program.yml, half-up to the kopeck).

Honesty rules:
- a deal's line is priced at the tier the organisation held on the won date (the tier history,
  overrides included: tiers.won_moment), never at the tier it holds when the line is written;
- a line keeps the tier, percent and amount it was written with: a later change of the rules or
  of the tier never rewrites it (only a retro-bonus line still owed follows late deals of its
  quarter, as before).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from .. import csvexport, signals
from ..accounts.models import Organisation
from ..core.services import audit
from ..database import utcnow
from ..extensions import db
from ..program import commission as arithmetic
from ..program import rules as program_rules
from . import terms
from .models import (APPROVED, LINE_STATUSES, OWED, PAID, RULE_COMMISSION, RULE_PLAN, RULE_REFERRAL, RULE_RETRO,
                     RULE_SPIFF, CommissionLine, PeriodStat, Term, WonDeal)
from ..upsert import dialect_insert
from .services import insert_many_ignore, program_date, quarter_bounds
from .tiers import TierHistory


class CommissionError(Exception):
    """A change that is not allowed now (message translated for the user)."""


percent_of = arithmetic.percent_of


@dataclass(frozen=True)
class Written:
    """A line this call wrote (a replay writes none)."""
    deal_id: int
    organisation_id: int
    rule: str
    tier: str | None
    amount_kopecks: int


def lines_for_won_deal(deal_id: int, organisation_id: int, product: str, amount: int,
                       now: datetime | None = None) -> list[str]:
    """Create the commission line (and the SPIFF when this is the organisation's first won deal)
    inside the caller's transaction, from rewards' record of the win (WonDeal, written just before
    by record_won_deal): the rate is the one of the tier held on the won date. Returns the rules
    of the lines created (empty on a replay). `product` and `amount` are what the caller was told;
    the WonDeal row, written from the same values, is what the lines are priced from."""
    won = db.session.scalar(select(WonDeal).where(WonDeal.deal_id == deal_id))
    if won is None:
        raise LookupError(f"deal {deal_id} is not recorded as won")
    tier = TierHistory([organisation_id]).on_won_date(organisation_id, won.closed_on, won.recorded_at)
    term = terms.rate_term_for(terms.rate_terms([won.organisation_id]), won.organisation_id, won.product,
                               won.closed_on)
    rows = _line_rows(won.deal_id, won.organisation_id, won.product, won.amount_kopecks, tier, now or utcnow(),
                      term=term)
    inserted = _insert_lines(rows)
    return [row["rule"] for row in rows if row["source_key"] in inserted]


def _line_rows(deal_id: int, org_id: int, product: str, amount: int, tier: str, now: datetime,
               spiff: bool = True, term=None) -> list[dict]:
    """The lines a won deal brings, as rows; which of them are new is the database's call.
    `term`: the organisation's active individual rate for the product on the won date (R5), which
    replaces the tier's rate; the line still records the tier held."""
    rules = program_rules.current()
    rows = []
    if term is not None and rules.product(product) is not None:
        percent = term.percent
        rows.append(dict(organisation_id=org_id, deal_id=deal_id, rule=RULE_COMMISSION,
                         source_key=f"commission:deal:{deal_id}", tier=tier, product=product, period=None,
                         base_kopecks=amount, percent=percent, amount_kopecks=percent_of(amount, percent),
                         status=OWED, created_at=now, term_id=term.id))
    elif rules.product(product) is not None and rules.tier(tier) is not None:
        line = arithmetic.commission(rules, product, tier, amount)
        rows.append(dict(organisation_id=org_id, deal_id=deal_id, rule=RULE_COMMISSION,
                         source_key=f"commission:deal:{deal_id}", tier=tier, product=product, period=None,
                         base_kopecks=amount, percent=line.percent, amount_kopecks=line.amount_kopecks,
                         status=OWED, created_at=now, term_id=None))
    # One SPIFF per organisation: the key names the organisation, not the deal, so two first
    # deals won at the same moment cannot both carry one.
    if spiff and rules.spiff_first_deal_kopecks:
        rows.append(dict(organisation_id=org_id, deal_id=deal_id, rule=RULE_SPIFF, source_key=f"spiff:org:{org_id}",
                         tier=tier, product=product, period=None, base_kopecks=0, percent=None,
                         amount_kopecks=rules.spiff_first_deal_kopecks, status=OWED, created_at=now, term_id=None))
    return rows


def _insert_lines(rows: list[dict], chunk: int = 500) -> set[str]:
    """INSERT ... ON CONFLICT DO NOTHING; the source keys of the rows that went in."""
    inserted: set[str] = set()
    for start in range(0, len(rows), chunk):
        stmt = (dialect_insert(CommissionLine).values(rows[start:start + chunk]).on_conflict_do_nothing()
                .returning(CommissionLine.source_key))
        inserted.update(db.session.scalars(stmt))
    return inserted


@dataclass(frozen=True)
class Written:
    """A line `repair` wrote."""
    deal_id: int
    organisation_id: int
    rule: str
    tier: str | None
    amount_kopecks: int


def repair(now: datetime | None = None) -> list[Written]:
    """Write the lines missing for won deals rewards has recorded (a listener that failed half-way,
    a line deleted by hand), priced exactly as they would have been then. Idempotent: every line
    has its unique key, and lines that exist are never touched. Deals are taken in the order they
    were won, so a missing SPIFF goes to the organisation's first won deal. The caller commits."""
    now = now or utcnow()
    rules = program_rules.current()
    has_line = select(CommissionLine.id).where(CommissionLine.deal_id == WonDeal.deal_id,
                                               CommissionLine.rule == RULE_COMMISSION).exists()
    missing = ~has_line
    if rules.spiff_first_deal_kopecks:
        has_spiff = select(CommissionLine.id).where(CommissionLine.organisation_id == WonDeal.organisation_id,
                                                    CommissionLine.rule == RULE_SPIFF).exists()
        missing = missing | ~has_spiff
    wins = db.session.execute(
        select(WonDeal.deal_id, WonDeal.organisation_id, WonDeal.product, WonDeal.amount_kopecks,
               WonDeal.closed_on, WonDeal.recorded_at)
        .where(missing).order_by(WonDeal.closed_on, WonDeal.recorded_at, WonDeal.id)).all()
    history = TierHistory([win.organisation_id for win in wins])
    own_rates = terms.rate_terms([win.organisation_id for win in wins])
    rows, spiff_offered = [], set()
    for deal_id, org_id, product, amount, closed_on, recorded_at in wins:
        tier = history.on_won_date(org_id, closed_on, recorded_at)
        rows += _line_rows(deal_id, org_id, product, amount, tier, now, spiff=org_id not in spiff_offered,
                           term=terms.rate_term_for(own_rates, org_id, product, closed_on))
        spiff_offered.add(org_id)
    inserted = _insert_lines(rows)
    return [Written(row["deal_id"], row["organisation_id"], row["rule"], row["tier"], row["amount_kopecks"])
            for row in rows if row["source_key"] in inserted]


def line_for_referral(referral_id: int, organisation_id: int, won_kopecks: int, fee_kopecks: int, basis: str,
                      at: datetime) -> bool:
    """D10: the referral fee as a line of the referring organisation's statement, once per referral
    (source key referral:<id>), inside the caller's transaction. The fee and its basis ("5%" or
    "fixed:<tier>") are the ones the leads feature computed from the rules when the customer bought.
    The line has no deal: it is no sales deal's commission and the statement lists it apart."""
    percent = None
    tier = None
    if basis.endswith("%"):
        try:
            percent = Decimal(basis[:-1])
        except ArithmeticError:
            percent = None
    elif basis.startswith("fixed:"):
        tier = basis.split(":", 1)[1] or None
    inserted = _insert_lines([dict(organisation_id=organisation_id, deal_id=None, rule=RULE_REFERRAL,
                                   source_key=f"referral:{referral_id}", tier=tier, product=None, period=None,
                                   base_kopecks=won_kopecks, percent=percent, amount_kopecks=fee_kopecks,
                                   status=OWED, created_at=at, term_id=None)])
    return bool(inserted)


def referral_id_of(line: CommissionLine) -> int | None:
    if line.rule != RULE_REFERRAL:
        return None
    key = line.source_key.split(":", 1)[1]
    return int(key) if key.isdigit() else None


def retro_step(revenue_kopecks: int):
    """The highest retro-bonus step reached by a quarter's revenue, or None."""
    return arithmetic.retro_step(program_rules.current(), revenue_kopecks)


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


def compute_retro_bonuses(now: datetime | None = None, quarters: list[str] | None = None,
                          org_ids: list[int] | None = None) -> int:
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
    if org_ids is not None and not org_ids:
        return 0
    stats = (select(PeriodStat.organisation_id, PeriodStat.period, PeriodStat.revenue_kopecks)
             .where(PeriodStat.period.in_(quarters), PeriodStat.revenue_kopecks >= lowest))
    lines = select(CommissionLine).where(CommissionLine.rule == RULE_RETRO, CommissionLine.period.in_(quarters))
    if org_ids is not None:  # only these organisations' quarters can have changed (the tick knows)
        stats = stats.where(PeriodStat.organisation_id.in_(list(org_ids)))
        lines = lines.where(CommissionLine.organisation_id.in_(list(org_ids)))
    rows = db.session.execute(stats).all()
    existing = {(line.organisation_id, line.period): line for line in db.session.scalars(lines)}
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
    lines: list[CommissionLine]      # what sales deals brought (commission, SPIFF, retro-bonus, plan)
    totals: dict[str, int]
    won_on: dict[int, date]  # line id -> the won date of its deal (deal lines only)
    terms: dict[int, Term]   # term id -> the individual term a line was priced by (R5)
    referral_lines: list[CommissionLine] = None  # D10: referral fees, listed and totalled apart
    referral_totals: dict[str, int] = None

    def applied(self, line: CommissionLine) -> str:
        """Which term priced the line (the statement's "Term applied" column)."""
        return terms.applied(line, self.terms.get(line.term_id), tier_name(line) if line.tier else "")

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def totals_for(organisation_id: int, referral: bool = False) -> dict[str, int]:
    """Totals per status of the sales lines, or (referral=True) of the referral fees: never summed together."""
    totals = {status: 0 for status in LINE_STATUSES}
    kind = CommissionLine.rule == RULE_REFERRAL if referral else CommissionLine.rule != RULE_REFERRAL
    for status, amount in db.session.execute(
            select(CommissionLine.status, func.sum(CommissionLine.amount_kopecks))
            .where(CommissionLine.organisation_id == organisation_id, kind).group_by(CommissionLine.status)):
        totals[status] = int(amount or 0)
    return totals


def _both_totals(organisation_id: int) -> tuple[dict[str, int], dict[str, int]]:
    sales, referral = ({status: 0 for status in LINE_STATUSES} for _ in range(2))
    for rule, status, amount in db.session.execute(
            select(CommissionLine.rule, CommissionLine.status, func.sum(CommissionLine.amount_kopecks))
            .where(CommissionLine.organisation_id == organisation_id)
            .group_by(CommissionLine.rule, CommissionLine.status)):
        (referral if rule == RULE_REFERRAL else sales)[status] += int(amount or 0)
    return sales, referral


def statement(organisation: Organisation, status: str | None = None) -> Statement:
    """The organisation's lines, newest first, each with its deal's won date and the individual
    term that priced it; the referral fees apart (three queries, four when there are referral fees)."""
    query = (select(CommissionLine, WonDeal.closed_on)
             .outerjoin(WonDeal, WonDeal.deal_id == CommissionLine.deal_id)
             .where(CommissionLine.organisation_id == organisation.id, CommissionLine.rule != RULE_REFERRAL))
    if status in LINE_STATUSES:
        query = query.where(CommissionLine.status == status)
    rows = db.session.execute(query.order_by(CommissionLine.created_at.desc(), CommissionLine.id.desc())).all()
    term_ids = {line.term_id for line, _won in rows if line.term_id is not None}
    used = {t.id: t for t in db.session.scalars(select(Term).where(Term.id.in_(term_ids)))} if term_ids else {}
    sales, referral = _both_totals(organisation.id)
    # The referral fees are listed whole (the status filter is the sales lines'), in their own query.
    referral_lines = list(db.session.scalars(
        select(CommissionLine).where(CommissionLine.organisation_id == organisation.id,
                                     CommissionLine.rule == RULE_REFERRAL)
        .order_by(CommissionLine.created_at.desc(), CommissionLine.id.desc()))) if any(referral.values()) else []
    return Statement(organisation, [line for line, _won in rows if line.rule != RULE_REFERRAL], sales,
                     {line.id: won for line, won in rows if won is not None}, used, referral_lines, referral)


def _names(line: CommissionLine) -> tuple[str, str]:
    rules = program_rules.current()
    product = rules.product(line.product or "")
    tier = rules.tier(line.tier or "")
    return (str(product.name) if product else (line.product or ""),
            str(tier.name) if tier else (line.tier or ""))


def rule_name(line: CommissionLine) -> str:
    """The rule a line follows, short (the statement's "Rule" column; tier and rate have their own)."""
    product, _tier = _names(line)
    if line.rule == RULE_COMMISSION:
        return _("Commission on %(product)s", product=product)
    if line.rule == RULE_SPIFF:
        return _("SPIFF for the organisation's first won deal")
    if line.rule == RULE_PLAN:
        return _("Bonus for the quarterly plan reached in %(period)s", period=line.period)
    if line.rule == RULE_REFERRAL:
        return _("Referral fee: recommended customer #%(id)s bought", id=referral_id_of(line) or "?")
    return _("Retro-bonus on the won revenue of %(period)s", period=line.period)


def rule_label(line: CommissionLine) -> str:
    """The whole rule in one sentence (CSV description, audit)."""
    product, tier = _names(line)
    if line.rule == RULE_COMMISSION and line.term_id is not None:
        return _("Commission %(percent)s %% on %(product)s at the organisation's individual rate",
                 percent=_percent(line.percent), product=product)
    if line.rule == RULE_COMMISSION:
        return _("Commission %(percent)s %% on %(product)s at tier %(tier)s",
                 percent=_percent(line.percent), product=product, tier=tier)
    if line.rule == RULE_SPIFF:
        return _("SPIFF for the organisation's first won deal")
    if line.rule == RULE_PLAN:
        if line.percent is not None:
            return _("Bonus %(percent)s %% of the won revenue of %(period)s: the quarterly plan reached",
                     percent=_percent(line.percent), period=line.period)
        return _("Bonus for the quarterly plan reached in %(period)s", period=line.period)
    if line.rule == RULE_REFERRAL:
        from ..i18n import money
        if line.percent is not None:
            return _("Referral fee %(percent)s %% of %(amount)s the recommended customer bought for",
                     percent=_percent(line.percent), amount=money(line.base_kopecks))
        return _("Referral fee fixed for tier %(tier)s", tier=tier or "—")
    return _("Retro-bonus %(percent)s %% on the won revenue of %(period)s",
             percent=_percent(line.percent), period=line.period)


def tier_name(line: CommissionLine) -> str:
    return _names(line)[1]


def _percent(value) -> str:
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


def status_label(status: str) -> str:
    return {OWED: _("owed"), APPROVED: _("approved"), PAID: _("paid")}.get(status, status)


def export_headers() -> list[str]:
    return [_("Line"), _("Won on"), _("Period"), _("Rule"), _("Description"), _("Deal"), _("Tier"),
            _("Product"), _("Base, RUB"), _("Rate, %"), _("Amount, RUB"), _("Status"), _("Recorded on"),
            _("Approved on"), _("Paid on")]


def export_rows(organisation: Organisation):
    """The statement's lines as the CSV export writes them (hub/csvexport.py formats the cells)."""
    report = statement(organisation)
    for line in report.lines + report.referral_lines:
        product, tier = _names(line)
        yield [line.id, report.won_on.get(line.id), line.period, rule_name(line), rule_label(line),
               line.deal_id, tier or None, product or None, csvexport.Roubles(line.base_kopecks),
               Decimal(line.percent) if line.percent is not None else None, csvexport.Roubles(line.amount_kopecks),
               status_label(line.status), line.created_at, line.approved_at, line.paid_at]


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
    changed = db.session.execute(
        update(CommissionLine).where(CommissionLine.id.in_(line_ids), CommissionLine.status == old,
                                     CommissionLine.organisation_id == organisation_id)
        .values(**values).returning(CommissionLine.id, CommissionLine.source_key, CommissionLine.amount_kopecks)).all()
    ids = [line_id for line_id, _key, _amount in changed]
    for line_id, key, amount in changed:
        audit("commission_line", line_id, new, actor=actor, organisation_id=organisation_id)
        if new == PAID:
            signals.commission_line_paid.emit(line_id=line_id, organisation_id=organisation_id, source_key=key or "",
                                              amount_kopecks=int(amount), paid_at=now, actor_id=actor.id)
    if not ids:
        raise CommissionError(_("Nothing to change: these lines are no longer %(status)s.",
                                status=status_label(old)))
    return len(ids)


def manager_overview() -> list[tuple[Organisation, dict[str, int]]]:
    """Organisations with commission lines and their totals per status of the sales lines, plus
    `referral_owed` / `referral_settled` for the referral fees, kept apart (two queries)."""
    totals: dict[int, dict[str, int]] = {}
    for org_id, rule, status, amount in db.session.execute(
            select(CommissionLine.organisation_id, CommissionLine.rule, CommissionLine.status,
                   func.sum(CommissionLine.amount_kopecks))
            .group_by(CommissionLine.organisation_id, CommissionLine.rule, CommissionLine.status)):
        row = totals.setdefault(org_id, {**{s: 0 for s in LINE_STATUSES}, "referral_owed": 0, "referral_settled": 0})
        if rule == RULE_REFERRAL:
            row["referral_owed" if status != PAID else "referral_settled"] += int(amount or 0)
        else:
            row[status] += int(amount or 0)
    if not totals:
        return []
    orgs = db.session.scalars(select(Organisation).where(Organisation.id.in_(totals)).order_by(Organisation.name))
    return [(org, totals[org.id]) for org in orgs]
