"""The rules of vendor -> partner leads (D6); referrals (D10) are in referrals.py. Routes, listeners,
the tick and tests call these; nothing here touches `request`.

Every change of a lead locks its row (`SELECT ... FOR UPDATE` on PostgreSQL; BEGIN IMMEDIATE on
SQLite through `write_intent`), re-reads its state and writes a `LeadStep` whose unique key names
the step: two admins accepting at once, or a tick running twice, change it once.

Turning an accepted lead into a deal goes through deals' own registration (hub/deals/public.py),
so the usual conflict check runs; deals refuses a second active registration of one customer by
one organisation, so a double click (or two admins) finds the first deal and links to it.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import case, exists, func, literal, select
from sqlalchemy.exc import IntegrityError

from ... import inn as inn_numbers
from ...accounts.models import PARTNER, PARTNER_ROLES, VENDOR_ROLES, Organisation, OrganisationTag, User
from ...accounts import profile
from ...core import notifications
from ...core.services import audit
from ...database import utcnow, write_intent
from ...deals import public as deals
from ...extensions import db
from ...normalize import normalise_company
from ...program import rules as program_rules
from .models import ACCEPTED, CONVERTED, DECLINED, OFFERED, POOL, RETURNED, SOURCES, Lead, LeadStep

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()\-]{5,40}$")
TIER_RANK = {"bronze": 0, "silver": 1, "gold": 2, "platinum": 3}
LIMITS = {"company": 200, "contact_name": 120, "contact_email": 254, "contact_phone": 40, "notes": 4000,
          "need": 4000, "reason": 2000}


class LeadError(Exception):
    """A change not allowed now; the message is for the user, already translated."""


class NotFound(LeadError):
    """Not there for this user (routes answer 404)."""


def rules():
    return program_rules.current().leads


@contextmanager
def _writing():
    with write_intent():
        try:
            yield
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise


def _step(lead: Lead, action: str, key: str, *, actor=None, organisation_id=None, reason: str = "",
          at: datetime | None = None) -> bool:
    """Record a step unless its key exists (then the step already happened: False)."""
    if db.session.scalar(select(LeadStep.id).where(LeadStep.key == key)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(LeadStep(lead_id=lead.id, action=action, key=key, actor_id=getattr(actor, "id", None),
                                    organisation_id=organisation_id, reason=reason, created_at=at or utcnow()))
    except IntegrityError:
        return False
    return True


def _partners(organisation_id: int | None) -> list[User]:
    if organisation_id is None:
        return []
    return list(db.session.scalars(select(User).where(User.organisation_id == organisation_id,
                                                      User.role.in_(PARTNER_ROLES), User.is_active_user)))


def _managers(preferred_id: int | None = None) -> list[User]:
    if preferred_id is not None:
        person = db.session.get(User, preferred_id)
        if person is not None and person.is_vendor and person.is_active_user:
            return [person]
    return list(db.session.scalars(select(User).where(User.role.in_(VENDOR_ROLES), User.is_active_user)))


# --- checking what people type -----------------------------------------------------------------

def _text(values: dict, name: str) -> str:
    return (values.get(name) or "").strip()


def contact_problems(values: dict, *, need_company: bool = True) -> dict[str, str]:
    """Problems by field name (the forms say the same; kept here so a service caller can't skip them)."""
    problems = {}
    for name, limit in LIMITS.items():
        if len(_text(values, name)) > limit:
            problems[name] = _("At most %(n)s characters.", n=limit)
        if "\x00" in (values.get(name) or ""):
            problems[name] = _("This field contains characters that cannot be stored.")
    if need_company and not normalise_company(_text(values, "company")):
        problems.setdefault("company", _("Enter the company's name."))
    if not _text(values, "contact_name"):
        problems.setdefault("contact_name", _("Enter the contact person's name."))
    inn = inn_numbers.clean(values.get("inn"))
    if inn and not inn_numbers.is_valid(inn):
        problems.setdefault("inn", _("This INN is not valid: check the digits."))
    email = _text(values, "contact_email")
    if email and not EMAIL.match(email):
        problems.setdefault("contact_email", _("Enter a valid e-mail address."))
    phone = _text(values, "contact_phone")
    if phone and not PHONE.match(phone):
        problems.setdefault("contact_phone", _("Use digits, spaces, brackets, dashes and a leading +."))
    return problems


def lead_problems(values: dict) -> dict[str, str]:
    problems = contact_problems(values)
    current = program_rules.current()
    if values.get("source") not in SOURCES:
        problems["source"] = _("Choose a source from the list.")
    if values.get("region") and current.region(values["region"]) is None:
        problems["region"] = _("Choose a region from the list.")
    if values.get("product") and current.product(values["product"]) is None:
        problems["product"] = _("Choose a product from the list.")
    if values.get("segment") and values["segment"] not in profile.INDUSTRIES:
        problems["segment"] = _("Choose a segment from the list.")
    if not _text(values, "contact_email") and not _text(values, "contact_phone"):
        problems.setdefault("contact_email", _("Give the contact's e-mail or phone (at least one)."))
    return problems


# --- vendor -> partner (D6) --------------------------------------------------------------------

def create_lead(source: str, *, company: str, contact_name: str, inn: str | None = None,
                contact_email: str | None = None, contact_phone: str | None = None, region: str | None = None,
                segment: str | None = None, product: str | None = None, notes: str = "",
                source_key: str | None = None, actor=None) -> Lead:
    """A new lead in the managers' pool, added to the caller's session (the caller commits; a
    listener must not). `source_key` names what created it ("event:<id>"): asked again with the same
    key, it returns the lead made the first time. Bad values raise LeadError."""
    values = dict(source=source, company=company, contact_name=contact_name, inn=inn, contact_email=contact_email,
                  contact_phone=contact_phone, region=region, segment=segment, product=product, notes=notes)
    problems = lead_problems(values)
    if problems:
        raise LeadError("; ".join(f"{name}: {text}" for name, text in problems.items()))
    if source_key:
        existing = db.session.scalar(select(Lead).where(Lead.source_key == source_key))
        if existing is not None:
            return existing
    now = utcnow()
    lead = Lead(source=source, source_key=source_key, company=company.strip(), inn=inn_numbers.clean(inn) or None,
                contact_name=contact_name.strip(), contact_email=(contact_email or "").strip() or None,
                contact_phone=(contact_phone or "").strip() or None, region=region or None, segment=segment or None,
                product=product or None, notes=(notes or "").strip(), status=POOL,
                created_by_id=getattr(actor, "id", None), created_at=now, updated_at=now)
    db.session.add(lead)
    db.session.flush()
    _step(lead, "created", f"created:{lead.id}", actor=actor, at=now)
    return lead


def new_lead(manager: User, values: dict) -> Lead:
    if not manager.is_vendor:
        raise NotFound(_("This lead does not exist."))
    with _writing():
        lead = create_lead(actor=manager, **values)
        audit("lead", lead.id, "created", actor=manager, source=lead.source)
    return lead


def get_lead(user: User, lead_id: int) -> Lead:
    """The lead as this user may see it: a manager any; a partner only one offered to or taken by
    its own organisation (anything else is "not there")."""
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(_("This lead does not exist."))
    if user.is_vendor:
        return lead
    if user.is_partner and lead.organisation_id == user.organisation_id and lead.status in (OFFERED, ACCEPTED,
                                                                                             CONVERTED):
        return lead
    raise NotFound(_("This lead does not exist."))


def _locked(lead_id: int) -> Lead:
    lead = db.session.scalar(select(Lead).where(Lead.id == lead_id).with_for_update(of=Lead)
                             .execution_options(populate_existing=True))
    if lead is None:
        raise NotFound(_("This lead does not exist."))
    return lead


def pool(statuses=(POOL,), limit: int = 200) -> list[Lead]:
    return list(db.session.scalars(select(Lead).where(Lead.status.in_(statuses))
                                   .order_by(Lead.created_at.desc(), Lead.id.desc()).limit(limit)))


def partner_leads(organisation_id: int, limit: int = 200) -> list[Lead]:
    return list(db.session.scalars(select(Lead).where(Lead.organisation_id == organisation_id,
                                                      Lead.status.in_((OFFERED, ACCEPTED, CONVERTED)))
                                   .order_by(Lead.offered_at.desc(), Lead.id.desc()).limit(limit)))


def steps(lead: Lead) -> list[LeadStep]:
    return list(db.session.scalars(select(LeadStep).where(LeadStep.lead_id == lead.id).order_by(LeadStep.id)))


@dataclass
class Suggestion:
    organisation: Organisation
    score: int
    region: bool
    segment: bool
    product: bool


def suggestions(lead: Lead, limit: int = 8) -> list[Suggestion]:
    """Sales partners ranked for this lead: region (4), the customer's industry among theirs (2), the
    product they work with (1), then the tier. One query, scored in SQL (bounded at any size)."""
    def tag(facet, value):
        if not value:
            return literal(False)
        return exists().where(OrganisationTag.organisation_id == Organisation.id, OrganisationTag.facet == facet,
                              OrganisationTag.value == value)

    region = (Organisation.region == lead.region) | tag("regions", lead.region) if lead.region else literal(False)
    segment, product = tag("industries", lead.segment), tag("products", lead.product)
    tier = case(*[(Organisation.tier == code, rank) for code, rank in TIER_RANK.items()], else_=0)
    score = (case((region, 4), else_=0) + case((segment, 2), else_=0) + case((product, 1), else_=0))
    rows = db.session.execute(
        select(Organisation, score.label("score"), case((region, 1), else_=0), case((segment, 1), else_=0),
               case((product, 1), else_=0), tier)
        .where(Organisation.kind == PARTNER, func.coalesce(Organisation.segment, "") != "referral")
        .order_by(score.desc(), tier.desc(), Organisation.name, Organisation.id).limit(limit)).all()
    return [Suggestion(org, int(s) * 10 + int(t), bool(r), bool(g), bool(p)) for org, s, r, g, p, t in rows]


def offer(manager: User, lead_id: int, organisation_id: int, now: datetime | None = None) -> Lead:
    if not manager.is_vendor:
        raise NotFound(_("This lead does not exist."))
    now = now or utcnow()
    with _writing():
        lead = _locked(lead_id)
        org = db.session.get(Organisation, organisation_id)
        if org is None or org.kind != PARTNER:
            raise LeadError(_("Choose a partner organisation."))
        if lead.status != POOL:
            raise LeadError(_("This lead is not in the pool any more."))
        lead.status, lead.organisation_id, lead.offer_no = OFFERED, org.id, lead.offer_no + 1
        lead.offered_at, lead.due_at, lead.offered_by_id = now, now + timedelta(hours=rules().accept_hours), manager.id
        lead.accepted_at = lead.accepted_by_id = None
        lead.updated_at = now
        _step(lead, "offered", f"offered:{lead.id}:{lead.offer_no}", actor=manager, organisation_id=org.id, at=now)
        audit("lead", lead.id, "offered", actor=manager, organisation_id=org.id)
        notifications.send(_partners(org.id), "leads.offered", obj=lead, link_endpoint="leads.show",
                           link_values={"lead_id": lead.id},
                           params={"company": lead.company, "due": lead.due_at}, now=now)
    return lead


def _partner_lead(user: User, lead_id: int) -> Lead:
    if not user.is_partner:
        raise NotFound(_("This lead does not exist."))
    lead = _locked(lead_id)
    if lead.organisation_id != user.organisation_id or lead.status not in (OFFERED, ACCEPTED, CONVERTED):
        raise NotFound(_("This lead does not exist."))
    return lead


def accept(user: User, lead_id: int, now: datetime | None = None) -> Lead:
    """The partner takes the lead. A second accept (double click, a colleague) changes nothing."""
    now = now or utcnow()
    with _writing():
        lead = _partner_lead(user, lead_id)
        if lead.status in (ACCEPTED, CONVERTED):
            return lead
        if lead.due_at is not None and lead.due_at <= now:
            raise LeadError(_("The time to answer this lead has passed."))
        lead.status, lead.accepted_at, lead.accepted_by_id, lead.updated_at = ACCEPTED, now, user.id, now
        _step(lead, "accepted", f"accepted:{lead.id}:{lead.offer_no}", actor=user,
              organisation_id=lead.organisation_id, at=now)
        audit("lead", lead.id, "accepted", actor=user, organisation_id=lead.organisation_id)
        notifications.send(_managers(lead.offered_by_id), "leads.accepted", obj=lead, link_endpoint="leads.show",
                           link_values={"lead_id": lead.id},
                           params={"company": lead.company, "organisation": user.organisation.name}, now=now)
    return lead


def _back_to_pool(lead: Lead, outcome: str, reason: str, now: datetime) -> int | None:
    org_id = lead.organisation_id
    lead.status, lead.organisation_id, lead.last_outcome, lead.last_reason = POOL, None, outcome, reason
    lead.due_at = lead.accepted_at = lead.accepted_by_id = None
    lead.updated_at = now
    return org_id


def decline(user: User, lead_id: int, reason: str, now: datetime | None = None) -> Lead:
    reason = (reason or "").strip()
    if not reason:
        raise LeadError(_("Give a reason for declining."))
    if len(reason) > LIMITS["reason"] or "\x00" in reason:
        raise LeadError(_("At most %(n)s characters.", n=LIMITS["reason"]))
    now = now or utcnow()
    with _writing():
        lead = _partner_lead(user, lead_id)
        if lead.status != OFFERED:
            raise LeadError(_("This lead is already accepted."))
        org_name = user.organisation.name
        org_id = _back_to_pool(lead, DECLINED, reason, now)
        _step(lead, DECLINED, f"declined:{lead.id}:{lead.offer_no}", actor=user, organisation_id=org_id,
              reason=reason, at=now)
        audit("lead", lead.id, "declined", actor=user, organisation_id=org_id, reason=reason)
        notifications.send(_managers(lead.offered_by_id), "leads.declined", obj=lead, link_endpoint="leads.show",
                           link_values={"lead_id": lead.id},
                           params={"company": lead.company, "organisation": org_name, "reason": reason}, now=now)
    return lead


def expire_offers(now: datetime | None = None) -> int:
    """The tick: offers not answered in time go back to the pool, once each (key returned:<lead>:<offer>),
    with a notice to the manager who offered them. One query finds the late ones (usually none)."""
    now = now or utcnow()
    late = list(db.session.scalars(select(Lead.id).where(Lead.status == OFFERED, Lead.due_at <= now)
                                   .order_by(Lead.id)))
    done = 0
    for lead_id in late:
        with _writing():
            lead = _locked(lead_id)
            if lead.status != OFFERED or lead.due_at is None or lead.due_at > now:
                continue
            org = lead.organisation
            if not _step(lead, RETURNED, f"returned:{lead.id}:{lead.offer_no}", organisation_id=lead.organisation_id,
                         at=now):
                continue
            _back_to_pool(lead, RETURNED, "", now)
            notifications.send(_managers(lead.offered_by_id), "leads.returned", obj=lead, link_endpoint="leads.show",
                               link_values={"lead_id": lead.id},
                               params={"company": lead.company, "organisation": org.name if org else ""}, now=now)
            done += 1
    return done


@dataclass
class Converted:
    deal_id: int
    conflict: bool
    existing: bool  # the organisation had registered this customer already (the lead now links to that deal)


def conflict_check(lead: Lead) -> deals.CheckResult:
    """The live conflict check deals runs on its form, for the lead's customer."""
    return deals.check_customer(lead.company, lead.inn, None, exclude_org_id=lead.organisation_id)


def convert(user: User, lead_id: int, *, product: str, amount_kopecks: int, expected_close_date,
            inn: str | None = None, domain: str | None = None) -> Converted:
    """Register the accepted lead as the organisation's deal (deals' usual registration and conflict
    check) and link the lead to it. Safe to run twice at once: one deal."""
    lead = get_lead(user, lead_id)
    if not user.is_partner:
        raise NotFound(_("This lead does not exist."))
    if lead.status == CONVERTED and lead.deal_id:
        return Converted(lead.deal_id, False, True)
    if lead.status != ACCEPTED:
        raise LeadError(_("Accept the lead before registering it as a deal."))
    data = deals.DealInput(customer_name=lead.company, contact_name=lead.contact_name, product=product,
                           amount_kopecks=amount_kopecks, expected_close_date=expected_close_date,
                           region=lead.region or "", inn=inn_numbers.clean(inn or lead.inn) or None,
                           domain=(domain or "").strip() or None, contact_email=lead.contact_email,
                           contact_phone=lead.contact_phone, notes=lead.notes or None)
    db.session.commit()  # end the read: deals' registration begins its own writing transaction
    existing = False
    try:
        deal = deals.register_deal(user, data)
        deal_id, conflict = deal.id, deal.conflict_with_id is not None
    except deals.DuplicateRegistration as exc:
        deal_id, conflict, existing = exc.deal_id, False, True
    except deals.DealError as exc:
        raise LeadError(str(exc)) from exc
    now = utcnow()
    with _writing():
        lead = _locked(lead_id)
        if lead.deal_id is not None:
            return Converted(lead.deal_id, conflict, existing or lead.deal_id != deal_id)
        lead.status, lead.deal_id, lead.updated_at = CONVERTED, deal_id, now
        _step(lead, "converted", f"converted:{lead.id}", actor=user, organisation_id=lead.organisation_id, at=now)
        audit("lead", lead.id, "converted", actor=user, organisation_id=lead.organisation_id, deal_id=deal_id,
              conflict=conflict)
    return Converted(deal_id, conflict, existing)


def pool_counts() -> dict[str, int]:
    return dict(db.session.execute(select(Lead.status, func.count()).group_by(Lead.status)).all())
