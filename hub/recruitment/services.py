"""The rules of recruitment: applications and their decisions, the target list, costs, referral bonuses.
Routes, the demo and tests call these; nothing here reads `request`.

Every decision locks the application row (`SELECT ... FOR UPDATE` on PostgreSQL; BEGIN IMMEDIATE on SQLite
through `write_intent`), re-reads its status and refuses a step the status does not allow (models.ALLOWED):
two managers approving at once make one organisation, the second gets "already decided".
"""
from __future__ import annotations

import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import inn as inn_numbers
from ..accounts import services as accounts
from ..accounts.models import PARTNER, PARTNER_ADMIN, VENDOR_ROLES, Organisation, User, token_digest
from ..core import notifications
from ..core.services import audit
from ..database import utcnow, write_intent
from ..extensions import db
from ..program import rules as program_rules
from . import events
from .models import ALLOWED, APPROVED, DECLINED, INFO, QUALIFIED, SUBMITTED, Application, ReferralBonus, Target


class RecruitmentError(Exception):
    """A change not allowed now; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(RecruitmentError):
    pass


def rules():
    return program_rules.current().recruitment


@contextmanager
def _writing():
    with write_intent():
        try:
            yield
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise


def domain_of(website: str | None) -> str:
    """The host of a website without "www." and the port, lower case ('' for none)."""
    text = (website or "").strip().lower()
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


_HOST = re.compile(r"(?=.{1,253}$)(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}")


def valid_website(website: str) -> bool:
    """An http(s) address with a real host name (never javascript: or a bare word)."""
    try:
        parts = urlsplit(website.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(_HOST.fullmatch(parts.hostname or ""))


def referrer_for(code: str | None) -> Organisation | None:
    """The partner organisation a referral code names (its slug, as in `?ref=<slug>`)."""
    code = (code or "").strip().lower()
    if not code or len(code) > 80:
        return None
    return db.session.scalar(select(Organisation).where(Organisation.slug == code, Organisation.kind == PARTNER))


def duplicate_problem(inn: str) -> str | None:
    """Why an application for this INN can't be taken now (None when it can)."""
    if db.session.scalar(select(Organisation.id).where(Organisation.inn == inn)) is not None:
        return _("A partner organisation with this INN already exists. If you work there, ask its "
                 "administrator for an invitation.")
    if db.session.scalar(select(Application.id).where(Application.open_inn == inn)) is not None:
        return _("An application for this INN is already being reviewed. We will answer it soon.")
    return None


def _managers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_(VENDOR_ROLES), User.is_active_user.is_(True))
                                   .order_by(User.id)))


def _tell_applicant(application: Application, key: str, params: dict | None = None, **link) -> None:
    to = notifications.Address(application.contact_email, name=application.contact_name,
                               locale=application.locale or None)
    notifications.send([to], key, obj=application, params={"company": application.company, **(params or {})},
                       **link)


# --- applications -----------------------------------------------------------------------------------

FIELDS = ("company", "inn", "website", "partner_type", "regions", "products", "expected_deals", "contact_name",
          "contact_email", "contact_phone")


def submit(values: dict, referrer: Organisation | None = None, locale: str | None = None,
           now: datetime | None = None) -> Application:
    """Take a public application (values already validated by ApplicationForm). Links it to the target
    with its INN or website domain and moves that target to "applied"."""
    now = now or utcnow()
    inn = inn_numbers.clean(values["inn"])
    if not inn_numbers.is_valid(inn):
        raise RecruitmentError(_("This is not a valid INN: 10 or 12 digits with a correct check digit."), "inn")
    if values.get("website") and not valid_website(values["website"]):
        raise RecruitmentError(_("Enter the address of the company's website, such as https://example.ru."),
                               "website")
    domain = domain_of(values.get("website"))
    with write_intent():
        problem = duplicate_problem(inn)
        if problem:
            db.session.rollback()
            raise RecruitmentError(problem, "inn")
        target = db.session.scalar(select(Target).where(Target.inn == inn)) or (
            db.session.scalar(select(Target).where(Target.domain == domain)) if domain else None)
        application = Application(
            status=SUBMITTED, inn=inn, open_inn=inn, domain=domain, locale=locale or "ru", consent_at=now,
            referrer_id=getattr(referrer, "id", None), target_id=getattr(target, "id", None), created_at=now,
            updated_at=now, **{k: values[k] for k in FIELDS if k != "inn"})
        application.contact_email = application.contact_email.strip().lower()
        db.session.add(application)
        try:
            db.session.flush()
        except IntegrityError:  # another application for this INN got in first
            db.session.rollback()
            raise RecruitmentError(_("An application for this INN is already being reviewed. We will answer it "
                                     "soon."), "inn")
        if target is not None and target.stage in ("identified", "contacted", "interested"):
            target.stage, target.updated_at = "applied", now
            audit("recruitment_target", target.id, "applied", organisation_id=None, application_id=application.id)
        audit("recruitment_application", application.id, "submitted", inn=inn, company=application.company,
              referrer_id=application.referrer_id, target_id=application.target_id)
        events.application_submitted.emit(application_id=application.id, inn=inn,
                                          partner_type=application.partner_type,
                                          referrer_id=application.referrer_id, target_id=application.target_id,
                                          submitted_at=now)
        _tell_applicant(application, "recruitment.received")
        notifications.send(_managers(), "recruitment.new", obj=application, params={"company": application.company},
                           link_endpoint="recruitment.show", link_values={"application_id": application.id})
        db.session.commit()
    return application


