"""Deal registration rules (D1-D4): registering, the conflict check, the workflow, lists and queue.

Nothing here touches `request`: every function takes the acting user and, where time matters, a
`now` argument so that tests can freeze time without patching the clock.

First valid registration wins: an active registration (submitted or approved) holds one
`DealClaim` row per customer key (normalised name, INN, normalised domain) and the key column is
unique, so the database decides who was first, also when twenty partners press "register" in the
same millisecond. A registration whose claims are refused is saved as a conflict for the manager.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, case, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import csvexport, facts, memo, signals
from .. import inn as inn_numbers
from ..accounts.models import VENDOR_ROLES, Organisation, User
from ..core import notifications
from ..core.services import audit, history
from ..database import utcnow, write_intent
from ..extensions import db
from ..i18n import fmt_date, money
from ..program import rules as program_rules
from ..web import Page
from . import textfilter
from .models import ACTIVE, APPROVED, EXPIRED, LOST, REJECTED, STATUSES, SUBMITTED, WON, Deal, DealClaim
from ..normalize import display_domain, normalise_company, normalise_domain

# Extension decisions
GRANTED = "granted"
REFUSED = "refused"

# Actions a user may take on a deal (names used by routes, templates and tests).
APPROVE = "approve"
REJECT = "reject"
MARK_WON = "won"
MARK_LOST = "lost"
REQUEST_EXTENSION = "request_extension"
DECIDE_EXTENSION = "decide_extension"
MANAGER_ACTIONS = (APPROVE, REJECT, DECIDE_EXTENSION)
ACTIONS = (APPROVE, REJECT, MARK_WON, MARK_LOST, REQUEST_EXTENSION, DECIDE_EXTENSION)


class DealError(Exception):
    """A change that is not allowed now. The message is for the user and already translated."""


class NotPermitted(DealError):
    """The user's role may never do this (routes answer 403)."""


class DuplicateRegistration(DealError):
    """The organisation already has an active registration of this customer (`deal_id`)."""

    def __init__(self, message: str, deal_id: int):
        super().__init__(message)
        self.deal_id = deal_id


# --- time --------------------------------------------------------------------------------------

def program_zone() -> ZoneInfo:
    return ZoneInfo(program_rules.current().timezone)


def program_today(now: datetime | None = None) -> date:
    """Today's date where the program runs: protection ends at the end of a day there."""
    return (now or utcnow()).astimezone(program_zone()).date()


def registration_date(deal: Deal) -> date:
    return deal.submitted_at.astimezone(program_zone()).date()


# --- the rules' windows for deal dates and amounts ------------------------------------------------

def expected_close_window(today: date) -> tuple[date, date]:
    """An expected close date lies after today and at most `deals.expected_close_max_days` ahead."""
    return today + timedelta(days=1), today + timedelta(days=program_rules.current().deals.expected_close_max_days)


def expected_close_problem(day: date, today: date) -> str | None:
    first, last = expected_close_window(today)
    if day < first:
        return _("The expected close date must be after today.")
    if day > last:
        return _("The expected close date must be within %(days)s days, by %(date)s at the latest.",
                 days=program_rules.current().deals.expected_close_max_days, date=date_text(last))
    return None


def won_date_window(deal: Deal, today: date) -> tuple[date, date]:
    """A deal is won between the day it was registered and today (program time): a contract signed
    before the registration earns nothing, and a win cannot be in the future."""
    return min(registration_date(deal), today), today


def won_date_problem(deal: Deal | None, day: date, today: date) -> str | None:
    if day > today:
        return _("The won date cannot be in the future.")
    if deal is not None:
        first, _last = won_date_window(deal, today)
        if day < first:
            return _("The won date cannot be before the registration date (%(date)s).", date=date_text(first))
    return None


def amount_problem(kopecks: int | None) -> str | None:
    rules = program_rules.current().deals
    if kopecks is None or kopecks < rules.amount_min_kopecks:
        return _("The amount must be at least %(min)s.", min=_money(rules.amount_min_kopecks))
    if kopecks > rules.amount_max_kopecks:
        return _("The amount must be at most %(max)s.", max=_money(rules.amount_max_kopecks))
    return None


# --- access ------------------------------------------------------------------------------------

def can_view(user, deal: Deal) -> bool:
    return user.is_manager or (user.is_partner and deal.organisation_id == user.organisation_id)


def visible_deal(user, deal_id: int) -> Deal | None:
    """The deal if this user may see it; None for a missing or a foreign one (routes answer 404)."""
    deal = db.session.scalar(
        select(Deal).where(Deal.id == deal_id).options(
            joinedload(Deal.organisation), joinedload(Deal.territory_org),
            joinedload(Deal.created_by), joinedload(Deal.decided_by)))
    if deal is None or not can_view(user, deal):
        return None
    return deal


