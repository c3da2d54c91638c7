"""Partner -> vendor referrals (D10): a referral partner recommends a customer with the contact's
consent; managers qualify it; a won referral's fee is written once (`referral_won` -> the listener ->
`record_fee`, unique per referral) and shown on the partner's own statement, apart from sales deals.

The shared checks, the writing transaction and the errors are the leads' own (services.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ... import csvexport, signals
from ... import inn as inn_numbers
from ...accounts.models import Organisation, User
from ...core import notifications
from ...core.services import audit
from ...database import utcnow
from ...deals import public as deals
from ...extensions import db
from .models import CONTACTED, LOST, NEW, OWED, PAID, REFERRAL_STATUSES, WON, Referral, ReferralFee
from .services import LIMITS, LeadError, NotFound, _managers, _partners, _text, _writing, contact_problems, rules


def is_referral_partner(user) -> bool:
    return bool(getattr(user, "is_partner", False) and user.organisation.segment == "referral")


def submit_referral(user: User, values: dict, now: datetime | None = None) -> Referral:
    if not is_referral_partner(user):
        raise NotFound(_("Only referral partners recommend customers here."))
    problems = contact_problems(values)
    if not values.get("consent"):
        problems["consent"] = _("Confirm that the contact agreed to be contacted.")
    if not _text(values, "contact_email") and not _text(values, "contact_phone"):
        problems.setdefault("contact_email", _("Give the contact's e-mail or phone (at least one)."))
    if problems:
        raise LeadError(_("Check the highlighted fields."))
    now = now or utcnow()
    with _writing():
        referral = Referral(organisation_id=user.organisation_id, user_id=user.id, company=_text(values, "company"),
                            inn=inn_numbers.clean(values.get("inn")) or None, contact_name=_text(values, "contact_name"),
                            contact_email=_text(values, "contact_email") or None,
                            contact_phone=_text(values, "contact_phone") or None, need=_text(values, "need"),
                            consent_at=now, status=NEW, created_at=now, updated_at=now)
        db.session.add(referral)
        db.session.flush()
        audit("referral", referral.id, "submitted", actor=user, organisation_id=user.organisation_id)
        notifications.send(_managers(user.organisation.account_manager_id), "leads.referral_new", obj=referral,
                           link_endpoint="leads.referral", link_values={"referral_id": referral.id},
                           params={"company": referral.company, "organisation": user.organisation.name}, now=now)
    return referral


def get_referral(user: User, referral_id: int) -> Referral:
    referral = db.session.get(Referral, referral_id)
    if referral is None or not (user.is_vendor or (user.is_partner and referral.organisation_id == user.organisation_id)):
        raise NotFound(_("This referral does not exist."))
    return referral


# The status as the referral partner reads it in a notification (rendered later, in the reader's language).
STATUS_TEXT = {NEW: {"en": "new", "ru": "новая"}, CONTACTED: {"en": "contacted", "ru": "связались"},
               WON: {"en": "won: the customer bought", "ru": "выиграна: клиент купил"},
               LOST: {"en": "lost", "ru": "проиграна"}}
NEXT = {NEW: (CONTACTED, WON, LOST), CONTACTED: (WON, LOST), WON: (), LOST: ()}


def qualify(manager: User, referral_id: int, status: str, amount_kopecks: int | None = None, note: str = "",
            now: datetime | None = None) -> Referral:
    """A manager moves a referral on: new -> contacted -> won (with the amount the customer bought
    for) / lost. Won and lost are final; won emits `referral_won`, which writes the fee."""
    if not manager.is_vendor:
        raise NotFound(_("This referral does not exist."))
    if status not in REFERRAL_STATUSES:
        raise LeadError(_("Choose a status from the list."))
    note = (note or "").strip()
    if len(note) > LIMITS["reason"] or "\x00" in note:
        raise LeadError(_("At most %(n)s characters.", n=LIMITS["reason"]))
    if status == WON:
        problem = deals.amount_problem(amount_kopecks)
        if problem:
            raise LeadError(problem)
    now = now or utcnow()
    with _writing():
        referral = db.session.scalar(select(Referral).where(Referral.id == referral_id)
                                     .with_for_update(of=Referral).execution_options(populate_existing=True))
        if referral is None:
            raise NotFound(_("This referral does not exist."))
        if status not in NEXT[referral.status]:
            raise LeadError(_("This referral is already closed.") if not NEXT[referral.status]
                            else _("This change of status is not possible."))
        referral.status, referral.updated_at, referral.decided_by_id = status, now, manager.id
        if note:
            referral.note = note
        if status == WON:
            referral.won_amount_kopecks = amount_kopecks
            fee, basis = fee_for(referral.organisation_id, amount_kopecks)
            # The fee travels with the event: the leads' fee line and the rewards statement line are
            # written from the same figure, whenever each listener runs.
            signals.referral_won.emit(referral_id=referral.id, organisation_id=referral.organisation_id,
                                      amount_kopecks=amount_kopecks, won_at=now, actor_id=manager.id,
                                      fee_kopecks=fee, fee_basis=basis)
        audit("referral", referral.id, status, actor=manager, organisation_id=referral.organisation_id,
              amount_kopecks=amount_kopecks)
        notifications.send(_partners(referral.organisation_id), "leads.referral_status", obj=referral,
                           link_endpoint="leads.referrals", params={"company": referral.company,
                                                                    "status": notifications.Translated(STATUS_TEXT[status])},
                           now=now)
    return referral


def fee_for(organisation_id: int, amount_kopecks: int) -> tuple[int, str]:
    """The referral fee per the rules for the referring organisation's tier now, and its basis."""
    tier = db.session.scalar(select(Organisation.tier).where(Organisation.id == organisation_id))
    return rules().fee(amount_kopecks, tier)