def get(viewer: User, application_id: int) -> Application:
    application = db.session.get(Application, application_id) if viewer.is_vendor else None
    if application is None:
        raise NotFound(_("This application does not exist."))
    return application


def counts() -> dict[str, int]:
    return dict(db.session.execute(select(Application.status, func.count()).group_by(Application.status)).all())


def listing(status: str, limit: int = 200) -> list[Application]:
    return list(db.session.scalars(select(Application).where(Application.status == status)
                                   .order_by(Application.created_at.desc(), Application.id.desc()).limit(limit)))


def _locked(application_id: int, step: str) -> Application:
    application = db.session.scalar(select(Application).where(Application.id == application_id)
                                    .with_for_update(of=Application).execution_options(populate_existing=True))
    if application is None:
        raise NotFound(_("This application does not exist."))
    if application.status not in ALLOWED[step]:
        raise RecruitmentError(_("This application is no longer in a state that allows this; the page shows "
                                 "its current state."))
    return application


def _decided(application: Application, decision: str, manager: User | None, now: datetime, **details) -> None:
    application.updated_at = now
    if manager is not None:
        application.decided_by_id = manager.id
    audit("recruitment_application", application.id, decision, actor=manager,
          organisation_id=application.organisation_id, **details)
    events.application_decided.emit(application_id=application.id, decision=decision,
                                    organisation_id=application.organisation_id, decided_at=now,
                                    actor_id=getattr(manager, "id", None))


def _vendor(manager: User) -> None:
    if not manager.is_vendor:
        raise NotFound(_("This application does not exist."))


def qualify(manager: User, application_id: int, checked: list[str]) -> Application:
    _vendor(manager)
    items = list(rules().checklist)
    missing = [item for item in items if item not in set(checked)]
    if missing:
        raise RecruitmentError(_("Tick every item of the checklist to qualify the application."), "checklist")
    now = utcnow()
    with _writing():
        application = _locked(application_id, "qualify")
        application.status, application.checklist = QUALIFIED, ",".join(items)
        _decided(application, "qualified", manager, now, checklist=items)
        _tell_applicant(application, "recruitment.qualified")
    return application


def ask(manager: User, application_id: int, question: str) -> str:
    """Ask the applicant for more information; returns the answer link's token (only its digest is kept)."""
    _vendor(manager)
    question = (question or "").strip()
    if not question:
        raise RecruitmentError(_("Say what you need to know."), "reason")
    now = utcnow()
    token = secrets.token_urlsafe(32)
    with _writing():
        application = _locked(application_id, "ask")
        application.status, application.question, application.answer = INFO, question, ""
        application.answer_token_hash = token_digest(token)
        _decided(application, "info_requested", manager, now, question=question)
        _tell_applicant(application, "recruitment.info_requested", {"question": question},
                        link_endpoint="recruitment.answer", link_values={"token": token})
    return token


def by_token(token: str) -> Application:
    application = db.session.scalar(select(Application).where(
        Application.answer_token_hash == token_digest(token or "")))
    if application is None or application.status != INFO:
        raise NotFound(_("This link is not valid any more: the question has been answered or the application "
                         "decided."))
    return application


def answer(token: str, text: str) -> Application:
    text = (text or "").strip()
    if not text:
        raise RecruitmentError(_("Write your answer."), "answer")
    now = utcnow()
    with _writing():
        found = db.session.scalar(select(Application.id).where(
            Application.answer_token_hash == token_digest(token or "")))
        if found is None:
            raise NotFound(_("This link is not valid any more: the question has been answered or the application "
                             "decided."))
        application = _locked(found, "answer")
        application.status, application.answer, application.answer_token_hash = SUBMITTED, text, None
        _decided(application, "answered", None, now)
        asker = db.session.get(User, application.decided_by_id) if application.decided_by_id else None
        notifications.send([asker] if asker else _managers(), "recruitment.answered", obj=application,
                           params={"company": application.company}, link_endpoint="recruitment.show",
                           link_values={"application_id": application.id})
    return application