def role_allows(user, action: str, deal: Deal) -> bool:
    """May this role ever do `action` on this deal (whatever its state)?"""
    if not can_view(user, deal):
        return False
    if action in MANAGER_ACTIONS:
        return user.is_manager
    if action in (MARK_WON, MARK_LOST):
        return user.is_manager or user.is_partner
    if action == REQUEST_EXTENSION:
        return user.is_partner
    return False


def extension_pending(deal: Deal) -> bool:
    return (deal.status == APPROVED and deal.extension_requested_at is not None
            and deal.extension_decision is None)


def conflict_blocks(deal: Deal) -> bool:
    """A conflict whose earlier registration is still active cannot be approved (approve() would
    refuse it), so it is not offered; once that one is closed, approving is offered again."""
    if deal.status != SUBMITTED or deal.conflict_with_id is None:
        return False
    holder = deal.conflict_with
    return holder is not None and holder.status in ACTIVE


def state_allows(action: str, deal: Deal) -> bool:
    if action == APPROVE:
        return deal.status == SUBMITTED and not conflict_blocks(deal)
    if action == REJECT:
        return deal.status == SUBMITTED
    if action in (MARK_WON, MARK_LOST):
        return deal.status == APPROVED
    if action == REQUEST_EXTENSION:
        return deal.status == APPROVED and deal.extension_requested_at is None
    if action == DECIDE_EXTENSION:
        return extension_pending(deal)
    return False


def available_actions(user, deal: Deal) -> set[str]:
    return {a for a in ACTIONS if role_allows(user, a, deal) and state_allows(a, deal)}


def _require(user, action: str, deal: Deal) -> None:
    if not role_allows(user, action, deal):
        raise NotPermitted(_("You are not allowed to do this."))
    if not state_allows(action, deal):
        raise DealError(_transition_refusal(action, deal))


def _transition_refusal(action: str, deal: Deal) -> str:
    status = status_label(deal.status)
    if action == REQUEST_EXTENSION and deal.status == APPROVED:
        return _("An extension can be requested only once per deal.")
    if action == DECIDE_EXTENSION:
        return _("There is no pending extension request for this deal.")
    if action == APPROVE and conflict_blocks(deal):
        return _("This customer is still protected by registration #%(id)s. Approve this one "
                 "only after that registration is closed, or reject it.", id=deal.conflict_with_id)
    if action in (APPROVE, REJECT):
        return _("Only a submitted deal can be approved or rejected; this deal is %(status)s.", status=status)
    if action in (MARK_WON, MARK_LOST):
        return _("Only an approved deal can be marked won or lost; this deal is %(status)s.", status=status)
    return _("An extension can be requested only for an approved deal; this deal is %(status)s.",
             status=status)


# --- labels ------------------------------------------------------------------------------------

def status_label(status: str) -> str:
    return {
        SUBMITTED: _("submitted"), APPROVED: _("approved"), REJECTED: _("rejected"),
        WON: _("won"), LOST: _("lost"), EXPIRED: _("expired"),
    }.get(status, status)


def product_name(code: str) -> str:
    product = program_rules.current().product(code)
    return str(product.name) if product else code


def region_name(code: str) -> str:
    region = program_rules.current().region(code)
    return str(region.name) if region else code


# --- claims ------------------------------------------------------------------------------------

def claim_keys(name_norm: str | None, inn: str | None, domain_norm: str | None) -> list[str]:
    """The customer keys of a registration, sorted: every writer takes the unique-index locks in
    the same order, so two registrations sharing several keys cannot deadlock on PostgreSQL."""
    keys = []
    if name_norm:
        keys.append(f"name:{name_norm}")
    if inn:
        keys.append(f"inn:{inn}")
    if domain_norm:
        keys.append(f"domain:{domain_norm}")
    return sorted(keys)


def deal_keys(deal: Deal) -> list[str]:
    return claim_keys(deal.customer_name_norm, deal.inn, deal.domain_norm)


def _take_claims(deal: Deal) -> int | None:
    """Claim every key of `deal` it does not hold yet, all or nothing.

    Returns None on success, else the id of the deal holding one of the keys. The inserts run in
    a savepoint: when the unique index refuses one, only the savepoint is rolled back and the
    registration itself survives (as a conflict).
    """
    for _attempt in range(3):
        keys = deal_keys(deal)
        held = set(db.session.scalars(select(DealClaim.key).where(DealClaim.deal_id == deal.id)))
        missing = [k for k in keys if k not in held]
        if not missing:
            return None
        try:
            with db.session.begin_nested():
                for key in missing:
                    db.session.add(DealClaim(key=key, deal_id=deal.id, created_at=utcnow()))
                db.session.flush()
            return None
        except IntegrityError:
            holder = db.session.scalar(
                select(DealClaim.deal_id).where(DealClaim.key.in_(missing), DealClaim.deal_id != deal.id)
                .order_by(DealClaim.id).limit(1))
            if holder is not None:
                return holder
            # The holder let go between our insert and the look-up: try again.
    raise DealError(_("The registry is busy. Please try again."))


def _release_claims(deal: Deal) -> None:
    db.session.execute(delete(DealClaim).where(DealClaim.deal_id == deal.id))


