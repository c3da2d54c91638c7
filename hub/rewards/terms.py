"""Individual conditions (R5): a key partner's own commission rate per product, or a quarterly plan
with a bonus when it is reached, granted by a manager with validity dates and a reason.

Rules:
- terms above the thresholds of `individual_terms` in program.yml (a rate more than N points above
  the tier's, a bonus above X RUB or Y %) wait for a second, different manager; until then they
  do not apply. Every grant, approval and revocation is audited.
- a rate applies to the organisation's deals of its product won (program-time won date) within the
  validity window, instead of the tier's rate; the line records the term (`term_id`) and keeps the
  percent it was written with (hub/rewards/commissions.py honesty rules).
- a plan applies to every quarter overlapping its window: when the revenue of the organisation's
  deals won in that quarter (and in the window) reaches the target, one bonus line per plan and
  quarter (unique source key `plan:<term>:<quarter>`). A percent bonus still owed follows late
  deals of its quarter; an approved or paid line never changes.
- two terms of the same kind (and product) never overlap in time for one organisation.

Nothing here touches `request`; the callers run writes inside write_intent() and commit.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..accounts.models import PARTNER, PARTNER_ADMIN, VENDOR_ROLES, Organisation, User
from ..core import notifications
from ..core.services import audit
from ..database import utcnow
from ..extensions import db
from ..i18n import fmt_date, locale_code, money
from ..program import commission as arithmetic
from ..program import rules as program_rules
from .models import (OWED, RULE_PLAN, TERM_ACTIVE, TERM_PENDING, TERM_PLAN, TERM_RATE, TERM_REVOKED,
                     CommissionLine, Term, WonDeal)
from .services import insert_ignore, program_date, quarter_bounds, quarter_of

MAX_REASON = 1000
LIVE = (TERM_PENDING, TERM_ACTIVE)


class TermError(Exception):
    """A term that cannot be granted, approved or revoked; `field` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- reading percentages ------------------------------------------------------------------------

def parse_percent(text: str | None) -> Decimal | None:
    """A percent as people type it ("18", "18.5", "18,5") -> Decimal with at most 3 decimals, or
    None when it is not one (letters, signs, exponents, NaN, "1e5")."""
    value = (text or "").strip().replace("\u00a0", "").replace(" ", "").rstrip("%").strip().replace(",", ".")
    if not value or not all(c.isdigit() or c == "." for c in value) or value.count(".") > 1 \
            or not value.isascii() or value.startswith(".") or value.endswith(".") or len(value) > 12:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if number != number.quantize(Decimal("0.001")):
        return None
    return number


def percent_text(value: Decimal | int | None) -> str:
    """«18,5 %» / "18.5%" in the current locale, up to three decimals."""
    if value is None:
        return ""
    number = format_decimal(Decimal(value), format="#,##0.###", locale=locale_code())
    return f"{number}\u00a0%" if locale_code().startswith("ru") else f"{number}%"


# --- granting -----------------------------------------------------------------------------------

def _settings():
    return program_rules.current().individual_terms


def _check_actor(actor) -> None:
    if actor is None or not getattr(actor, "is_manager", False):
        raise TermError(_("Only the vendor's managers may grant individual terms."))


def _lock_organisation(org_id: int) -> Organisation:
    """The organisation row, locked on PostgreSQL: two grants for one organisation queue here, so
    the overlap check cannot race (SQLite: write_intent serialises writers)."""
    org = db.session.scalar(select(Organisation).where(Organisation.id == org_id).with_for_update())
    if org is None or org.kind != PARTNER:
        raise LookupError(org_id)
    return org


def _check_window(valid_from: date | None, valid_to: date | None, now: datetime) -> None:
    if valid_from is None:
        raise TermError(_("Enter the first day the term applies."), "valid_from")
    if valid_to is None:
        raise TermError(_("Enter the last day the term applies."), "valid_to")
    if valid_to < valid_from:
        raise TermError(_("The last day must not be before the first day."), "valid_to")
    if valid_to < program_date(now):
        raise TermError(_("The term would already be over: the last day is in the past."), "valid_to")