def record_fee(referral_id: int, organisation_id: int, amount_kopecks: int, at: datetime,
               fee: int | None = None, basis: str | None = None) -> bool:
    """The fee line of a won referral, once (unique referral_id); inside the caller's transaction.
    `fee`/`basis`: as the referral_won event carries them (computed from the rules if not given)."""
    if db.session.scalar(select(ReferralFee.id).where(ReferralFee.referral_id == referral_id)) is not None:
        return False
    if fee is None or basis is None:
        fee, basis = fee_for(organisation_id, amount_kopecks)
    try:
        with db.session.begin_nested():
            db.session.add(ReferralFee(referral_id=referral_id, organisation_id=organisation_id, amount_kopecks=fee,
                                       basis=basis, status=OWED, created_at=at))
    except IntegrityError:
        return False
    return True


def fee_paid_on_statement(referral_id: int, paid_at: datetime) -> bool:
    """The fee of this referral was paid on the commission statement (rewards' commission_line_paid):
    mark it paid here too, once. Inside the listener's transaction; True if it changed."""
    changed = db.session.execute(update(ReferralFee).where(ReferralFee.referral_id == referral_id,
                                                           ReferralFee.status == OWED)
                                 .values(status=PAID, paid_at=paid_at)).rowcount
    return bool(changed)


def referrals_of(organisation_id: int | None = None, status: str | None = None, limit: int = 500) -> list[Referral]:
    query = select(Referral).order_by(Referral.created_at.desc(), Referral.id.desc()).limit(limit)
    if organisation_id is not None:
        query = query.where(Referral.organisation_id == organisation_id)
    if status:
        query = query.where(Referral.status == status)
    return list(db.session.scalars(query))


def fees_by_referral(referral_ids: list[int]) -> dict[int, ReferralFee]:
    if not referral_ids:
        return {}
    return {f.referral_id: f for f in db.session.scalars(select(ReferralFee).where(
        ReferralFee.referral_id.in_(referral_ids)))}


def fee_totals(organisation_id: int) -> dict[str, int]:
    rows = db.session.execute(select(ReferralFee.status, func.coalesce(func.sum(ReferralFee.amount_kopecks), 0))
                              .where(ReferralFee.organisation_id == organisation_id)
                              .group_by(ReferralFee.status)).all()
    out = {OWED: 0, PAID: 0}
    out.update({status: int(total) for status, total in rows})
    return out


@dataclass
class ReportRow:
    organisation: Organisation
    counts: dict[str, int]
    won_kopecks: int
    owed_kopecks: int
    paid_kopecks: int


def referral_report() -> list[ReportRow]:
    """Per referral partner: referrals by status, the amount won, fees owed and paid. Kept apart from
    the sales partners' deals (its own page and CSV). Three queries whatever the number of rows."""
    counts = db.session.execute(select(Referral.organisation_id, Referral.status, func.count(),
                                       func.coalesce(func.sum(Referral.won_amount_kopecks), 0))
                                .group_by(Referral.organisation_id, Referral.status)).all()
    fees = db.session.execute(select(ReferralFee.organisation_id, ReferralFee.status,
                                     func.coalesce(func.sum(ReferralFee.amount_kopecks), 0))
                              .group_by(ReferralFee.organisation_id, ReferralFee.status)).all()
    ids = {row[0] for row in counts} | {row[0] for row in fees}
    orgs = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))} if ids else {}
    rows: dict[int, ReportRow] = {}
    for org_id in sorted(ids, key=lambda i: orgs[i].name if i in orgs else ""):
        if org_id in orgs:
            rows[org_id] = ReportRow(orgs[org_id], {s: 0 for s in REFERRAL_STATUSES}, 0, 0, 0)
    for org_id, status, count, won in counts:
        if org_id in rows:
            rows[org_id].counts[status] = int(count)
            if status == WON:
                rows[org_id].won_kopecks = int(won)
    for org_id, status, total in fees:
        if org_id in rows:
            if status == PAID:
                rows[org_id].paid_kopecks = int(total)
            else:
                rows[org_id].owed_kopecks = int(total)
    return list(rows.values())


def report_headers() -> list[str]:
    return [_("Referral partner"), _("New"), _("Contacted"), _("Won"), _("Lost"), _("Won amount, RUB"),
            _("Fees owed, RUB"), _("Fees paid, RUB")]


def report_rows(rows: list[ReportRow] | None = None):
    for r in rows if rows is not None else referral_report():
        yield [r.organisation.name, r.counts[NEW], r.counts[CONTACTED], r.counts[WON], r.counts[LOST],
               csvexport.Roubles(r.won_kopecks), csvexport.Roubles(r.owed_kopecks), csvexport.Roubles(r.paid_kopecks)]