# --- registering (D1, D2, D4) ------------------------------------------------------------------

@dataclass
class DealInput:
    customer_name: str
    contact_name: str
    product: str
    amount_kopecks: int
    expected_close_date: date
    region: str
    inn: str | None = None
    domain: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    notes: str | None = None


def _check_input(data: DealInput, today: date) -> None:
    """Last line of defence for callers other than the form (CLI, API): the form says it nicer."""
    rules = program_rules.current()
    if not normalise_company(data.customer_name):
        raise DealError(_("Enter the customer's company name."))
    inn = inn_numbers.clean(data.inn)
    if inn and not inn_numbers.is_valid(inn):
        raise DealError(_("This INN is not valid: check the digits."))
    if data.domain and not normalise_domain(data.domain):
        raise DealError(_("This is not a valid web domain."))
    if not inn and not data.domain:
        raise DealError(_("Give the customer's INN or web domain (at least one)."))
    if rules.product(data.product) is None:
        raise DealError(_("Choose a product from the list."))
    if rules.region(data.region) is None:
        raise DealError(_("Choose a region from the list."))
    problem = amount_problem(data.amount_kopecks) or expected_close_problem(data.expected_close_date, today)
    if problem:
        raise DealError(problem)


def _own_active_registration(organisation_id: int, name_norm: str, inn: str | None,
                             domain_norm: str | None) -> int | None:
    """The organisation's own active registration of this customer (any key matching), if any."""
    keys = [Deal.customer_name_norm == name_norm]
    if inn:
        keys.append(Deal.inn == inn)
    if domain_norm:
        keys.append(Deal.domain_norm == domain_norm)
    return db.session.scalar(select(Deal.id).where(Deal.organisation_id == organisation_id,
                                                   Deal.status.in_(ACTIVE), or_(*keys))
                             .order_by(Deal.id).limit(1))


def _duplicate(deal_id: int) -> DuplicateRegistration:
    return DuplicateRegistration(_("Your organisation has already registered this customer: deal #%(id)s. "
                                   "Nothing new was saved.", id=deal_id), deal_id)


def register_deal(user: User, data: DealInput, now: datetime | None = None) -> Deal:
    """Save a registration for the user's organisation; it is protected-pending or a conflict."""
    now = now or utcnow()
    with _writing():
        if not user.is_partner:
            raise NotPermitted(_("Only partners register deals."))
        rules = program_rules.current()
        today = program_today(now)
        _check_input(data, today)
        inn = inn_numbers.clean(data.inn) or None
        name_norm, domain_norm = normalise_company(data.customer_name), normalise_domain(data.domain)
        # One organisation's registrations of one customer queue on its row (PostgreSQL; SQLite
        # writers are serialised by BEGIN IMMEDIATE): a double submit then finds the first one,
        # also when the first is a conflict holding no claims.
        db.session.execute(select(Organisation.id).where(Organisation.id == user.organisation_id)
                           .with_for_update())
        own = _own_active_registration(user.organisation_id, name_norm, inn, domain_norm)
        if own is not None:
            raise _duplicate(own)
        deal = Deal(
            organisation_id=user.organisation_id, created_by_id=user.id,
            customer_name=data.customer_name.strip(), customer_name_norm=name_norm,
            inn=inn, domain=(data.domain or "").strip() or None, domain_norm=domain_norm,
            contact_name=data.contact_name.strip(), contact_email=(data.contact_email or "").strip() or None,
            contact_phone=(data.contact_phone or "").strip() or None, product=data.product,
            amount_kopecks=data.amount_kopecks, expected_close_date=data.expected_close_date,
            region=data.region, notes=(data.notes or "").strip() or None, status=SUBMITTED,
            submitted_at=now, decision_due_at=now + timedelta(hours=rules.deals.decision_sla_hours),
            updated_at=now,
        )
        owner_slug = rules.territories.exclusive_partner(data.region, today)
        if owner_slug and owner_slug != user.organisation.slug:
            deal.territory_org_id = db.session.scalar(
                select(Organisation.id).where(Organisation.slug == owner_slug))
        db.session.add(deal)
        db.session.flush()

        holder = _take_claims(deal)
        if holder is not None and db.session.scalar(
                select(Deal.organisation_id).where(Deal.id == holder)) == user.organisation_id:
            raise _duplicate(holder)  # the lock above makes this a second line of defence
        deal.conflict_with_id = holder
        audit("deal", deal.id, "submitted", actor=user, organisation_id=deal.organisation_id,
              conflict_with=holder, territory_org=deal.territory_org_id)
        _tell_managers(deal, "deals.submitted", amount=notifications.Money(deal.amount_kopecks))
        signals.deal_submitted.emit(
            deal_id=deal.id, organisation_id=deal.organisation_id, created_by_id=deal.created_by_id,
            product=deal.product, region=deal.region, amount_kopecks=deal.amount_kopecks,
            submitted_at=deal.submitted_at, conflict_with_id=deal.conflict_with_id, actor_id=user.id)
        db.session.commit()
    return deal