def _check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise TermError(_("Give the reason for the individual term."), "reason")
    if len(reason) > MAX_REASON:
        raise TermError(_("The reason is too long (at most %(num)s characters).", num=MAX_REASON), "reason")
    return reason


def _check_percent(value, field: str, zero_ok: bool) -> Decimal:
    if value is None:
        raise TermError(_("Enter a percentage, for example 18 or 18.5."), field)
    value = Decimal(value)
    if not value.is_finite() or value < 0 or value > 100 or (value == 0 and not zero_ok):
        raise TermError(_("Enter a percentage between %(low)s and 100.", low="0" if zero_ok else "0.001"), field)
    if value != value.quantize(Decimal("0.001")):
        raise TermError(_("Use at most three decimals."), field)
    return value


def _overlapping(org_id: int, kind: str, valid_from: date, valid_to: date, product: str | None) -> Term | None:
    query = select(Term).where(Term.organisation_id == org_id, Term.kind == kind, Term.status.in_(LIVE),
                               Term.valid_from <= valid_to, Term.valid_to >= valid_from)
    if product is not None:
        query = query.where(Term.product == product)
    return db.session.scalars(query.order_by(Term.valid_from).limit(1)).first()


def _overlap_error(other: Term) -> TermError:
    return TermError(_("This overlaps term #%(id)s (%(start)s – %(end)s): revoke it first or choose other dates.",
                       id=other.id, start=fmt_date(other.valid_from), end=fmt_date(other.valid_to)), "valid_from")


def grant_rate(org_id: int, product: str, percent, valid_from: date, valid_to: date, reason: str, actor,
               now: datetime | None = None) -> Term:
    """A manager grants the organisation its own rate for a product."""
    now = now or utcnow()
    _check_actor(actor)
    org = _lock_organisation(org_id)
    rules = program_rules.current()
    if rules.product(product or "") is None:
        raise TermError(_("Choose a product from the list."), "product")
    percent = _check_percent(percent, "percent", zero_ok=True)
    _check_window(valid_from, valid_to, now)
    reason = _check_reason(reason)
    other = _overlapping(org.id, TERM_RATE, valid_from, valid_to, product)
    if other is not None:
        raise _overlap_error(other)
    tier_rate = rules.rate(product, org.tier) if rules.tier(org.tier or "") else Decimal(0)
    needs_second = percent - tier_rate > _settings().second_approval_rate_points
    term = Term(organisation_id=org.id, kind=TERM_RATE, product=product, percent=percent, valid_from=valid_from,
                valid_to=valid_to, reason=reason, granted_by_id=actor.id, granted_at=now)
    return _grant(term, needs_second, actor, now, tier=org.tier, tier_percent=str(tier_rate))


def grant_plan(org_id: int, target_kopecks: int | None, bonus_kopecks: int | None, bonus_percent,
               valid_from: date, valid_to: date, reason: str, actor, now: datetime | None = None) -> Term:
    """A manager sets the organisation a quarterly plan with a bonus (fixed, or a percent of the
    quarter's revenue) when it is reached."""
    now = now or utcnow()
    _check_actor(actor)
    org = _lock_organisation(org_id)
    if target_kopecks is None or target_kopecks <= 0:
        raise TermError(_("Enter a quarterly target above zero."), "target")
    if (bonus_kopecks is None) == (bonus_percent is None):
        raise TermError(_("Enter the bonus either in roubles or as a percentage, not both."), "bonus")
    if bonus_kopecks is not None and bonus_kopecks <= 0:
        raise TermError(_("Enter a bonus above zero."), "bonus")
    if bonus_percent is not None:
        bonus_percent = _check_percent(bonus_percent, "bonus_percent", zero_ok=False)
    _check_window(valid_from, valid_to, now)
    reason = _check_reason(reason)
    other = _overlapping(org.id, TERM_PLAN, valid_from, valid_to, None)
    if other is not None:
        raise _overlap_error(other)
    settings = _settings()
    needs_second = (bonus_kopecks is not None and bonus_kopecks > settings.second_approval_bonus_kopecks) or \
        (bonus_percent is not None and bonus_percent > settings.second_approval_bonus_percent)
    term = Term(organisation_id=org.id, kind=TERM_PLAN, target_kopecks=target_kopecks, bonus_kopecks=bonus_kopecks,
                bonus_percent=bonus_percent, valid_from=valid_from, valid_to=valid_to, reason=reason,
                granted_by_id=actor.id, granted_at=now)
    return _grant(term, needs_second, actor, now)


