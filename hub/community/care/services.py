"""Key-partner care: who may see and do what, QBRs and their action items, betas, announcements,
the account manager's measured response time and the relationship-health score.

Authorisation: a vendor person (manager, admin) sees every partner organisation; a partner sees only
its own organisation (anything else is NotFound, a 404); QBR notes are for the vendor and the
partner's admins; a partner ticks only its own side's items (a member only the items it owns).
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ... import facts, memo
from ...accounts.models import PARTNER, PARTNER_ADMIN, PARTNER_ROLES, VENDOR_ROLES, Organisation, User
from ...core import notifications
from ...database import utcnow
from ...deals import public as deals
from ...extensions import db
from ...program import rules as program_rules
from ...program.rules import TIER_ORDER
from ...web import Page
from .models import CareActionItem, CareAnnouncement, CareBeta, CareBetaSignup, CareQbr
from .rules import COMPONENTS

EVENTS_DAYS = 180
LIST_LIMIT = 100
HEALTH_PER_PAGE = 50


class NotFound(Exception):
    """Absent, or not the viewer's to see (both answer 404)."""


class Forbidden(Exception):
    """Visible, but not the viewer's to change (403)."""


class CareError(Exception):
    """Refused input (message translated for the user)."""


# --- time and rules ------------------------------------------------------------------------------

def rules():
    return program_rules.current().care


def today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(program_rules.current().timezone)).date()


def is_key(org: Organisation) -> bool:
    return org.kind == PARTNER and org.tier in rules().key_tiers


# --- authorisation -------------------------------------------------------------------------------