# --- the live conflict check (D2) --------------------------------------------------------------

FREE = "free"
PENDING = "pending"
PROTECTED = "protected"


@dataclass
class CheckResult:
    """What the registering partner may learn: never who holds the customer."""
    entered: bool = False
    state: str = FREE  # free / pending / protected: the strongest hold by ANOTHER organisation
    protected_until: date | None = None
    matched: list[str] = field(default_factory=list)  # "name", "inn", "domain"
    own_deal_id: int | None = None  # the viewer's organisation already holds it
    inn_invalid: bool = False
    domain_invalid: bool = False

    @property
    def taken(self) -> bool:
        return self.state != FREE


def check_customer(name: str | None, inn: str | None, domain: str | None,
                   exclude_org_id: int | None) -> CheckResult:
    """Is this customer already held by another organisation's active registration?"""
    result = CheckResult()
    name_norm = normalise_company(name)
    inn_clean = inn_numbers.clean(inn)
    domain_norm = normalise_domain(domain) if domain and domain.strip() else None
    if inn_clean and not inn_numbers.is_valid(inn_clean):
        result.inn_invalid = True
        inn_clean = ""
    if domain and domain.strip() and domain_norm is None:
        result.domain_invalid = True
    keys = claim_keys(name_norm, inn_clean, domain_norm)
    result.entered = bool(keys)
    if not keys:
        return result
    rows = db.session.execute(
        select(DealClaim.key, Deal.id, Deal.organisation_id, Deal.status, Deal.protected_until)
        .join(Deal, Deal.id == DealClaim.deal_id)
        .where(DealClaim.key.in_(keys), Deal.status.in_(ACTIVE))).all()
    for key, deal_id, org_id, status, protected_until in rows:
        kind = key.split(":", 1)[0]
        if exclude_org_id is not None and org_id == exclude_org_id:
            result.own_deal_id = result.own_deal_id or deal_id
            continue
        if kind not in result.matched:
            result.matched.append(kind)
        if status == APPROVED:
            result.state = PROTECTED
            if protected_until and (result.protected_until is None or protected_until > result.protected_until):
                result.protected_until = protected_until
        elif result.state == FREE:
            result.state = PENDING
    order = ("name", "inn", "domain")
    result.matched.sort(key=order.index)
    return result


# --- the workflow (D3) -------------------------------------------------------------------------

def _load_for_update(deal: Deal) -> Deal:
    """Re-read the deal inside the writing transaction (row lock on PostgreSQL), so two managers
    deciding at once cannot both act on the state they saw. `of=Deal`: the deal may have been
    loaded with outer-joined relations, and PostgreSQL refuses to lock the nullable side of one."""
    db.session.refresh(deal, with_for_update={"of": Deal})
    return deal


@contextmanager
def _writing():
    """A writing transaction (BEGIN IMMEDIATE on SQLite); a refused change leaves nothing behind."""
    with write_intent():
        try:
            yield
        except DealError:
            db.session.rollback()
            raise


def emit_transition(deal: Deal, old: str, new: str, actor_id: int | None, at: datetime) -> None:
    """The domain events of a deal's move from `old` to `new`, in the transaction that makes it:
    deal_status_changed, and the event of the new status (deal_approved, deal_won, ...)."""
    base = dict(deal_id=deal.id, organisation_id=deal.organisation_id)
    signals.deal_status_changed.emit(**base, old_status=old, new_status=new, changed_at=at, actor_id=actor_id)
    base["created_by_id"] = deal.created_by_id
    if new == APPROVED and old == SUBMITTED:
        signals.deal_approved.emit(**base, decided_at=deal.decided_at or at, protected_until=deal.protected_until,
                                   actor_id=actor_id)
    elif new == REJECTED:
        signals.deal_rejected.emit(**base, decided_at=deal.decided_at or at, reason=deal.rejection_reason or "",
                                   actor_id=actor_id)
    elif new == WON:
        signals.deal_won.emit(**base, product=deal.product,
                              amount_kopecks=deal.final_amount_kopecks or deal.amount_kopecks,
                              closed_on=deal.closed_on, actor_id=actor_id)
    elif new == LOST:
        signals.deal_lost.emit(**base, closed_on=deal.closed_on, reason=deal.lost_reason, actor_id=actor_id)
    elif new == EXPIRED:
        signals.deal_expired.emit(**base, protected_until=deal.protected_until)


def _finish(deal: Deal, old: str, actor) -> None:
    emit_transition(deal, old, deal.status, actor.id if actor is not None else None, deal.updated_at or utcnow())
    db.session.commit()


