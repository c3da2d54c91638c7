"""The directory's rules (SPEC C4): who is shown to whom, the search and its ranking, the settings, and
the locator's enquiry. Routes and tests call these; nothing here touches `request`.

Who is shown:
- the partners' directory (logged-in partners and vendor staff): partner organisations whose admin
  has not taken them out (`in_directory`, default yes), and of their people only those who chose to
  be listed (`DirectoryPerson.listed`, default no);
- the public locator (anyone): only organisations that opted in (`in_locator`, default no), and no
  people at all.

Ranking (both lists): verified data only, in this order — holds a valid certificate (yes first),
tier, deals won (in the region searched for, else in every region), number of valid certificates,
then the name. What a partner says about itself (expertise, industries...) filters, never ranks: a
self-declared expert without a certificate is always below every certified organisation.

Each list page runs a fixed number of queries: the count, the page (organisations joined with the
read model), their profile tags, their listed people and their badges (one `badges_held` fact).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import selectinload

from ... import facts, signals
from ...accounts import profile
from ...accounts.models import ADMIN, MANAGER, PARTNER, Organisation, OrganisationTag, User
from ...core.services import audit
from ...database import utcnow, write_intent
from ...extensions import db
from ...i18n import locale_code
from ...program import rules as program_rules
from ...program.rules import TIER_ORDER
from ...web import Page
from .models import (DirectoryCertificate, DirectoryOrganisation, DirectoryPerson, DirectoryRegionWin,
                     DirectoryStat)

PER_PAGE = 20
PEOPLE_SHOWN = 6
BADGES_SHOWN = 4
# filter name -> the profile facet it reads
FILTERS = {"region": "regions", "product": "products", "industry": "industries", "expertise": "expertise",
           "language": "languages"}
LIMITS = {"company": 200, "contact_name": 120, "contact_email": 254, "contact_phone": 40, "message": 4000,
          "job_title": 120, "q": 100}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()\-]{5,40}$")


class DirectoryError(Exception):
    """Not allowed or not valid; `message` is for the user (translated), `field` names the field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


class NotFound(DirectoryError):
    """Not there for this viewer (routes answer 404)."""


# --- filters -------------------------------------------------------------------------------------

def filter_choices(name: str) -> list[tuple[str, str]]:
    if name == "tier":
        current = program_rules.current()
        return [(t.code, str(t.name)) for t in current.tiers]
    return profile.choices(FILTERS[name])


