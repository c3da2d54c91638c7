"""The rules of MDF: the ledger's balances, requests and their decisions. Routes and tests call these.

Approving locks the organisation-quarter `MdfAccount` row (`SELECT ... FOR UPDATE` on PostgreSQL;
BEGIN IMMEDIATE on SQLite through `write_intent`), recounts the available balance from the entries,
and writes the commit entry only if it fits: racing approvals queue on the lock and never overspend.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import String, case, cast, func, literal, select
from sqlalchemy.orm import aliased
from sqlalchemy.exc import IntegrityError

from ... import signals
from ...accounts.models import Organisation, User
from ...core import notifications
from ...core.services import audit
from ...database import utcnow, write_intent
from ...extensions import db
from ...i18n import money
from ...program import rules as program_rules
from ...upsert import dialect_insert
from ...web import Page
from .models import (ADJUST, APPROVED, AWAITING_SECOND, CHANGES, COMMIT, CREDIT, DECLINED, EXPIRE, OPEN, RELEASE,
                     SUBMITTED, MdfAccount, MdfEntry, MdfNotice, MdfRequest)


class MdfError(Exception):
    """A change not allowed now; the message is for the user, already translated."""


class NotFound(MdfError):
    """Not there for this user (routes answer 404)."""


def today() -> date:
    return utcnow().date()


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def rules():
    return program_rules.current().mdf


@contextmanager
def _writing():
    with write_intent():
        try:
            yield
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise


# --- the ledger ------------------------------------------------------------------------------------

@dataclass
class Balance:
    allocated: int = 0
    committed: int = 0
    expired: int = 0
    available: int = 0


def _sums(organisation_id: int, quarters: list[str] | None = None) -> dict[str, Balance]:
    amount = MdfEntry.amount_kopecks
    query = select(
        MdfEntry.quarter,
        func.coalesce(func.sum(case((MdfEntry.kind.in_((CREDIT, ADJUST)), amount), else_=0)), 0),
        func.coalesce(func.sum(case((MdfEntry.kind == COMMIT, amount), (MdfEntry.kind == RELEASE, -amount),
                                    else_=0)), 0),
        func.coalesce(func.sum(case((MdfEntry.kind == EXPIRE, amount), else_=0)), 0),
    ).where(MdfEntry.organisation_id == organisation_id).group_by(MdfEntry.quarter)
    if quarters is not None:
        query = query.where(MdfEntry.quarter.in_(quarters))
    out = {}
    for quarter, allocated, committed, expired in db.session.execute(query):
        allocated, committed, expired = int(allocated), int(committed), int(expired)
        out[quarter] = Balance(allocated, committed, expired, allocated - committed - expired)
    return out


def balance(organisation_id: int, quarter: str) -> Balance:
    return _sums(organisation_id, [quarter]).get(quarter, Balance())


def balances(organisation_id: int) -> list[tuple[str, Balance]]:
    return sorted(_sums(organisation_id).items(), reverse=True)


def _add_entry(organisation_id: int, quarter: str, kind: str, amount: int, key: str, *, request_id=None,
               reason: str = "", actor=None) -> bool:
    """Add an entry unless its key exists (a replay adds nothing). True if added."""
    if db.session.scalar(select(MdfEntry.id).where(MdfEntry.key == key)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(MdfEntry(organisation_id=organisation_id, quarter=quarter, kind=kind,
                                    amount_kopecks=amount, key=key, request_id=request_id, reason=reason,
                                    actor_id=getattr(actor, "id", None), created_at=utcnow()))
    except IntegrityError:
        return False
    return True


def _account(organisation_id: int, quarter: str, lock: bool = False) -> MdfAccount:
    query = select(MdfAccount).where(MdfAccount.organisation_id == organisation_id, MdfAccount.quarter == quarter)
    account = db.session.scalar(query)
    if account is None:
        try:
            with db.session.begin_nested():
                db.session.add(MdfAccount(organisation_id=organisation_id, quarter=quarter))
        except IntegrityError:
            pass
    if lock:
        account = db.session.scalar(query.with_for_update().execution_options(populate_existing=True))
    else:
        account = db.session.scalar(query)
    return account


def ensure_credit(organisation: Organisation, quarter: str) -> bool:
    """The quarter's allocation from the tier, credited once (key credit:<org>:<quarter>). Caller commits."""
    _account(organisation.id, quarter)
    amount = rules().allocation_kopecks(organisation.tier)
    if amount <= 0:
        return False
    return _add_entry(organisation.id, quarter, CREDIT, amount, f"credit:{organisation.id}:{quarter}",
                      reason="tier allocation")