def _grant(term: Term, needs_second: bool, actor, now: datetime, **details) -> Term:
    term.needs_second_approval = needs_second
    if needs_second:
        term.status = TERM_PENDING
    else:
        term.status, term.approved_by_id, term.approved_at = TERM_ACTIVE, actor.id, now
    db.session.add(term)
    db.session.flush()
    audit("reward_term", term.id, "granted", actor=actor, organisation_id=term.organisation_id, kind=term.kind,
          product=term.product, percent=_str(term.percent), target_kopecks=term.target_kopecks,
          bonus_kopecks=term.bonus_kopecks, bonus_percent=_str(term.bonus_percent),
          valid_from=term.valid_from.isoformat(), valid_to=term.valid_to.isoformat(), reason=term.reason,
          status=term.status, **details)
    if term.status == TERM_ACTIVE:
        _applies(term, now)
    else:
        _awaiting(term, actor, now)
    return term


def _applies(term: Term, now: datetime) -> None:
    """An active term: the plan's current quarter is checked, the organisation's admins are told."""
    if term.kind == TERM_PLAN:
        evaluate_plans(term.organisation_id, program_date(now), now)
    admins = db.session.scalars(select(User).where(User.organisation_id == term.organisation_id,
                                                   User.role == PARTNER_ADMIN, User.is_active_user)).all()
    notifications.send(admins, "rewards.term_applies", obj=term, link_endpoint="rewards.terms_page",
                       link_values={"org_id": term.organisation_id}, now=now)


def _awaiting(term: Term, granter, now: datetime) -> None:
    org = db.session.get(Organisation, term.organisation_id)
    managers = db.session.scalars(select(User).where(User.role.in_(VENDOR_ROLES), User.id != granter.id,
                                                     User.is_active_user)).all()
    notifications.send(managers, "rewards.term_awaiting", obj=term, params={"org": org.name},
                       link_endpoint="rewards.terms_page", link_values={"org_id": term.organisation_id}, now=now)


def _str(value) -> str | None:
    return None if value is None else str(value)


def term_of(org_id: int, term_id: int | None) -> Term | None:
    """The organisation's term (None when the id names another organisation's or none)."""
    if term_id is None:
        return None
    return db.session.scalar(select(Term).where(Term.id == term_id, Term.organisation_id == org_id))


def approve(org_id: int, term_id: int, actor, now: datetime | None = None) -> Term:
    """The second approval: a different manager than the one who granted it. The UPDATE names the
    pending status and excludes the granter, so two approvals at once approve it once."""
    now = now or utcnow()
    _check_actor(actor)
    term = term_of(org_id, term_id)
    if term is None:
        raise LookupError(term_id)
    if term.granted_by_id == actor.id:
        raise TermError(_("A second, different manager must approve this term: you granted it."))
    done = db.session.scalar(
        update(Term).where(Term.id == term.id, Term.status == TERM_PENDING,
                           Term.granted_by_id.is_distinct_from(actor.id))
        .values(status=TERM_ACTIVE, approved_by_id=actor.id, approved_at=now).returning(Term.id))
    if done is None:
        raise TermError(_("This term is no longer waiting for an approval."))
    db.session.refresh(term)
    audit("reward_term", term.id, "approved", actor=actor, organisation_id=org_id)
    _applies(term, now)
    return term