def approve(deal: Deal, actor: User, now: datetime | None = None) -> Deal:
    now = now or utcnow()
    with _writing():
        _load_for_update(deal)
        _require(actor, APPROVE, deal)
        holder = _take_claims(deal)
        if holder is not None:
            raise DealError(_("This customer is still protected by registration #%(id)s. Approve this one "
                              "only after that registration is closed, or reject it.", id=holder))
        old = deal.status
        resolved = deal.conflict_with_id
        deal.conflict_with_id = None
        deal.status = APPROVED
        deal.decided_at = now
        deal.decided_by_id = actor.id
        deal.protected_until = program_today(now) + timedelta(days=program_rules.current().deals.protection_days)
        deal.updated_at = now
        audit("deal", deal.id, "approved", actor=actor, organisation_id=deal.organisation_id,
              protected_until=deal.protected_until.isoformat(), resolved_conflict_with=resolved)
        _tell_partner(deal, "deals.approved", until=deal.protected_until)
        _finish(deal, old, actor)
    return deal


def reject(deal: Deal, actor: User, reason: str, now: datetime | None = None) -> Deal:
    now = now or utcnow()
    reason = (reason or "").strip()
    with _writing():
        _load_for_update(deal)
        _require(actor, REJECT, deal)
        if not reason:
            raise DealError(_("Give the reason for the rejection."))
        old = deal.status
        deal.status = REJECTED
        deal.rejection_reason = reason
        deal.decided_at = now
        deal.decided_by_id = actor.id
        deal.updated_at = now
        _release_claims(deal)
        audit("deal", deal.id, "rejected", actor=actor, organisation_id=deal.organisation_id, reason=reason)
        _tell_partner(deal, "deals.rejected", reason=deal.rejection_reason)
        _finish(deal, old, actor)
    return deal


def mark_won(deal: Deal, actor: User, final_amount_kopecks: int | None, closed_on: date | None,
             now: datetime | None = None) -> Deal:
    now = now or utcnow()
    with _writing():
        _load_for_update(deal)
        _require(actor, MARK_WON, deal)
        problem = amount_problem(final_amount_kopecks)
        if problem:
            raise DealError(problem)
        if closed_on is None:
            raise DealError(_("Give the date the deal was won."))
        problem = won_date_problem(deal, closed_on, program_today(now))
        if problem:
            raise DealError(problem)
        old = deal.status
        deal.status = WON
        deal.final_amount_kopecks = final_amount_kopecks
        deal.closed_on = closed_on
        deal.updated_at = now
        _release_claims(deal)
        audit("deal", deal.id, "won", actor=actor, organisation_id=deal.organisation_id,
              final_amount_kopecks=final_amount_kopecks, closed_on=closed_on.isoformat())
        if actor.is_manager:
            _tell_partner(deal, "deals.won")
        _finish(deal, old, actor)
    return deal


def mark_lost(deal: Deal, actor: User, reason: str | None = None, now: datetime | None = None) -> Deal:
    now = now or utcnow()
    reason = (reason or "").strip() or None
    with _writing():
        _load_for_update(deal)
        _require(actor, MARK_LOST, deal)
        old = deal.status
        deal.status = LOST
        deal.lost_reason = reason
        deal.closed_on = program_today(now)
        deal.updated_at = now
        _release_claims(deal)
        audit("deal", deal.id, "lost", actor=actor, organisation_id=deal.organisation_id, reason=reason)
        if actor.is_manager:
            _tell_partner(deal, "deals.lost")
        _finish(deal, old, actor)
    return deal


def request_extension(deal: Deal, actor: User, reason: str, now: datetime | None = None) -> Deal:
    now = now or utcnow()
    reason = (reason or "").strip()
    with _writing():
        _load_for_update(deal)
        _require(actor, REQUEST_EXTENSION, deal)
        if not reason:
            raise DealError(_("Give the reason for the extension."))
        deal.extension_requested_at = now
        deal.extension_reason = reason
        deal.extension_decision = None
        deal.updated_at = now
        audit("deal", deal.id, "extension_requested", actor=actor, organisation_id=deal.organisation_id,
              reason=reason)
        _tell_managers(deal, "deals.extension_requested")
        db.session.commit()
    return deal


def decide_extension(deal: Deal, actor: User, grant: bool, now: datetime | None = None) -> Deal:
    now = now or utcnow()
    with _writing():
        _load_for_update(deal)
        _require(actor, DECIDE_EXTENSION, deal)
        deal.updated_at = now
        if grant:
            days = program_rules.current().deals.extension_days
            old_until = deal.protected_until
            deal.protected_until = (deal.protected_until or program_today(now)) + timedelta(days=days)
            deal.extension_decision = GRANTED
            audit("deal", deal.id, "extension_granted", actor=actor, organisation_id=deal.organisation_id,
                  protected_until=deal.protected_until.isoformat(),
                  previous_until=old_until.isoformat() if old_until else None)
            _tell_partner(deal, "deals.extension_granted", until=deal.protected_until)
        else:
            deal.extension_decision = REFUSED
            audit("deal", deal.id, "extension_refused", actor=actor, organisation_id=deal.organisation_id)
            _tell_partner(deal, "deals.extension_refused")
        db.session.commit()
    return deal