def credit_now(organisation: Organisation, quarter: str) -> None:
    """Credit lazily on the first view (its own short writing transaction)."""
    if rules().allocation_kopecks(organisation.tier) <= 0:
        return  # nothing to credit (an unfunded tier, or the accrued mode: won deals credit the fund)
    if db.session.scalar(select(MdfEntry.id).where(MdfEntry.key == f"credit:{organisation.id}:{quarter}")):
        return
    db.session.commit()  # end the read transaction: on SQLite the write must begin as a writer
    with _writing():
        ensure_credit(organisation, quarter)


def credit_all(day: date | None = None) -> int:
    """The tick: every partner organisation's allocation for the quarter of `day` (idempotent).

    Costs what changed: one query finds the partners of a funded tier without this quarter's credit
    (usually none), then one INSERT per table writes theirs (ON CONFLICT DO NOTHING by the keys)."""
    quarter = quarter_of(day or today())
    allocation = {tier: rules().allocation_kopecks(tier) for tier in rules().allocation_rub}
    funded = sorted(tier for tier, amount in allocation.items() if amount > 0)
    if not funded:
        return 0
    credited = (select(MdfEntry.id).where(MdfEntry.organisation_id == Organisation.id, MdfEntry.quarter == quarter,
                                          MdfEntry.kind == CREDIT).exists())
    missing = db.session.execute(select(Organisation.id, Organisation.tier).where(
        Organisation.kind == "partner", Organisation.tier.in_(funded), ~credited).order_by(Organisation.id)).all()
    if not missing:
        return 0
    now = utcnow()
    with _writing():
        db.session.execute(dialect_insert(MdfAccount).values(
            [{"organisation_id": org_id, "quarter": quarter, "created_at": now} for org_id, _tier in missing]
        ).on_conflict_do_nothing())
        done = db.session.execute(dialect_insert(MdfEntry).values([
            {"organisation_id": org_id, "quarter": quarter, "kind": CREDIT, "amount_kopecks": allocation[tier],
             "key": f"credit:{org_id}:{quarter}", "reason": "tier allocation", "created_at": now}
            for org_id, tier in missing]).on_conflict_do_nothing(index_elements=["key"]).returning(MdfEntry.id))
        return len(done.all())


# --- the accrued mode: a share of won revenue ---------------------------------------------------------

ACCRUED_REASON = "accrued"


@dataclass(frozen=True)
class Accrual:
    """How an accrued credit was computed, kept in the entry's reason as
    accrued:<deal>:<won kopecks>:<percent>:<tier>:<won quarter> and read back for the partner's page."""
    deal_id: int
    won_kopecks: int
    percent: str
    tier: str
    won_quarter: str

    def reason(self) -> str:
        return ":".join((ACCRUED_REASON, str(self.deal_id), str(self.won_kopecks), self.percent, self.tier,
                         self.won_quarter))

    @classmethod
    def parse(cls, reason: str | None) -> "Accrual | None":
        parts = (reason or "").split(":")
        if len(parts) != 6 or parts[0] != ACCRUED_REASON or not parts[1].isdigit() or not parts[2].isdigit():
            return None
        return cls(int(parts[1]), int(parts[2]), parts[3], parts[4], parts[5])