def revoke(org_id: int, term_id: int, actor, reason: str | None, now: datetime | None = None) -> Term:
    """End a term (pending or active): it applies to no line written from now on; the lines it
    priced keep their amounts."""
    now = now or utcnow()
    _check_actor(actor)
    term = term_of(org_id, term_id)
    if term is None:
        raise LookupError(term_id)
    reason = _check_reason(reason)
    done = db.session.scalar(
        update(Term).where(Term.id == term.id, Term.status.in_(LIVE))
        .values(status=TERM_REVOKED, revoked_by_id=actor.id, revoked_at=now, revoke_reason=reason)
        .returning(Term.id))
    if done is None:
        raise TermError(_("This term is already revoked."))
    db.session.refresh(term)
    audit("reward_term", term.id, "revoked", actor=actor, organisation_id=org_id, reason=reason)
    return term


# --- reading ------------------------------------------------------------------------------------

def terms_of(org_id: int) -> list[Term]:
    """The organisation's terms, live ones first, newest first (one query)."""
    live_first = Term.status == TERM_REVOKED
    return list(db.session.scalars(select(Term).where(Term.organisation_id == org_id)
                                   .order_by(live_first, Term.valid_from.desc(), Term.id.desc())))


def pending_approvals(limit: int = 50) -> list[tuple[Term, Organisation]]:
    """Terms waiting for a second approval, every organisation (the managers' overview; one query)."""
    return list(db.session.execute(
        select(Term, Organisation).join(Organisation, Organisation.id == Term.organisation_id)
        .where(Term.status == TERM_PENDING).order_by(Term.granted_at, Term.id).limit(limit)).all())


def rate_terms(org_ids: list[int]) -> dict[tuple[int, str], list[Term]]:
    """The active rate terms of these organisations by (organisation, product) (one query)."""
    out: dict[tuple[int, str], list[Term]] = {}
    if not org_ids:
        return out
    for term in db.session.scalars(select(Term).where(Term.organisation_id.in_(sorted(set(org_ids))),
                                                      Term.kind == TERM_RATE, Term.status == TERM_ACTIVE)):
        out.setdefault((term.organisation_id, term.product), []).append(term)
    return out


def rate_term_for(terms: dict[tuple[int, str], list[Term]], org_id: int, product: str, won_on: date) -> Term | None:
    """The active rate term applying to a deal of `product` won on `won_on`, or None."""
    return next((t for t in terms.get((org_id, product), ()) if t.valid_from <= won_on <= t.valid_to), None)


# --- plans --------------------------------------------------------------------------------------

def quarter_key(day: date) -> str:
    return f"{day.year}-Q{quarter_of(day)}"


def plan_revenue(plan: Term, year: int, quarter: int) -> int:
    """The organisation's revenue of deals won in the quarter and in the plan's window."""
    first, last = quarter_bounds(year, quarter)
    low, high = max(first, plan.valid_from), min(last, plan.valid_to)
    if high < low:
        return 0
    return int(db.session.scalar(
        select(func.coalesce(func.sum(WonDeal.amount_kopecks), 0))
        .where(WonDeal.organisation_id == plan.organisation_id, WonDeal.closed_on >= low,
               WonDeal.closed_on <= high)) or 0)


def plan_bonus(plan: Term, revenue: int) -> int:
    if plan.bonus_kopecks is not None:
        return int(plan.bonus_kopecks)
    return arithmetic.percent_of(revenue, plan.bonus_percent or 0)


def evaluate_plan(plan: Term, year: int, quarter: int, now: datetime) -> bool:
    """Write (or follow, while owed) the plan's bonus line for a quarter when its target is reached.
    True when a line was written or changed.

    Race: the won deal's listener locks the organisation's row before it records the win
    (listeners.record_win); on PostgreSQL a second delivery waits there until the first commits,
    and then this statement sees the first's won deal. The unique source key keeps one line
    whatever happens."""
    if plan.status != TERM_ACTIVE or plan.kind != TERM_PLAN:
        return False
    revenue = plan_revenue(plan, year, quarter)
    if revenue < (plan.target_kopecks or 0) or revenue <= 0:
        return False
    period = f"{year}-Q{quarter}"
    amount = plan_bonus(plan, revenue)
    if insert_ignore(CommissionLine, organisation_id=plan.organisation_id, deal_id=None, rule=RULE_PLAN,
                     source_key=f"plan:{plan.id}:{period}", tier=None, product=None, period=period,
                     base_kopecks=revenue, percent=plan.bonus_percent, amount_kopecks=amount, status=OWED,
                     created_at=now, term_id=plan.id):
        return True
    changed = db.session.scalar(
        update(CommissionLine).where(CommissionLine.source_key == f"plan:{plan.id}:{period}",
                                     CommissionLine.status == OWED,
                                     (CommissionLine.base_kopecks != revenue) | (CommissionLine.amount_kopecks != amount))
        .values(base_kopecks=revenue, amount_kopecks=amount).returning(CommissionLine.id))
    return changed is not None