def expire_deals(today: date | None = None, limit: int | None = None) -> int:
    """Approved deals whose protection ended before `today` (program time zone) become expired."""
    today = today or program_today()
    count = 0
    with write_intent():
        query = (select(Deal).where(Deal.status == APPROVED, Deal.protected_until < today)
                 .order_by(Deal.id).with_for_update())
        if limit:
            query = query.limit(limit)
        deals = list(db.session.scalars(query))
        now = utcnow()
        for deal in deals:
            deal.status = EXPIRED
            deal.updated_at = now
            if deal.extension_requested_at is not None and deal.extension_decision is None:
                deal.extension_decision = REFUSED  # nobody decided in time; the request dies with the deal
            _release_claims(deal)
            audit("deal", deal.id, "expired", actor=None, organisation_id=deal.organisation_id,
                  protected_until=deal.protected_until.isoformat() if deal.protected_until else None)
            _tell_partner(deal, "deals.expired")
            emit_transition(deal, APPROVED, EXPIRED, None, now)
            count += 1
        db.session.commit()
    return count


def timeline(deal: Deal):
    return history("deal", deal.id)


# --- notifications -----------------------------------------------------------------------------

def date_text(value: date | None) -> str:
    return fmt_date(value) if value else ""


def _money(kopecks: int | None) -> str:
    return money(kopecks)


def _tell(users: Iterable[User], deal: Deal, kind: str, **params) -> None:
    """Tell each user, in the user's own language (hub/deals/notifications.py has the texts)."""
    notifications.send(users, kind, obj=deal, params={"customer": deal.customer_name, **params},
                       link_endpoint="deals.show", link_values={"deal_id": deal.id})


def _tell_partner(deal: Deal, kind: str, **params) -> None:
    users = db.session.scalars(select(User).where(User.organisation_id == deal.organisation_id,
                                                  User.is_active_user.is_(True)))
    _tell(list(users), deal, kind, **params)


def _tell_managers(deal: Deal, kind: str, **params) -> None:
    users = db.session.scalars(select(User).where(User.role.in_(VENDOR_ROLES), User.is_active_user.is_(True)))
    _tell(list(users), deal, kind, **params)


# --- lists (point 15) --------------------------------------------------------------------------

CONFLICT = "conflict"  # a pseudo-status for the filter: submitted registrations in conflict
PERIODS = {"week": 7, "month": 30, "quarter": 91, "year": 365}


@dataclass
class DealFilters:
    status: str = ""
    period: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    org: str = ""  # managers only: organisation name or slug

    def as_args(self) -> dict:
        args = {"status": self.status, "period": self.period, "q": self.q, "org": self.org,
                "date_from": self.date_from.isoformat() if self.date_from else "",
                "date_to": self.date_to.isoformat() if self.date_to else ""}
        return {k: v for k, v in args.items() if v}


def _conditions(viewer: User, filters: DealFilters, tz: str | None, now: datetime | None) -> list:
    conds = []
    if not viewer.is_manager:
        conds.append(Deal.organisation_id == viewer.organisation_id)
    elif filters.org.strip():
        text = filters.org.strip()
        conds.append(Deal.organisation_id.in_(select(Organisation.id).where(or_(
            Organisation.slug == text.lower(),
            func.lower(Organisation.name).contains(text.lower(), autoescape=True)))))
    if filters.status == CONFLICT:
        conds += [Deal.status == SUBMITTED, Deal.conflict_with_id.is_not(None)]
    elif filters.status in STATUSES:
        conds.append(Deal.status == filters.status)
    zone = ZoneInfo(tz) if tz else program_zone()
    now = now or utcnow()
    if filters.period in PERIODS:
        start = datetime.combine(now.astimezone(zone).date() - timedelta(days=PERIODS[filters.period] - 1),
                                 time.min, zone)
        conds.append(Deal.submitted_at >= start)
    if filters.date_from:
        conds.append(Deal.submitted_at >= datetime.combine(filters.date_from, time.min, zone))
    if filters.date_to:
        conds.append(Deal.submitted_at < datetime.combine(filters.date_to + timedelta(days=1), time.min, zone))
    q = filters.q.strip()
    if q:
        conds.append(textfilter.matches(normalise_company(q), inn_numbers.clean(q), normalise_domain(q)))
    return conds


def list_deals(viewer: User, filters: DealFilters, page: int = 1, per_page: int = 25,
               tz: str | None = None, now: datetime | None = None) -> Page:
    """One page of the deals the viewer may see: two queries whatever the page holds."""
    conds = _conditions(viewer, filters, tz, now)
    if conds:
        total = db.session.scalar(select(func.count()).select_from(Deal).where(*conds)) or 0
    else:
        total = _total_of_all()
    query = (select(Deal).where(*conds).order_by(Deal.submitted_at.desc(), Deal.id.desc())
             .limit(per_page).offset((page - 1) * per_page))
    if viewer.is_manager:
        query = query.options(joinedload(Deal.organisation))
    items = list(db.session.scalars(query))
    return Page(items, page, per_page, total)