@dataclass(frozen=True)
class Filters:
    q: str = ""
    region: str = ""
    product: str = ""
    industry: str = ""
    expertise: str = ""
    tier: str = ""
    language: str = ""

    def args(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass
class Card:
    organisation: Organisation
    certified: bool
    valid_certificates: int
    certified_people: int
    deals_won: int
    tags: dict[str, list[str]] = field(default_factory=dict)   # facet -> labels
    people: list = field(default_factory=list)                  # (User, DirectoryPerson)
    badges: list[dict] = field(default_factory=list)
    rank: int = 0


def _tier_rank():
    return case({code: i for i, code in enumerate(TIER_ORDER)}, value=Organisation.tier, else_=-1)


def _listed_query(filters: Filters, public: bool):
    """Organisations that may be shown, filtered, with their verified numbers, in ranking order."""
    setting = DirectoryOrganisation
    shown = (setting.in_locator.is_(True) if public
             else or_(setting.organisation_id.is_(None), setting.in_directory.is_(True)))
    certificates = func.coalesce(DirectoryStat.valid_certificates, 0)
    people = func.coalesce(DirectoryStat.certified_people, 0)
    if filters.region:
        wins = func.coalesce(DirectoryRegionWin.wins, 0)
    else:
        wins = func.coalesce(DirectoryStat.deals_won, 0)
    query = (select(Organisation, certificates.label("certificates"), people.label("people"), wins.label("wins"))
             .outerjoin(setting, setting.organisation_id == Organisation.id)
             .outerjoin(DirectoryStat, DirectoryStat.organisation_id == Organisation.id)
             .where(Organisation.kind == PARTNER, shown))
    if filters.region:
        query = query.outerjoin(DirectoryRegionWin, and_(DirectoryRegionWin.organisation_id == Organisation.id,
                                                         DirectoryRegionWin.region == filters.region))
    for name, facet in FILTERS.items():
        value = getattr(filters, name)
        if not value:
            continue
        tagged = exists().where(OrganisationTag.organisation_id == Organisation.id, OrganisationTag.facet == facet,
                                OrganisationTag.value == value)
        if name == "region":
            # The organisation's home region counts as a region it works in.
            tagged = or_(tagged, Organisation.region == value)
        query = query.where(tagged)
    if filters.tier:
        query = query.where(Organisation.tier == filters.tier)
    if filters.q:
        query = query.where(or_(Organisation.name.icontains(filters.q, autoescape=True),
                                Organisation.description.icontains(filters.q, autoescape=True)))
    order = ((certificates > 0).desc(), _tier_rank().desc(), wins.desc(), certificates.desc(), Organisation.name,
             Organisation.id)
    return query.order_by(*order)


def search(filters: Filters, *, public: bool, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of the directory (public=False) or of the locator (public=True), ranked."""
    query = _listed_query(filters, public)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(query.options(selectinload(Organisation.profile_tags))
                              .limit(per_page).offset((page - 1) * per_page)).all()
    cards = [Card(org, certificates > 0, certificates, people, wins, rank=(page - 1) * per_page + i + 1)
             for i, (org, certificates, people, wins) in enumerate(rows)]
    _fill(cards, people=not public)
    return Page(cards, page, per_page, total)


def _labels(org: Organisation) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for tag in org.profile_tags:
        out.setdefault(tag.facet, []).append(profile.value_label(tag.facet, tag.value))
    return out


def _fill(cards: list[Card], people: bool) -> None:
    if not cards:
        return
    ids = [card.organisation.id for card in cards]
    listed: dict[int, list] = {}
    if people:
        for user, person in db.session.execute(
                select(User, DirectoryPerson).join(DirectoryPerson, DirectoryPerson.user_id == User.id)
                .where(DirectoryPerson.organisation_id.in_(ids), DirectoryPerson.listed.is_(True),
                       User.organisation_id == DirectoryPerson.organisation_id, User.is_active_user.is_(True))
                .order_by(User.name, User.id)):
            listed.setdefault(user.organisation_id, []).append((user, person))
    badges = facts.get("badges_held", ids, [], locale_code(), default={}) or {}
    for card in cards:
        card.tags = _labels(card.organisation)
        card.people = listed.get(card.organisation.id, [])
        card.badges = (badges.get("organisations") or {}).get(card.organisation.id, [])


# --- one organisation, one person ----------------------------------------------------------------

def _lang() -> str:
    code = locale_code()
    return code if code in ("ru", "en") else "ru"


def certifications(org_id: int | None = None, user_id: int | None = None,
                   now: datetime | None = None) -> list[tuple[str, int]]:
    """(track title, valid certificates) from the read model, for an organisation or a person."""
    now = now or utcnow()
    where = [DirectoryCertificate.valid.is_(True),
             or_(DirectoryCertificate.expires_at.is_(None), DirectoryCertificate.expires_at > now)]
    where.append(DirectoryCertificate.organisation_id == org_id if user_id is None
                 else DirectoryCertificate.user_id == user_id)
    rows = db.session.execute(select(DirectoryCertificate.track_slug, func.count(DirectoryCertificate.certificate_id))
                              .where(*where).group_by(DirectoryCertificate.track_slug)
                              .order_by(DirectoryCertificate.track_slug)).all()
    titles = facts.get("track_titles", _lang(), default={}) or {}
    return [(titles.get(slug, slug), count) for slug, count in rows]


def organisation_card(org_id: int, *, public: bool) -> Card:
    """The organisation's page in the directory or the locator; NotFound when it is not shown there."""
    query = _listed_query(Filters(), public).where(Organisation.id == org_id)
    row = db.session.execute(query.options(selectinload(Organisation.profile_tags))).first()
    if row is None:
        raise NotFound(_("This partner is not listed."))
    org, certificates, people, wins = row
    card = Card(org, certificates > 0, certificates, people, wins)
    _fill([card], people=not public)
    return card


def listed_person(user_id: int) -> tuple[User, DirectoryPerson, Card]:
    """A listed person of an organisation in the directory, else NotFound."""
    row = db.session.execute(select(User, DirectoryPerson).join(DirectoryPerson, DirectoryPerson.user_id == User.id)
                             .where(User.id == user_id, DirectoryPerson.listed.is_(True),
                                    DirectoryPerson.organisation_id == User.organisation_id,
                                    User.is_active_user.is_(True))).first()
    if row is None:
        raise NotFound(_("This person is not listed."))
    user, person = row
    card = organisation_card(user.organisation_id, public=False)
    return user, person, card


def person_badges(user_id: int) -> list[dict]:
    return ((facts.get("badges_held", [], [user_id], locale_code(), default={}) or {}).get("people") or {}).get(
        user_id, [])


# --- settings ------------------------------------------------------------------------------------

def settings_of(org: Organisation) -> DirectoryOrganisation:
    return (db.session.get(DirectoryOrganisation, org.id)
            or DirectoryOrganisation(organisation_id=org.id, in_directory=True, in_locator=False))


def can_edit_settings(viewer: User, org: Organisation) -> bool:
    if org.kind != PARTNER:
        return False
    if viewer.role in (MANAGER, ADMIN):
        return True
    return viewer.is_partner_admin and viewer.organisation_id == org.id


def save_settings(actor: User, org: Organisation, *, in_directory: bool, in_locator: bool) -> DirectoryOrganisation:
    if not can_edit_settings(actor, org):
        raise PermissionError("not allowed to change this organisation's directory settings")
    with write_intent():
        row = db.session.get(DirectoryOrganisation, org.id)
        if row is None:
            row = DirectoryOrganisation(organisation_id=org.id)
            db.session.add(row)
        row.in_directory, row.in_locator = bool(in_directory), bool(in_locator)
        row.updated_by_id, row.updated_at = actor.id, utcnow()
        audit("organisation", org.id, "directory_settings", actor=actor, organisation_id=org.id,
              in_directory=row.in_directory, in_locator=row.in_locator)
        db.session.commit()
    return row


def person_of(user: User) -> DirectoryPerson:
    return (db.session.get(DirectoryPerson, user.id)
            or DirectoryPerson(user_id=user.id, organisation_id=user.organisation_id, listed=False, job_title=""))


def save_person(user: User, *, listed: bool, job_title: str) -> DirectoryPerson:
    """A person's own choice (nobody else makes it for them)."""
    if not user.is_partner:
        raise PermissionError("only partner people are listed in the directory")
    job_title = (job_title or "").strip()
    if len(job_title) > LIMITS["job_title"] or "\x00" in job_title:
        raise DirectoryError(_("At most %(n)s characters.", n=LIMITS["job_title"]), "job_title")
    with write_intent():
        row = db.session.get(DirectoryPerson, user.id)
        if row is None:
            row = DirectoryPerson(user_id=user.id)
            db.session.add(row)
        row.organisation_id = user.organisation_id
        row.listed, row.job_title, row.updated_at = bool(listed), job_title, utcnow()
        db.session.commit()
    return row


# --- the locator's enquiry -------------------------------------------------------------------------

def contact_problems(values: dict) -> dict[str, str]:
    """Problems by field (the form checks the same; here so that no caller can skip them)."""
    problems: dict[str, str] = {}
    for name in ("company", "contact_name", "contact_email", "contact_phone", "message"):
        text = values.get(name) or ""
        if "\x00" in text:
            problems[name] = _("This field contains characters that cannot be stored.")
        elif len(text.strip()) > LIMITS[name]:
            problems[name] = _("At most %(n)s characters.", n=LIMITS[name])
    if not (values.get("company") or "").strip():
        problems.setdefault("company", _("Enter your company's name."))
    if not (values.get("contact_name") or "").strip():
        problems.setdefault("contact_name", _("Enter your name."))
    email = (values.get("contact_email") or "").strip()
    if not EMAIL.match(email):
        problems.setdefault("contact_email", _("Enter a valid e-mail address."))
    phone = (values.get("contact_phone") or "").strip()
    if phone and not PHONE.match(phone):
        problems.setdefault("contact_phone", _("Use digits, spaces, brackets, dashes and a leading +."))
    region = values.get("region") or ""
    if region and program_rules.current().region(region) is None:
        problems["region"] = _("Choose a region from the list.")
    if not values.get("consent"):
        problems["consent"] = _("We can pass your request on only with your consent.")
    return problems


def contact(org_id: int, values: dict) -> None:
    """A customer's enquiry to a partner on the locator: the durable event `lead_received` (source
    'locator', the partner named), which the leads feature turns into a lead for the managers."""
    organisation_card(org_id, public=True)  # NotFound unless the organisation is on the locator
    problems = contact_problems(values)
    if problems:
        name, message = next(iter(problems.items()))
        raise DirectoryError(message, name)
    signals.lead_received.emit(
        source="locator", organisation_id=org_id, company=values["company"].strip(),
        contact_name=values["contact_name"].strip(), contact_email=values["contact_email"].strip(),
        contact_phone=(values.get("contact_phone") or "").strip() or None, region=values.get("region") or None,
        message=(values.get("message") or "").strip() or None, consent=True, received_at=utcnow())
    db.session.commit()