def evaluate_plans(org_id: int, day: date, now: datetime | None = None) -> int:
    """The organisation's active plans covering `day`, evaluated for `day`'s quarter (called when a
    deal is won, with its won date). Returns the number of lines written or changed."""
    now = now or utcnow()
    plans = db.session.scalars(select(Term).where(Term.organisation_id == org_id, Term.kind == TERM_PLAN,
                                                  Term.status == TERM_ACTIVE, Term.valid_from <= day,
                                                  Term.valid_to >= day)).all()
    return sum(evaluate_plan(plan, day.year, quarter_of(day), now) for plan in plans)


def evaluate_closed_quarters(now: datetime | None = None, quarters: int = 2) -> int:
    """The tick at a quarter's end: every active plan overlapping the last closed quarters (a
    delivery that failed, a plan approved after its target was reached)."""
    now = now or utcnow()
    today = program_date(now)
    year, quarter = today.year, quarter_of(today)
    done = 0
    for _n in range(quarters):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        first, last = quarter_bounds(year, quarter)
        plans = db.session.scalars(select(Term).where(Term.kind == TERM_PLAN, Term.status == TERM_ACTIVE,
                                                      Term.valid_from <= last, Term.valid_to >= first)).all()
        done += sum(evaluate_plan(plan, year, quarter, now) for plan in plans)
    return done


# --- how a term reads ---------------------------------------------------------------------------

def describe(term: Term) -> str:
    """A term in one sentence, as the partner and the statement read it."""
    if term.kind == TERM_RATE:
        rules = program_rules.current()
        product = rules.product(term.product or "")
        return _("Individual rate %(percent)s on %(product)s from %(start)s until %(end)s",
                 percent=percent_text(term.percent), product=str(product.name) if product else term.product,
                 start=fmt_date(term.valid_from), end=fmt_date(term.valid_to))
    bonus = money(term.bonus_kopecks) if term.bonus_kopecks is not None else \
        _("%(percent)s of the quarter's revenue", percent=percent_text(term.bonus_percent))
    return _("Quarterly plan %(target)s from %(start)s until %(end)s, bonus %(bonus)s",
             target=money(term.target_kopecks), start=fmt_date(term.valid_from), end=fmt_date(term.valid_to),
             bonus=bonus)


def applied(line: CommissionLine, term: Term | None, tier_name: str) -> str:
    """Which term priced a statement line: "individual rate 18 % until 31.03.2027 — reason" or
    "tier Gold 12 %"."""
    if term is not None and term.kind == TERM_RATE:
        return _("individual rate %(percent)s until %(end)s — %(reason)s", percent=percent_text(line.percent),
                 end=fmt_date(term.valid_to, "short"), reason=term.reason)
    if term is not None and term.kind == TERM_PLAN:
        return _("individual plan %(target)s a quarter until %(end)s — %(reason)s", target=money(term.target_kopecks),
                 end=fmt_date(term.valid_to, "short"), reason=term.reason)
    if line.percent is not None and tier_name:
        return _("tier %(tier)s %(percent)s", tier=tier_name, percent=percent_text(line.percent))
    return ""


def status_label(status: str) -> str:
    return {TERM_PENDING: _("waiting for a second approval"), TERM_ACTIVE: _("in force"),
            TERM_REVOKED: _("no longer in force (revoked)")}.get(status, status)