def visible_org(viewer: User, org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None or org.kind != PARTNER:
        raise NotFound
    if not viewer.is_vendor and viewer.organisation_id != org.id:
        raise NotFound
    return org


def can_read_notes(viewer: User, org_id: int) -> bool:
    return viewer.is_vendor or (viewer.role == PARTNER_ADMIN and viewer.organisation_id == org_id)


def can_add_items(viewer: User, org_id: int) -> bool:
    return can_read_notes(viewer, org_id)


def can_tick(viewer: User, item: CareActionItem) -> bool:
    if viewer.is_vendor:
        return True
    if viewer.organisation_id != item.organisation_id or item.owner is None:
        return False
    if item.owner.organisation_id != item.organisation_id:
        return False  # the vendor's side ticks its own items
    return viewer.role == PARTNER_ADMIN or item.owner_id == viewer.id


# --- QBRs ------------------------------------------------------------------------------------------

def get_qbr(viewer: User, qbr_id: int) -> CareQbr:
    qbr = db.session.scalar(select(CareQbr).where(CareQbr.id == qbr_id)
                            .options(selectinload(CareQbr.items)))
    if qbr is None or (not viewer.is_vendor and viewer.organisation_id != qbr.organisation_id):
        raise NotFound
    return qbr


def qbrs_of(org_id: int) -> list[CareQbr]:
    return list(db.session.scalars(
        select(CareQbr).where(CareQbr.organisation_id == org_id).options(selectinload(CareQbr.items))
        .order_by(CareQbr.meeting_on.desc(), CareQbr.id.desc()).limit(LIST_LIMIT)))


def check_qbr(values: dict) -> dict[str, str]:
    problems = {}
    if not (values.get("agenda") or "").strip():
        problems["agenda"] = _("Write the agenda.")
    return problems


def schedule_qbr(actor: User, org: Organisation, values: dict) -> CareQbr:
    if not actor.is_vendor:
        raise Forbidden
    if not is_key(org):
        raise CareError(_("Quarterly business reviews are for key partners (%(tiers)s).",
                          tiers=", ".join(rules().key_tiers)))
    problems = check_qbr(values)
    if problems:
        raise CareError(next(iter(problems.values())))
    qbr = CareQbr(organisation_id=org.id, meeting_on=values["meeting_on"], agenda=values["agenda"].strip(),
                  notes=(values.get("notes") or "").strip(), created_by_id=actor.id)
    db.session.add(qbr)
    db.session.flush()
    admins = db.session.scalars(select(User).where(
        User.organisation_id == org.id, User.role == PARTNER_ADMIN, User.is_active_user.is_(True)))
    notifications.send(list(admins), "care.qbr_scheduled", obj=qbr,
                       params={"day": qbr.meeting_on, "manager": actor.name},
                       link_endpoint="care.qbr", link_values={"qbr_id": qbr.id})
    db.session.commit()
    return qbr


def update_qbr(actor: User, qbr: CareQbr, values: dict) -> CareQbr:
    if not actor.is_vendor:
        raise Forbidden
    problems = check_qbr(values)
    if problems:
        raise CareError(next(iter(problems.values())))
    qbr.meeting_on, qbr.agenda = values["meeting_on"], values["agenda"].strip()
    qbr.notes = (values.get("notes") or "").strip()
    db.session.commit()
    return qbr


def owners(org_id: int) -> list[User]:
    """Who may own an action item of this organisation's review: its people and the vendor's staff."""
    return list(db.session.scalars(select(User).where(
        User.is_active_user.is_(True),
        or_(and_(User.organisation_id == org_id, User.role.in_(PARTNER_ROLES)), User.role.in_(VENDOR_ROLES)))
        .order_by(User.name, User.id)))


def add_item(actor: User, qbr: CareQbr, values: dict) -> CareActionItem:
    if not can_add_items(actor, qbr.organisation_id):
        raise Forbidden
    owner = db.session.get(User, values["owner_id"]) if values.get("owner_id") else None
    allowed = owner is not None and owner.is_active_user and (
        owner.role in VENDOR_ROLES or (owner.organisation_id == qbr.organisation_id and owner.role in PARTNER_ROLES))
    if not allowed:
        raise CareError(_("Choose a person of this partner or of the vendor."))
    title = (values.get("title") or "").strip()
    if not title:
        raise CareError(_("Say what is to be done."))
    item = CareActionItem(qbr_id=qbr.id, organisation_id=qbr.organisation_id, title=title, owner_id=owner.id,
                          due_on=values["due_on"])
    db.session.add(item)
    db.session.flush()
    if owner.id != actor.id:
        notifications.send([owner], "care.item_assigned", obj=item,
                           params={"partner": qbr.organisation.name, "title": title, "day": item.due_on},
                           link_endpoint="care.qbr", link_values={"qbr_id": qbr.id})
    db.session.commit()
    return item


def get_item(viewer: User, item_id: int) -> CareActionItem:
    item = db.session.get(CareActionItem, item_id)
    if item is None or (not viewer.is_vendor and viewer.organisation_id != item.organisation_id):
        raise NotFound
    return item


def set_done(actor: User, item: CareActionItem, done: bool, now: datetime | None = None) -> CareActionItem:
    if not can_tick(actor, item):
        raise Forbidden
    if done and item.done_at is None:
        item.done_at, item.done_by_id = now or utcnow(), actor.id
    elif not done:
        item.done_at, item.done_by_id = None, None
    db.session.commit()
    return item


def is_overdue(item: CareActionItem, day: date | None = None) -> bool:
    return item.done_at is None and item.due_on < (day or today())


# --- betas -----------------------------------------------------------------------------------------

def _tier_filter(column, tier: str):
    """`tiers` ("gold,platinum") holds `tier`: portable LIKE on ",gold,platinum,"."""
    return (literal(",") + column + literal(",")).like(f"%,{tier},%")


def check_tiers(tiers: list[str]) -> list[str]:
    chosen = [t for t in TIER_ORDER if t in set(tiers or ())]
    if not chosen:
        raise CareError(_("Choose at least one tier."))
    return chosen


def publish_beta(actor: User, values: dict) -> CareBeta:
    if not actor.is_vendor:
        raise Forbidden
    tiers = check_tiers(values.get("tiers"))
    if values["signup_closes_on"] < today():
        raise CareError(_("The sign-up cannot close in the past."))
    beta = CareBeta(title=values["title"].strip(), description=values["description"].strip(), tiers=",".join(tiers),
                    signup_closes_on=values["signup_closes_on"], created_by_id=actor.id)
    db.session.add(beta)
    db.session.commit()
    return beta


def betas_for(viewer: User) -> list[CareBeta]:
    query = select(CareBeta).order_by(CareBeta.created_at.desc(), CareBeta.id.desc()).limit(LIST_LIMIT)
    if not viewer.is_vendor:
        query = query.where(_tier_filter(CareBeta.tiers, viewer.organisation.tier))
    return list(db.session.scalars(query))


def get_beta(viewer: User, beta_id: int) -> CareBeta:
    beta = db.session.get(CareBeta, beta_id)
    if beta is None or (not viewer.is_vendor and not beta.allows(viewer.organisation.tier)):
        raise NotFound
    return beta


def signup_of(beta_id: int, org_id: int) -> CareBetaSignup | None:
    return db.session.scalar(select(CareBetaSignup).where(CareBetaSignup.beta_id == beta_id,
                                                           CareBetaSignup.organisation_id == org_id))


def signups_of(beta_id: int) -> list[CareBetaSignup]:
    return list(db.session.scalars(select(CareBetaSignup).where(CareBetaSignup.beta_id == beta_id)
                                   .order_by(CareBetaSignup.created_at, CareBetaSignup.id)))


def signed_up_betas(org_id: int) -> set[int]:
    return set(db.session.scalars(select(CareBetaSignup.beta_id).where(CareBetaSignup.organisation_id == org_id)))


def sign_up(actor: User, beta: CareBeta) -> CareBetaSignup:
    """Once per organisation: the unique (beta, organisation) key refuses a second sign-up, also when
    two colleagues press the button at the same moment."""
    if not actor.is_partner or not beta.allows(actor.organisation.tier):
        raise Forbidden
    if beta.signup_closes_on < today():
        raise CareError(_("The sign-up for this beta is closed."))
    if signup_of(beta.id, actor.organisation_id) is not None:
        raise CareError(_("Your organisation has already signed up for this beta."))
    row = CareBetaSignup(beta_id=beta.id, organisation_id=actor.organisation_id, user_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        db.session.rollback()
        raise CareError(_("Your organisation has already signed up for this beta.")) from None
    db.session.commit()
    return row


def leave_feedback(actor: User, beta: CareBeta, text: str, now: datetime | None = None) -> CareBetaSignup:
    if not actor.is_partner:
        raise Forbidden
    row = signup_of(beta.id, actor.organisation_id)
    if row is None:
        raise CareError(_("Sign up for the beta first."))
    text = (text or "").strip()
    if not text:
        raise CareError(_("Write your feedback."))
    row.feedback, row.feedback_at = text, now or utcnow()
    db.session.commit()
    return row


# --- announcements -------------------------------------------------------------------------------

def publish_announcement(actor: User, values: dict) -> CareAnnouncement:
    if not actor.is_vendor:
        raise Forbidden
    tiers = check_tiers(values.get("tiers"))
    row = CareAnnouncement(title=values["title"].strip(), body=values["body"].strip(), tiers=",".join(tiers),
                           created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    readers = db.session.scalars(
        select(User).join(Organisation, Organisation.id == User.organisation_id)
        .where(Organisation.kind == PARTNER, Organisation.tier.in_(tiers), User.role.in_(PARTNER_ROLES),
               User.is_active_user.is_(True)))
    notifications.send(list(readers), "care.announcement", obj=row, params={"title": row.title},
                       link_endpoint="care.announcement", link_values={"announcement_id": row.id})
    db.session.commit()
    return row


def announcements_for(viewer: User) -> list[CareAnnouncement]:
    query = (select(CareAnnouncement).order_by(CareAnnouncement.published_at.desc(), CareAnnouncement.id.desc())
             .limit(LIST_LIMIT))
    if not viewer.is_vendor:
        query = query.where(_tier_filter(CareAnnouncement.tiers, viewer.organisation.tier))
    return list(db.session.scalars(query))


def get_announcement(viewer: User, announcement_id: int) -> CareAnnouncement:
    row = db.session.get(CareAnnouncement, announcement_id)
    if row is None or (not viewer.is_vendor and not row.allows(viewer.organisation.tier)):
        raise NotFound
    return row


# --- the account manager's card -------------------------------------------------------------------

@dataclass
class ResponseTime:
    median_hours: float | None
    decisions: int
    days: int


def response_time(org_id: int, now: datetime | None = None) -> ResponseTime:
    """The median time from a deal registration of this partner to the vendor's decision, over the
    decisions of the last `response_days` (one query)."""
    days = rules().response_days
    hours = deals.decision_hours(org_id, (now or utcnow()) - timedelta(days=days))
    return ResponseTime(statistics.median(hours) if hours else None, len(hours), days)


def manager_card(org: Organisation, now: datetime | None = None) -> dict:
    return {"organisation": org, "manager": org.account_manager, "response": response_time(org.id, now)}


# --- the relationship-health score ---------------------------------------------------------------

@dataclass
class Component:
    key: str
    weight: int
    score: Fraction | None          # 0..1; None: not measured (its weight goes to the others)
    figures: dict = field(default_factory=dict)
    points: Fraction = Fraction(0)      # of the 100, after the weights of unmeasured components are shared
    max_points: Fraction = Fraction(0)

    @property
    def measured(self) -> bool:
        return self.score is not None


@dataclass
class Health:
    organisation: Organisation
    score: int
    at_risk: bool
    components: list[Component]

    def component(self, key: str) -> Component:
        return next(c for c in self.components if c.key == key)


def _ratio(value: int, target: int) -> Fraction:
    return min(Fraction(1), Fraction(max(0, value), max(1, target)))


def score_components(figures: dict, weights: dict, targets: dict) -> list[Component]:
    """The components of one organisation from its figures (pure arithmetic, tested by hand)."""
    recent, before = figures.get("recent_kopecks", 0), figures.get("before_kopecks", 0)
    if before > 0:
        revenue = min(Fraction(1), Fraction(recent, before))
    else:
        revenue = Fraction(1) if recent > 0 else Fraction(0)
    nps = figures.get("nps")
    open_items, overdue = figures.get("open_items", 0), figures.get("overdue_items", 0)
    scores = {
        "revenue": revenue,
        "certifications": _ratio(figures.get("certified", 0), targets["certifications"]),
        "activity": _ratio(figures.get("deals_90d", 0), targets["activity"]),
        "events": _ratio(figures.get("events", 0), targets["events"]),
        "nps": None if nps is None else min(Fraction(1), max(Fraction(0), (Fraction(str(nps)) + 100) / 200)),
        "actions": Fraction(1) if open_items == 0 else Fraction(open_items - overdue, open_items),
    }
    components = [Component(key, int(weights.get(key, 0)), scores[key], figures) for key in COMPONENTS]
    measured_weight = sum(c.weight for c in components if c.measured) or 1
    for c in components:
        c.max_points = Fraction(100 * c.weight, measured_weight) if c.measured else Fraction(0)
        c.points = c.max_points * c.score if c.measured else Fraction(0)
    return components


def total(components: list[Component]) -> int:
    exact = sum((c.points for c in components), Fraction(0))
    return int(exact + Fraction(1, 2))  # half up, never above 100


def key_partners() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(
        Organisation.kind == PARTNER, Organisation.tier.in_(rules().key_tiers)).order_by(Organisation.name)))


def item_counts(org_ids: list[int], day: date) -> dict[int, tuple[int, int]]:
    """{org_id: (open items, overdue items)} in one query."""
    if not org_ids:
        return {}
    rows = db.session.execute(
        select(CareActionItem.organisation_id, func.count(),
               func.sum(case((CareActionItem.due_on < day, 1), else_=0)))
        .where(CareActionItem.organisation_id.in_(org_ids), CareActionItem.done_at.is_(None))
        .group_by(CareActionItem.organisation_id)).all()
    return {org_id: (int(n), int(late or 0)) for org_id, n, late in rows}


def health_of(orgs: list[Organisation], now: datetime | None = None) -> list[Health]:
    """The health of each organisation, at most risky first; a fixed number of queries whatever the
    number of organisations (deal figures, two or three facts, the action items)."""
    now = now or utcnow()
    day = today(now)
    ids = [o.id for o in orgs]
    care = rules()
    if not ids:
        return []
    deal_figures = deals.figures(ids, day)
    certified = facts.get("certified_people", ids, now, default={}) or {}
    attended = facts.get("events_attended", ids, now - timedelta(days=EVENTS_DAYS), default={}) or {}
    # partner_nps (hub/community/nps/facts.py): {"overall": {...}, "organisations": {org_id: {"nps": Decimal
    # -100..100 or None, ...}}}; an organisation without an answer yet: not measured.
    nps = None
    if facts.has("partner_nps"):
        found = facts.get("partner_nps", ids, default={}) or {}
        nps = {org_id: Fraction(row["nps"]) for org_id, row in (found.get("organisations") or {}).items()
               if row.get("nps") is not None}
    items = item_counts(ids, day)
    targets = {"certifications": care.certified_target, "activity": care.deals_target, "events": care.events_target}
    out = []
    for org in orgs:
        figures = {"recent_kopecks": 0, "before_kopecks": 0, "deals_90d": 0, **deal_figures.get(org.id, {})}
        figures["certified"] = int(certified.get(org.id) or 0)
        figures["events"] = int(attended.get(org.id) or 0)
        figures["nps"] = None if nps is None else nps.get(org.id)
        figures["open_items"], figures["overdue_items"] = items.get(org.id, (0, 0))
        figures["targets"] = targets
        components = score_components(figures, care.weights, targets)
        score = total(components)
        out.append(Health(org, score, score < care.at_risk_below, components))
    out.sort(key=lambda h: (h.score, h.organisation.name))
    return out


# --- the managers' list: every key partner's health, computed once per state ------------------------

@dataclass(frozen=True)
class Scored:
    """One key partner's health as kept between views (plain data: no ORM object outlives its session)."""
    organisation_id: int
    name: str
    tier: str
    score: int
    at_risk: bool
    components: list[Component]


HEALTH_MEMO = memo.StateMemo("care.health", size=8)


def key_partner_health(now: datetime | None = None) -> list[Scored]:
    """Every key partner's health, at most risky first. Computing it reads every key partner's deals
    of the last year (a few hundred milliseconds at 5,000 organisations), so it is kept per state of
    what it reads: the day, the durable event log (deals, certificates, attendances and NPS answers
    all move it), the open action items and the set of key partners (hub/memo.py; a change none of
    these carries, such as a rename, shows within a minute). Three small queries on a kept view."""
    now = now or utcnow()
    ids = tuple(db.session.scalars(select(Organisation.id).where(
        Organisation.kind == PARTNER, Organisation.tier.in_(rules().key_tiers)).order_by(Organisation.id)))
    open_items = db.session.execute(select(func.count(CareActionItem.id), func.coalesce(func.sum(CareActionItem.id), 0))
                                    .where(CareActionItem.done_at.is_(None))).one()
    key = (today(now), memo.events_position(), int(open_items[0]), int(open_items[1]), ids)
    return HEALTH_MEMO.get(key, lambda: [
        Scored(h.organisation.id, h.organisation.name, h.organisation.tier, h.score, h.at_risk, h.components)
        for h in health_of(key_partners(), now)])


def health_page(scored: list[Scored], page: int, per_page: int | None = None) -> Page:
    """One page of the kept list, with each shown partner's organisation loaded afresh (one query)."""
    per_page = per_page or HEALTH_PER_PAGE
    shown = scored[(page - 1) * per_page: page * per_page]
    orgs = {o.id: o for o in db.session.scalars(
        select(Organisation).where(Organisation.id.in_([s.organisation_id for s in shown])))} if shown else {}
    items = [Health(orgs[s.organisation_id], s.score, s.at_risk, s.components) for s in shown
             if s.organisation_id in orgs]
    return Page(items, page, per_page, len(scored))