def decline(manager: User, application_id: int, reason: str) -> Application:
    _vendor(manager)
    reason = (reason or "").strip()
    if not reason:
        raise RecruitmentError(_("Give the reason: the applicant receives it."), "reason")
    now = utcnow()
    with _writing():
        application = _locked(application_id, "decline")
        application.status, application.decision_reason, application.decided_at = DECLINED, reason, now
        application.open_inn, application.answer_token_hash = None, None
        _decided(application, "declined", manager, now, reason=reason)
        _tell_applicant(application, "recruitment.declined", {"reason": reason})
    return application


@dataclass
class Approval:
    application: Application
    organisation: Organisation
    invited: bool
    problem: str = ""


def approve(manager: User, application_id: int, segment: str | None = None) -> Approval:
    """Approve a qualified application: the organisation (accounts emits organisation_created, academy makes
    its onboarding plan), then an invitation for the contact as partner admin.

    The status change and the organisation commit together (create_organisation commits the transaction
    that locked the application); a second approval waits for the lock and then finds it approved. The
    invitation is a second step: when accounts refuses it (the address has an account already), the approval
    stands and the manager sees why no invitation went out."""
    _vendor(manager)
    current = rules()
    segment = segment or current.new_partner_segment
    if segment not in ("referral", "sales", "strategic"):
        raise RecruitmentError(_("Choose the relationship."), "segment")
    tiers = [t.code for t in program_rules.current().tiers]
    tier = current.new_partner_tier if current.new_partner_tier in tiers else tiers[0]
    now = utcnow()
    with write_intent():
        try:
            application = _locked(application_id, "approve")
            if db.session.scalar(select(Organisation.id).where(Organisation.inn == application.inn)) is not None:
                raise RecruitmentError(_("An organisation with this INN already exists."))
        except RecruitmentError:
            db.session.rollback()
            raise
        application.status, application.decided_at, application.open_inn = APPROVED, now, None
        application.decided_by_id, application.updated_at = manager.id, now
        regions = application.region_codes
        try:
            org = accounts.create_organisation(manager, application.company, application.partner_type, segment,
                                               regions[0] if regions else "", tier, application.inn)
        except Exception:
            db.session.rollback()
            raise
    with _writing():
        application = db.session.get(Application, application_id)
        application.organisation_id = org.id
        org = db.session.get(Organisation, org.id)
        if application.website and not org.website:
            org.website = application.website
        if application.target_id:
            target = db.session.get(Target, application.target_id)
            if target is not None and target.stage != "dropped":
                target.stage, target.updated_at = "signed", now
        _decided(application, "approved", manager, now, segment=segment, tier=tier)
        _tell_applicant(application, "recruitment.approved")
    try:
        accounts.invite(None, application.contact_email, PARTNER_ADMIN, org, name=application.contact_name)
    except accounts.AccountsError as exc:
        with _writing():
            application = db.session.get(Application, application_id)
            application.invitation_note = str(exc.message)
        return Approval(application, org, False, str(exc.message))
    return Approval(db.session.get(Application, application_id), org, True)


# --- referral -----------------------------------------------------------------------------------------

def record_first_win(organisation_id: int, deal_id: int, now: datetime | None = None) -> bool:
    """The referral bonus for the first won deal of an organisation a partner referred, in the caller's
    transaction; once per referred organisation (unique key). True when it was new."""
    application = db.session.scalar(select(Application).where(Application.organisation_id == organisation_id))
    if application is None or application.referrer_id is None or application.referrer_id == organisation_id:
        return False
    key = f"referral:{organisation_id}"
    if db.session.scalar(select(ReferralBonus.id).where(ReferralBonus.key == key)) is not None:
        return False
    now = now or utcnow()
    points = int(rules().referral_bonus_points)
    try:
        with db.session.begin_nested():
            db.session.add(ReferralBonus(key=key, referrer_id=application.referrer_id, referred_id=organisation_id,
                                         deal_id=deal_id, points=points, created_at=now))
    except IntegrityError:
        return False
    audit("recruitment_referral", organisation_id, "bonus", organisation_id=application.referrer_id,
          deal_id=deal_id, points=points)
    events.referral_bonus_earned.emit(referrer_id=application.referrer_id, referred_id=organisation_id,
                                      deal_id=deal_id, points=points, earned_at=now)
    return True


def referral_bonuses(referrer_id: int) -> list[ReferralBonus]:
    return list(db.session.scalars(select(ReferralBonus).where(ReferralBonus.referrer_id == referrer_id)
                                   .order_by(ReferralBonus.id.desc())))