def accrue_from_win(deal_id: int, organisation_id: int, won_kopecks: int, won_on: date,
                    day: date | None = None) -> bool:
    """The accrued mode: a won deal credits its organisation's fund once (key accrued:<deal>), with the
    tier's share of the won amount, in the quarter the deal was won; if that quarter has already ended
    (a late or replayed delivery) in the current one, so that the money is not born expired. Runs in the
    caller's (the listener's) transaction; the organisation-quarter row is locked as approvals and the
    expiry lock it. True when it was credited now."""
    current = rules()
    if not current.accrued or won_kopecks <= 0:
        return False
    key = f"accrued:{deal_id}"
    if db.session.scalar(select(MdfEntry.id).where(MdfEntry.key == key)) is not None:
        return False
    tier = db.session.scalar(select(Organisation.tier).where(Organisation.id == organisation_id,
                                                             Organisation.kind == "partner"))
    amount = current.accrual_kopecks(won_kopecks, tier)
    if tier is None or amount <= 0:
        return False
    won_quarter = quarter_of(won_on)
    day = day or today()
    quarter = won_quarter if quarter_end(won_quarter) >= day else quarter_of(day)
    _account(organisation_id, quarter, lock=True)
    share = format(current.accrual_share(tier).normalize(), "f")
    return _add_entry(organisation_id, quarter, CREDIT, amount, key,
                      reason=Accrual(deal_id, won_kopecks, share, tier, won_quarter).reason())


@dataclass
class AllocationRule:
    """What the partner's fund page says about how its allocation is computed."""
    mode: str
    tier: str | None
    fixed_kopecks: int
    percent: str
    accruals: list[tuple[MdfEntry, Accrual]]

    @property
    def tier_name(self) -> str:
        tier = program_rules.current().tier(self.tier or "")
        return str(tier.name) if tier else (self.tier or "")


def allocation_rule(organisation: Organisation, limit: int = 20) -> AllocationRule:
    """The organisation's allocation rule now, with its latest accrued credits (one query, none in the
    fixed mode)."""
    current = rules()
    accruals = []
    if current.accrued:
        for entry in db.session.scalars(select(MdfEntry).where(
                MdfEntry.organisation_id == organisation.id, MdfEntry.kind == CREDIT,
                MdfEntry.key.like("accrued:%")).order_by(MdfEntry.created_at.desc(), MdfEntry.id.desc()).limit(limit)):
            parsed = Accrual.parse(entry.reason)
            if parsed is not None:
                accruals.append((entry, parsed))
    return AllocationRule(current.mode, organisation.tier, current.allocation_kopecks(organisation.tier),
                          format(current.accrual_share(organisation.tier).normalize(), "f"), accruals)


def quarter_end(quarter: str) -> date:
    year, q = int(quarter[:4]), int(quarter[-1])
    return date(year + 1, 1, 1) - timedelta(days=1) if q == 4 else date(year, 3 * q + 1, 1) - timedelta(days=1)


_AVAILABLE = func.coalesce(func.sum(case(
    (MdfEntry.kind.in_((CREDIT, ADJUST, RELEASE)), MdfEntry.amount_kopecks),
    (MdfEntry.kind.in_((COMMIT, EXPIRE)), -MdfEntry.amount_kopecks), else_=0)), 0)


_pair = aliased(MdfEntry)
_PAIR_AVAILABLE = func.coalesce(func.sum(case(
    (_pair.kind.in_((CREDIT, ADJUST, RELEASE)), _pair.amount_kopecks),
    (_pair.kind.in_((COMMIT, EXPIRE)), -_pair.amount_kopecks), else_=0)), 0)


def expire_ended(day: date | None = None) -> int:
    """The tick: what is still available in a quarter that has ended expires (key expire:<org>:<quarter>).

    One aggregate over the ended quarters' pairs that have not expired yet finds the few with money left;
    only those are locked, recounted and written."""
    day = day or today()
    current = quarter_of(day)
    expired = (select(MdfEntry.id).where(MdfEntry.organisation_id == _pair.organisation_id,
                                         MdfEntry.quarter == _pair.quarter, MdfEntry.kind == EXPIRE,
                                         MdfEntry.key == literal("expire:") + cast(_pair.organisation_id, String)
                                         + literal(":") + _pair.quarter).exists())
    candidates = db.session.execute(
        select(_pair.organisation_id, _pair.quarter)
        .where(_pair.quarter < current, ~expired)
        .group_by(_pair.organisation_id, _pair.quarter)
        .having(_PAIR_AVAILABLE > 0)
        .order_by(_pair.organisation_id, _pair.quarter)).all()
    done = 0
    for organisation_id, quarter in candidates:
        if quarter_end(quarter) >= day:
            continue
        with _writing():
            _account(organisation_id, quarter, lock=True)
            left = balance(organisation_id, quarter).available
            if left > 0 and _add_entry(organisation_id, quarter, EXPIRE, left, f"expire:{organisation_id}:{quarter}",
                                       reason="quarter ended"):
                done += 1
    return done