ALL_DEALS_MEMO = memo.StateMemo("deals.total", size=2)


def _total_of_all() -> int:
    """How many deals there are (the manager's unfiltered list): counting 200,000 rows costs 4 ms on
    SQLite and more on PostgreSQL per view. Deals are only ever added, never deleted, so the newest
    id (a primary-key read) is the whole state of that count (hub/memo.py)."""
    newest = db.session.scalar(select(func.max(Deal.id))) or 0
    return ALL_DEALS_MEMO.get((newest,), lambda: db.session.scalar(select(func.count()).select_from(Deal)) or 0)


def export_headers() -> list[str]:
    return [_("ID"), _("Partner"), _("Customer"), _("INN"), _("Web domain"), _("Product"), _("Amount, RUB"),
            _("Region"), _("Status"), _("Conflict"), _("Exclusive region"), _("Submitted"), _("Protected until"),
            _("Final amount, RUB"), _("Closed on")]


def export_rows(viewer: User, filters: DealFilters, tz: str | None = None,
                now: datetime | None = None) -> Iterator[list]:
    """The filtered list as the CSV export writes it (hub/csvexport.py formats and escapes the
    cells; times in the program zone), read in batches while the response streams. The filters
    read dates in the viewer's zone `tz`, as the list on screen does."""
    conds = _conditions(viewer, filters, tz, now)
    query = (select(Deal.id, Organisation.name, Deal.customer_name, Deal.inn, Deal.domain_norm, Deal.product,
                    Deal.amount_kopecks, Deal.region, Deal.status, Deal.conflict_with_id, Deal.territory_org_id,
                    Deal.submitted_at, Deal.protected_until, Deal.final_amount_kopecks, Deal.closed_on)
             .join(Organisation, Organisation.id == Deal.organisation_id)
             .where(*conds).order_by(Deal.submitted_at.desc(), Deal.id.desc())
             .execution_options(yield_per=1000))
    for row in db.session.execute(query):
        (deal_id, org_name, customer, inn, domain, product, amount, region, status, conflict, territory,
         submitted_at, protected_until, final_amount, closed_on) = row
        yield [deal_id, org_name, customer, inn, display_domain(domain) if domain else None, product_name(product),
               csvexport.Roubles(amount), region_name(region), status_label(status), conflict is not None,
               territory is not None, submitted_at, protected_until, csvexport.Roubles(final_amount), closed_on]


def export_csv(viewer: User, filters: DealFilters, tz: str | None = None, now: datetime | None = None,
               locale: str | None = None) -> Iterator[str]:
    """The filtered list as CSV text in pieces (UTF-8 with BOM, the reader's separator)."""
    return csvexport.generate(export_headers(), export_rows(viewer, filters, tz, now), locale=locale)


# --- the manager's queue -----------------------------------------------------------------------

DECISION = "decision"
EXTENSION = "extension"


@dataclass
class QueueItem:
    deal: Deal
    kind: str  # decision / extension
    due_at: datetime
    seconds_left: float

    @property
    def overdue(self) -> bool:
        return self.seconds_left < 0

    @property
    def left(self) -> timedelta:
        return timedelta(seconds=abs(self.seconds_left))


def _queue_options():
    return (joinedload(Deal.organisation), joinedload(Deal.territory_org),
            joinedload(Deal.conflict_with).joinedload(Deal.organisation))


def _extension_pending_conds():
    return [Deal.status == APPROVED, Deal.extension_decision.is_(None), Deal.extension_requested_at.is_not(None)]


def queue_item(deal: Deal, now: datetime | None = None) -> QueueItem:
    now = now or utcnow()
    if deal.status == SUBMITTED:
        due = deal.decision_due_at
        kind = DECISION
    else:
        due = (deal.extension_requested_at or now) + timedelta(hours=program_rules.current().deals.decision_sla_hours)
        kind = EXTENSION
    return QueueItem(deal, kind, due, (due - now).total_seconds())


def manager_queue(page: int = 1, per_page: int = 25, now: datetime | None = None) -> Page:
    """Submitted deals and pending extension requests, least SLA time left first.

    Each kind is read in due order from its own index and the two are merged, so a page costs
    three queries however long the queue is.
    """
    now = now or utcnow()
    sla = timedelta(hours=program_rules.current().deals.decision_sla_hours)
    window = page * per_page
    total = db.session.scalar(select(func.count()).select_from(Deal).where(or_(
        Deal.status == SUBMITTED, and_(*_extension_pending_conds())))) or 0
    decisions = list(db.session.scalars(
        select(Deal).where(Deal.status == SUBMITTED).options(*_queue_options())
        .order_by(Deal.decision_due_at, Deal.id).limit(window)).unique())
    extensions = list(db.session.scalars(
        select(Deal).where(*_extension_pending_conds()).options(*_queue_options())
        .order_by(Deal.extension_requested_at, Deal.id).limit(window)).unique())
    items = [QueueItem(d, DECISION, d.decision_due_at, (d.decision_due_at - now).total_seconds())
             for d in decisions]
    items += [QueueItem(d, EXTENSION, d.extension_requested_at + sla,
                        (d.extension_requested_at + sla - now).total_seconds()) for d in extensions]
    items.sort(key=lambda item: (item.due_at, item.deal.id))
    return Page(items[(page - 1) * per_page:window], page, per_page, total)