def warn_expiring(day: date | None = None) -> int:
    """The tick: 30 and 7 days before a quarter ends, the partner's people hear what will expire
    (once each, by the primary key of `MdfNotice`). Outside the two windows it reads nothing; inside,
    one aggregate of the quarter's balances and one read of the notices already sent, then work only
    for the organisations not yet told."""
    day = day or today()
    quarter = quarter_of(day)
    days_left = (quarter_end(quarter) - day).days
    marks = [mark for mark in (30, 7) if days_left <= mark]
    if not marks:
        return 0
    left_by_org = dict(db.session.execute(
        select(MdfEntry.organisation_id, _AVAILABLE).join(Organisation, Organisation.id == MdfEntry.organisation_id)
        .where(MdfEntry.quarter == quarter, Organisation.kind == "partner")
        .group_by(MdfEntry.organisation_id).having(_AVAILABLE > 0)).all())
    sent_keys = set(db.session.scalars(select(MdfNotice.key).where(MdfNotice.key.like("expiring%"),
                                                                   MdfNotice.key.like(f"%:{quarter}"))))
    due = [(mark, org_id) for mark in marks for org_id in sorted(left_by_org)
           if f"expiring{mark}:{org_id}:{quarter}" not in sent_keys]
    if not due:
        return 0
    sent = 0
    with _writing():
        admins: dict[int, list[User]] = {}
        for person in db.session.scalars(select(User).where(
                User.organisation_id.in_({org_id for _mark, org_id in due}), User.role == "partner_admin")):
            admins.setdefault(person.organisation_id, []).append(person)
        for mark, org_id in due:
            key = f"expiring{mark}:{org_id}:{quarter}"
            try:
                with db.session.begin_nested():
                    db.session.add(MdfNotice(key=key, sent_at=utcnow()))
            except IntegrityError:
                continue
            notifications.send(admins.get(org_id, []), "mdf.expiring", link_endpoint="mdf.index",
                               params={"amount": notifications.Money(left_by_org[org_id]), "quarter": quarter})
            sent += 1
    return sent


def adjust(manager: User, organisation_id: int, quarter: str, amount: int, reason: str,
           token: str | None = None) -> MdfEntry:
    """A manager's adjustment. `token` (the form's hidden idempotency token) is the entry's unique key:
    the same form sent twice records one entry (the second send finds it and adds nothing)."""
    if not manager.is_vendor:
        raise NotFound(_("This organisation does not exist."))
    if not reason.strip():
        raise MdfError(_("Give a reason for the adjustment."))
    with _writing():
        _account(organisation_id, quarter, lock=True)
        key = f"adjust:{token}" if token else f"adjust:{organisation_id}:{quarter}:{utcnow().timestamp()}:{manager.id}"
        done = db.session.scalar(select(MdfEntry).where(MdfEntry.key == key))
        if done is not None:
            return done  # a double submit of the same form: already recorded
        if amount < 0 and balance(organisation_id, quarter).available + amount < 0:
            raise MdfError(_("The adjustment would make the available balance negative."))
        if not _add_entry(organisation_id, quarter, ADJUST, amount, key, reason=reason.strip(), actor=manager):
            return db.session.scalar(select(MdfEntry).where(MdfEntry.key == key))
        audit("mdf_account", organisation_id, "adjust", actor=manager, organisation_id=organisation_id,
              quarter=quarter, amount_kopecks=amount, reason=reason.strip())
    return db.session.scalar(select(MdfEntry).where(MdfEntry.key == key))


def entries(organisation_id: int, limit: int = 500) -> list[MdfEntry]:
    return list(db.session.scalars(select(MdfEntry).where(MdfEntry.organisation_id == organisation_id)
                                   .order_by(MdfEntry.created_at.desc(), MdfEntry.id.desc()).limit(limit)))


# --- requests --------------------------------------------------------------------------------------

FIELDS = ("activity", "title", "starts_on", "ends_on", "planned_cost_kopecks", "share_percent",
          "requested_kopecks", "expected_leads", "expected_pipeline_kopecks")


def check_values(values: dict, now_day: date | None = None) -> dict[str, str]:
    """Problems by field name (the form checks the same; kept here so a service caller can't skip them)."""
    problems = {}
    now_day = now_day or today()
    if values["starts_on"] < now_day:
        problems["starts_on"] = _("The activity cannot start in the past.")
    if values["ends_on"] < values["starts_on"]:
        problems["ends_on"] = _("The end cannot be before the start.")
    if not 1 <= values["share_percent"] <= 100:
        problems["share_percent"] = _("Between 1 and 100.")
    cap = values["planned_cost_kopecks"] * values["share_percent"] // 100
    if values["requested_kopecks"] > cap:
        problems["requested_kopecks"] = _("At most the planned cost times the vendor share.")
    if values["requested_kopecks"] <= 0:
        problems["requested_kopecks"] = _("Enter an amount above zero.")
    return problems


def submit(user: User, values: dict) -> MdfRequest:
    if not user.is_partner:
        raise NotFound(_("This request does not exist."))
    if check_values(values):
        raise MdfError(_("Check the highlighted fields."))
    with _writing():
        now = utcnow()
        request = MdfRequest(organisation_id=user.organisation_id, user_id=user.id,
                             quarter=quarter_of(values["starts_on"]), status=SUBMITTED, submitted_at=now,
                             **{k: values[k] for k in FIELDS})
        db.session.add(request)
        db.session.flush()
        signals.mdf_request_submitted.emit(request_id=request.id, organisation_id=request.organisation_id,
                                           user_id=user.id, amount_kopecks=request.requested_kopecks,
                                           submitted_at=now)
        audit("mdf_request", request.id, "submit", actor=user, organisation_id=request.organisation_id)
    return request


def get_request(user: User, request_id: int) -> MdfRequest:
    request = db.session.get(MdfRequest, request_id)
    if request is None or not (user.is_vendor or request.organisation_id == user.organisation_id):
        raise NotFound(_("This request does not exist."))
    return request


def resubmit(user: User, request_id: int, values: dict) -> MdfRequest:
    with _writing():
        request = db.session.scalar(select(MdfRequest).where(MdfRequest.id == request_id)
                                  .with_for_update(of=MdfRequest))
        if request is None or not user.is_partner or request.organisation_id != user.organisation_id:
            raise NotFound(_("This request does not exist."))
        if request.status != CHANGES:
            raise MdfError(_("Only a request sent back for changes can be edited."))
        if check_values(values):
            raise MdfError(_("Check the highlighted fields."))
        for key in FIELDS:
            setattr(request, key, values[key])
        request.quarter = quarter_of(values["starts_on"])
        request.status, request.submitted_at, request.first_approver_id = SUBMITTED, utcnow(), None
        audit("mdf_request", request.id, "resubmit", actor=user, organisation_id=request.organisation_id)
    return request


def list_requests(organisation_id: int | None = None, statuses=None, limit: int = 200) -> list[MdfRequest]:
    query = select(MdfRequest)
    if organisation_id is not None:
        query = query.where(MdfRequest.organisation_id == organisation_id)
    if statuses:
        query = query.where(MdfRequest.status.in_(statuses))
    return list(db.session.scalars(query.order_by(MdfRequest.submitted_at.desc(), MdfRequest.id.desc())
                                   .limit(limit)).unique())


def requests_page(statuses, page: int, per_page: int) -> Page:
    """One page of the requests in these statuses, newest first, with their total (two queries)."""
    where = MdfRequest.status.in_(statuses)
    total = db.session.scalar(select(func.count(MdfRequest.id)).where(where)) or 0
    items = list(db.session.scalars(select(MdfRequest).where(where)
                                    .order_by(MdfRequest.submitted_at.desc(), MdfRequest.id.desc())
                                    .offset((page - 1) * per_page).limit(per_page)).unique())
    return Page(items, page, per_page, total)