# --- facts for other features -----------------------------------------------------------------

@facts.provides("first_deal_at")
def first_deal_at() -> dict[int, datetime]:
    """When each organisation registered its first deal (the academy's onboarding plans)."""
    return dict(db.session.execute(select(Deal.organisation_id, func.min(Deal.submitted_at))
                                   .group_by(Deal.organisation_id)).all())


@facts.provides("deal_registrations")
def deal_registrations() -> list[dict]:
    """Every deal registration as deal_submitted describes it: {"id", "organisation_id",
    "amount_kopecks" (registered), "submitted_at"} (insights' demo fills its read model from it)."""
    rows = db.session.execute(select(Deal.id, Deal.organisation_id, Deal.amount_kopecks, Deal.submitted_at)
                              .order_by(Deal.id))
    return [dict(id=i, organisation_id=o, amount_kopecks=a, submitted_at=s) for i, o, a, s in rows]


@facts.provides("won_deals")
def won_deals() -> list[dict]:
    """Every won deal as the deal_won event describes it (rewards' `repair` compares its records)."""
    rows = db.session.execute(select(
        Deal.id, Deal.organisation_id, Deal.created_by_id, Deal.product,
        func.coalesce(Deal.final_amount_kopecks, Deal.amount_kopecks), Deal.closed_on,
        Deal.submitted_at).where(Deal.status == WON).order_by(Deal.id))
    zone = program_zone()
    return [dict(id=deal_id, organisation_id=org_id, created_by_id=user_id, product=product, amount_kopecks=amount,
                 closed_on=closed_on or submitted_at.astimezone(zone).date())
            for deal_id, org_id, user_id, product, amount, closed_on, submitted_at in rows]


@facts.provides("deal_regions")
def deal_regions(deal_ids: list[int]) -> dict[int, str]:
    """The customer's region of each deal (deal_won carries none; the partner locator counts wins per region)."""
    if not deal_ids:
        return {}
    return dict(db.session.execute(select(Deal.id, Deal.region).where(Deal.id.in_(list(deal_ids)),
                                                                      Deal.region.is_not(None))).all())


# --- home page summaries -----------------------------------------------------------------------

def manager_summary(now: datetime | None = None) -> dict:
    now = now or utcnow()
    submitted = Deal.status == SUBMITTED
    row = db.session.execute(select(
        func.coalesce(func.sum(case((submitted, 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(submitted, Deal.decision_due_at < now), 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(submitted, Deal.conflict_with_id.is_not(None)), 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(submitted, Deal.territory_org_id.is_not(None)), 1), else_=0)), 0),
    ).where(Deal.status == SUBMITTED)).one()
    extensions = db.session.scalar(
        select(func.count()).select_from(Deal).where(*_extension_pending_conds())) or 0
    return {"submitted": int(row[0]), "overdue": int(row[1]), "conflicts": int(row[2]),
            "territory": int(row[3]), "extensions": int(extensions), "queue": int(row[0]) + int(extensions)}


def partner_summary(organisation, now: datetime | None = None, soon_days: int = 14) -> dict:
    now = now or utcnow()
    today = program_today(now)
    counts = dict(db.session.execute(
        select(Deal.status, func.count()).where(Deal.organisation_id == organisation.id)
        .group_by(Deal.status)).all())
    expiring = list(db.session.scalars(
        select(Deal).where(Deal.organisation_id == organisation.id, Deal.status == APPROVED,
                           Deal.protected_until <= today + timedelta(days=soon_days))
        .order_by(Deal.protected_until, Deal.id).limit(10)))
    return {"counts": {status: int(counts.get(status, 0)) for status in STATUSES},
            "total": int(sum(counts.values())), "expiring": expiring, "soon_days": soon_days,
            "today": today}


# --- display helpers ---------------------------------------------------------------------------

def sla_text(item: QueueItem) -> str:
    """"5 hours left" / "overdue by 2 days" in the viewer's language."""
    from flask_babel import format_timedelta
    span = format_timedelta(item.left, threshold=1.0)
    if item.overdue:
        return _("overdue by %(time)s", time=span)
    return _("%(time)s left", time=span)


def action_label(action: str) -> str:
    return {
        "submitted": _("Registered"), "approved": _("Approved"), "rejected": _("Rejected"),
        "won": _("Marked won"), "lost": _("Marked lost"), "expired": _("Protection expired"),
        "extension_requested": _("Extension requested"), "extension_granted": _("Extension granted"),
        "extension_refused": _("Extension refused"),
    }.get(action, action)