def _partners_of(request: MdfRequest) -> list[User]:
    people = [db.session.get(User, request.user_id)] if request.user_id else []
    return [p for p in people if p is not None]


def _decided(request: MdfRequest, decision: str, manager: User, now: datetime) -> None:
    signals.mdf_request_decided.emit(request_id=request.id, organisation_id=request.organisation_id,
                                     decision=decision, approved_kopecks=request.approved_kopecks,
                                     decided_at=now, actor_id=manager.id)
    audit("mdf_request", request.id, decision, actor=manager, organisation_id=request.organisation_id,
          approved_kopecks=request.approved_kopecks, reason=request.decision_reason)


def approve(manager: User, request_id: int, amount: int | None = None) -> MdfRequest:
    """Approve in full (amount None) or in part. Above the second-approver threshold the first
    approval waits for a second, different manager; money is committed on the final approval only."""
    if not manager.is_vendor:
        raise NotFound(_("This request does not exist."))
    with _writing():
        request = db.session.get(MdfRequest, request_id)
        if request is None:
            raise NotFound(_("This request does not exist."))
        organisation_id, quarter = request.organisation_id, request.quarter
        ensure_credit(request.organisation, quarter)
        _account(organisation_id, quarter, lock=True)
        request = db.session.scalar(select(MdfRequest).where(MdfRequest.id == request_id)
                                    .execution_options(populate_existing=True))
        if request.status not in OPEN:
            raise MdfError(_("This request is already decided."))
        if request.status == AWAITING_SECOND:
            if request.first_approver_id == manager.id:
                raise MdfError(_("A second, different manager must approve this request."))
            amount = request.approved_kopecks
        else:
            amount = request.requested_kopecks if amount is None else amount
            if not 0 < amount <= request.requested_kopecks:
                raise MdfError(_("The approved amount must be above zero and at most the requested amount."))
        available = balance(organisation_id, quarter).available
        if amount > available:
            raise MdfError(_("Not enough fund available in %(quarter)s: %(available)s left.",
                             quarter=quarter, available=money(available)))
        now = utcnow()
        if request.status == SUBMITTED and amount > rules().second_approver_kopecks:
            request.status, request.first_approver_id, request.approved_kopecks = AWAITING_SECOND, manager.id, amount
            audit("mdf_request", request.id, "first_approval", actor=manager, organisation_id=organisation_id,
                  approved_kopecks=amount)
            return request
        _add_entry(organisation_id, quarter, COMMIT, amount, f"commit:{request.id}", request_id=request.id,
                   actor=manager, reason="approved")
        request.status, request.approved_kopecks = APPROVED, amount
        request.approver_id, request.approved_at, request.decided_at = manager.id, now, now
        decision = "approved" if amount == request.requested_kopecks else "partially_approved"
        _decided(request, decision, manager, now)
        notifications.send(_partners_of(request), "mdf.approved", obj=request, link_endpoint="mdf.show",
                           link_values={"request_id": request.id},
                           params={"title": request.title, "amount": notifications.Money(amount)})
    return request


def send_back(manager: User, request_id: int, decision: str, reason: str) -> MdfRequest:
    """Ask for changes (decision "changes_requested") or decline ("declined"), with a reason."""
    if not manager.is_vendor:
        raise NotFound(_("This request does not exist."))
    if not reason.strip():
        raise MdfError(_("Give a reason."))
    with _writing():
        request = db.session.scalar(select(MdfRequest).where(MdfRequest.id == request_id)
                                  .with_for_update(of=MdfRequest))
        if request is None:
            raise NotFound(_("This request does not exist."))
        if request.status not in OPEN:
            raise MdfError(_("This request is already decided."))
        now = utcnow()
        request.status = CHANGES if decision == "changes_requested" else DECLINED
        request.decision_reason, request.decided_at, request.approved_kopecks = reason.strip(), now, None
        request.first_approver_id = None
        _decided(request, decision, manager, now)
        notifications.send(_partners_of(request), "mdf.changes" if request.status == CHANGES else "mdf.declined",
                           obj=request, link_endpoint="mdf.show", link_values={"request_id": request.id},
                           params={"title": request.title, "reason": request.decision_reason})
    return request
