"""MDF claims: the claim deadline, proof of performance, the manager's decision, payment and release.

After approval a request waits for a claim, filed from the activity's last day until its deadline
(`ends_on + rules mdf.claim_days`). A claim carries the actual cost, the amount claimed (at most the
approved amount), proof files (hub.files) and evidence the hub holds (the organisation's deals and
its attendance at vendor events in the activity window).

Money moves only under the organisation-quarter lock of services._account and by unique keys, one
per request, so a replayed or racing decision adds nothing:
  payable:<request>  claim approved: min(claimed, actual cost x vendor share, approved amount)
  paid:<request>     the manager marked it paid (date, reference) -> mdf_paid
  release:<request>  the request closed: what was approved and not payable goes back to the balance
                     (on payment, or in full when the deadline passed without a claim: the tick)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import func, select

from ... import facts, files, signals
from ...accounts.models import User
from ...core import notifications
from ...core.services import audit
from ...database import utcnow
from ...extensions import db
from ...i18n import fmt_date, money
from ...web import Page
from . import services
from .models import (APPROVED, CLAIM_APPROVED, CLAIM_LIVE, CLAIM_MORE, CLAIM_OPEN, CLAIM_PAID, CLAIM_REJECTED,
                     CLAIM_SUBMITTED, CLOSED, EXPIRE, PAID, PAYABLE, PROOF_KINDS, RELEASE, RELEASED, MdfClaim, MdfDeal,
                     MdfEntry, MdfEvidence, MdfNotice, MdfProof, MdfRequest)
from .services import MdfError, NotFound, _add_entry, _account, _writing, rules, today

# Invoices, acts and UPD come as PDF, Word or Excel; photos as PNG or JPEG. 10 MB each.
PROOFS = files.UploadRule(types=("pdf", "docx", "xlsx", "png", "jpeg"), max_bytes=10 * 1024 * 1024)
MAX_PROOFS = 5
REFERENCE_MAX = 100


def claim_deadline(request: MdfRequest) -> date:
    return request.ends_on + timedelta(days=int(rules().claim_days))


def claim_opens(request: MdfRequest) -> date:
    return request.ends_on


def current_claim(request_id: int) -> MdfClaim | None:
    """The newest claim of a request (a rejected one stays visible until the next is filed)."""
    return db.session.scalar(select(MdfClaim).where(MdfClaim.request_id == request_id)
                             .order_by(MdfClaim.id.desc()).limit(1))


def claims_of(request_id: int) -> list[MdfClaim]:
    return list(db.session.scalars(select(MdfClaim).where(MdfClaim.request_id == request_id)
                                   .order_by(MdfClaim.id.desc())))


@dataclass
class ClaimInput:
    actual_cost_kopecks: int
    claimed_kopecks: int
    note: str = ""
    deal_ids: list[int] = field(default_factory=list)
    attendance: bool = False


def check_claim(user: User, request: MdfRequest, data: ClaimInput, day: date | None = None) -> dict[str, str]:
    """Problems by field (form field names); empty when the claim may be filed now."""
    day = day or today()
    problems = {}
    if request.status != APPROVED:
        problems["claimed"] = _("Only an approved request can be claimed.")
        return problems
    if day < claim_opens(request):
        problems["actual_cost"] = _("A claim is filed after the activity, from %(day)s.",
                                    day=fmt_date(claim_opens(request)))
    elif day > claim_deadline(request):
        problems["actual_cost"] = _("The deadline for the claim passed on %(day)s.",
                                    day=fmt_date(claim_deadline(request)))
    if data.actual_cost_kopecks <= 0:
        problems["actual_cost"] = _("Enter an amount above zero.")
    if data.claimed_kopecks <= 0:
        problems["claimed"] = _("Enter an amount above zero.")
    elif data.claimed_kopecks > (request.approved_kopecks or 0):
        problems["claimed"] = _("The claim is above the approved amount (%(amount)s).",
                                amount=money(request.approved_kopecks or 0))
    elif data.claimed_kopecks > data.actual_cost_kopecks:
        problems["claimed"] = _("The claim cannot be above the actual cost.")
    live = db.session.scalar(select(MdfClaim.id).where(MdfClaim.request_id == request.id,
                                                       MdfClaim.status.in_(CLAIM_LIVE)))
    if live is not None:
        problems["claimed"] = _("This request already has a claim.")
    allowed = {d.deal_id for d in window_deals(request)}
    if set(data.deal_ids) - allowed:
        problems["deals"] = _("Pick deals of your organisation registered in the activity window.")
    return problems


def store_proofs(uploads: list[tuple[str, object]]) -> list[tuple[str, files.StoredFile]]:
    """Each (kind, FileStorage) with a file through hub.files; UploadRefused names what is wrong."""
    stored = []
    for kind, upload in uploads:
        if upload is None or not getattr(upload, "filename", None):
            continue
        if kind not in PROOF_KINDS:
            raise files.UploadRefused(_("Choose what the file is."))
        stored.append((kind, files.save_upload(upload, PROOFS)))
    return stored


def file_claim(user: User, request_id: int, data: ClaimInput, proofs: list[tuple[str, files.StoredFile]],
               day: date | None = None) -> MdfClaim:
    """File a claim (proofs already stored by store_proofs). MdfError when not allowed; nothing saved."""
    if not user.is_partner:
        raise NotFound(_("This request does not exist."))
    with _writing():
        request = db.session.get(MdfRequest, request_id)
        if request is None or request.organisation_id != user.organisation_id:
            raise NotFound(_("This request does not exist."))
        _account(request.organisation_id, request.quarter, lock=True)
        request = db.session.scalar(select(MdfRequest).where(MdfRequest.id == request_id)
                                    .execution_options(populate_existing=True))
        problems = check_claim(user, request, data, day)
        if problems:
            raise MdfError(" ".join(problems.values()))
        if not proofs:
            raise MdfError(_("Attach at least one proof file (invoice, photos, act or UPD)."))
        now = utcnow()
        claim = MdfClaim(request_id=request.id, organisation_id=request.organisation_id, user_id=user.id,
                         actual_cost_kopecks=data.actual_cost_kopecks, claimed_kopecks=data.claimed_kopecks,
                         note=data.note.strip(), status=CLAIM_SUBMITTED, submitted_at=now)
        db.session.add(claim)
        db.session.flush()
        taken = set()
        for kind, stored in proofs:
            name = files.unique_name(stored.name, taken)
            taken.add(name)
            db.session.add(MdfProof(claim_id=claim.id, kind=kind, name=name, sha256=stored.sha256,
                                    size=stored.size, content_type=stored.content_type, created_at=now))
        deals = {d.deal_id: d for d in window_deals(request)}
        for deal_id in sorted(set(data.deal_ids)):
            deal = deals[deal_id]
            deal.request_id = request.id  # the deal is counted in this activity's ROI
            db.session.add(MdfEvidence(claim_id=claim.id, kind="deal", ref_id=deal_id, amount_kopecks=deal.amount_kopecks,
                                       label=f"#{deal_id} {deal.product}"[:300]))
        if data.attendance:
            count = window_attendance(request)
            if count:
                db.session.add(MdfEvidence(claim_id=claim.id, kind="attendance", ref_id=0, amount_kopecks=0,
                                           label=str(count)))
        signals.mdf_claim_submitted.emit(claim_id=claim.id, request_id=request.id,
                                         organisation_id=request.organisation_id, user_id=user.id,
                                         claimed_kopecks=claim.claimed_kopecks, submitted_at=now)
        audit("mdf_claim", claim.id, "submit", actor=user, organisation_id=request.organisation_id,
              request_id=request.id, claimed_kopecks=claim.claimed_kopecks,
              actual_cost_kopecks=claim.actual_cost_kopecks, proofs=len(proofs))
    return claim


def get_claim(user: User, claim_id: int) -> MdfClaim:
    claim = db.session.get(MdfClaim, claim_id)
    if claim is None or not (user.is_vendor or claim.organisation_id == user.organisation_id):
        raise NotFound(_("This claim does not exist."))
    return claim


def _locked_claim(claim_id: int) -> tuple[MdfClaim, MdfRequest]:
    """Lock the claim's organisation-quarter account, then read the claim and its request afresh."""
    claim = db.session.get(MdfClaim, claim_id)
    if claim is None:
        raise NotFound(_("This claim does not exist."))
    request = db.session.get(MdfRequest, claim.request_id)
    _account(request.organisation_id, request.quarter, lock=True)
    claim = db.session.scalar(select(MdfClaim).where(MdfClaim.id == claim_id)
                              .execution_options(populate_existing=True))
    request = db.session.scalar(select(MdfRequest).where(MdfRequest.id == claim.request_id)
                                .execution_options(populate_existing=True))
    return claim, request


def payable_of(claim: MdfClaim, request: MdfRequest) -> int:
    """min(claimed, actual cost x vendor share, approved amount), in kopecks (rounded down)."""
    share = claim.actual_cost_kopecks * request.share_percent // 100
    return max(0, min(claim.claimed_kopecks, share, request.approved_kopecks or 0))


def _partners(request: MdfRequest, claim: MdfClaim | None = None) -> list[User]:
    ids = {i for i in (request.user_id, getattr(claim, "user_id", None)) if i}
    return list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []


def _decided(claim: MdfClaim, request: MdfRequest, decision: str, manager: User, now: datetime) -> None:
    signals.mdf_claim_decided.emit(claim_id=claim.id, request_id=request.id, organisation_id=request.organisation_id,
                                   decision=decision, payable_kopecks=claim.payable_kopecks, decided_at=now,
                                   actor_id=manager.id)
    audit("mdf_claim", claim.id, decision, actor=manager, organisation_id=request.organisation_id,
          request_id=request.id, payable_kopecks=claim.payable_kopecks, reason=claim.decision_reason)


def approve_claim(manager: User, claim_id: int) -> MdfClaim:
    """The payable entry (once per request, under the lock) and the due date of the payment."""
    if not manager.is_vendor:
        raise NotFound(_("This claim does not exist."))
    with _writing():
        claim, request = _locked_claim(claim_id)
        if claim.status not in CLAIM_OPEN:
            raise MdfError(_("This claim is already decided."))
        amount = payable_of(claim, request)
        if not _add_entry(request.organisation_id, request.quarter, PAYABLE, amount, f"payable:{request.id}",
                          request_id=request.id, actor=manager, reason="claim approved"):
            raise MdfError(_("This claim is already decided."))
        now = utcnow()
        claim.status, claim.payable_kopecks, claim.decider_id, claim.decided_at = CLAIM_APPROVED, amount, manager.id, now
        claim.due_on = now.date() + timedelta(days=int(rules().payment_days))
        _decided(claim, request, "approved", manager, now)
        notifications.send(_partners(request, claim), "mdf.claim_approved", obj=claim, link_endpoint="mdf.show",
                           link_values={"request_id": request.id},
                           params={"title": request.title, "amount": notifications.Money(amount),
                                   "due": claim.due_on})
    return claim


def send_back_claim(manager: User, claim_id: int, decision: str, reason: str) -> MdfClaim:
    """Reject (the partner may claim again before the deadline) or ask for more proof, with a reason."""
    if not manager.is_vendor:
        raise NotFound(_("This claim does not exist."))
    if decision not in ("rejected", "more_info"):
        raise MdfError(_("Choose a decision."))
    if not reason.strip():
        raise MdfError(_("Give a reason."))
    with _writing():
        claim, request = _locked_claim(claim_id)
        if claim.status not in CLAIM_OPEN or (decision == "more_info" and claim.status == CLAIM_MORE):
            raise MdfError(_("This claim is already decided."))
        now = utcnow()
        claim.status = CLAIM_REJECTED if decision == "rejected" else CLAIM_MORE
        claim.decision_reason, claim.decider_id, claim.decided_at = reason.strip(), manager.id, now
        _decided(claim, request, decision, manager, now)
        notifications.send(_partners(request, claim),
                           "mdf.claim_rejected" if decision == "rejected" else "mdf.claim_more", obj=claim,
                           link_endpoint="mdf.show", link_values={"request_id": request.id},
                           params={"title": request.title, "reason": claim.decision_reason})
    return claim


def add_proof(user: User, claim_id: int, proofs: list[tuple[str, files.StoredFile]], note: str = "") -> MdfClaim:
    """The partner answers "more proof, please": files added, the claim is back in the manager's queue."""
    if not user.is_partner:
        raise NotFound(_("This claim does not exist."))
    with _writing():
        claim = db.session.get(MdfClaim, claim_id)
        if claim is None or claim.organisation_id != user.organisation_id:
            raise NotFound(_("This claim does not exist."))
        claim, request = _locked_claim(claim_id)
        if claim.status != CLAIM_MORE:
            raise MdfError(_("More proof was not asked for this claim."))
        if not proofs:
            raise MdfError(_("Attach at least one proof file (invoice, photos, act or UPD)."))
        taken = {p.name for p in claim.proofs}
        for kind, stored in proofs:
            name = files.unique_name(stored.name, taken)
            taken.add(name)
            db.session.add(MdfProof(claim_id=claim.id, kind=kind, name=name, sha256=stored.sha256,
                                    size=stored.size, content_type=stored.content_type, created_at=utcnow()))
        if note.strip():
            claim.note = (claim.note + "\n\n" + note.strip()).strip()[:5000]
        claim.status = CLAIM_SUBMITTED
        audit("mdf_claim", claim.id, "more_proof", actor=user, organisation_id=claim.organisation_id,
              proofs=len(proofs))
    return claim


def _release(request: MdfRequest, actor, reason: str, day: date | None = None) -> int:
    """Give back what was committed to the request and will not be paid (once: release:<request>).
    In a quarter that has already ended the money cannot be used any more: it expires at once
    (expire:release:<request>), so an ended quarter never shows an available balance."""
    committed = int(db.session.scalar(select(MdfEntry.amount_kopecks).where(MdfEntry.key == f"commit:{request.id}")) or 0)
    payable = int(db.session.scalar(select(MdfEntry.amount_kopecks).where(MdfEntry.key == f"payable:{request.id}")) or 0)
    left = committed - payable
    if left > 0 and _add_entry(request.organisation_id, request.quarter, RELEASE, left, f"release:{request.id}",
                               request_id=request.id, actor=actor, reason=reason):
        if services.quarter_end(request.quarter) < (day or today()):
            _add_entry(request.organisation_id, request.quarter, EXPIRE, left, f"expire:release:{request.id}",
                       request_id=request.id, reason="quarter ended")
        return left
    return 0


def mark_paid(manager: User, claim_id: int, paid_on: date, reference: str) -> MdfClaim:
    """The paid entry, the release of the remainder, the request closed; mdf_paid for the other features."""
    if not manager.is_vendor:
        raise NotFound(_("This claim does not exist."))
    reference = (reference or "").strip()
    if not reference or len(reference) > REFERENCE_MAX:
        raise MdfError(_("Give the payment reference (at most %(n)s characters).", n=REFERENCE_MAX))
    with _writing():
        claim, request = _locked_claim(claim_id)
        if claim.status != CLAIM_APPROVED:
            raise MdfError(_("Only an approved, unpaid claim can be marked paid."))
        if paid_on > today() or (claim.decided_at and paid_on < claim.decided_at.date()):
            raise MdfError(_("The payment date must be between the claim's approval and today."))
        amount = claim.payable_kopecks or 0
        if not _add_entry(request.organisation_id, request.quarter, PAID, amount, f"paid:{request.id}",
                          request_id=request.id, actor=manager, reason="claim paid"):
            raise MdfError(_("Only an approved, unpaid claim can be marked paid."))
        now = utcnow()
        claim.status, claim.paid_on, claim.payment_reference = CLAIM_PAID, paid_on, reference
        claim.payer_id, claim.paid_at = manager.id, now
        released = _release(request, manager, "request closed")
        request.status = CLOSED
        signals.mdf_paid.emit(request_id=request.id, claim_id=claim.id, organisation_id=request.organisation_id,
                              amount_kopecks=amount, paid_at=now, actor_id=manager.id)
        audit("mdf_claim", claim.id, "paid", actor=manager, organisation_id=request.organisation_id,
              request_id=request.id, amount_kopecks=amount, paid_on=paid_on.isoformat(), reference=reference,
              released_kopecks=released)
        notifications.send(_partners(request, claim), "mdf.paid", obj=claim, link_endpoint="mdf.show",
                           link_values={"request_id": request.id},
                           params={"title": request.title, "amount": notifications.Money(amount)})
    return claim


def close_request(manager: User, request_id: int, reason: str) -> MdfRequest:
    """A manager closes an approved request that will not be claimed: everything committed goes back."""
    if not manager.is_vendor:
        raise NotFound(_("This request does not exist."))
    if not reason.strip():
        raise MdfError(_("Give a reason."))
    with _writing():
        request = db.session.get(MdfRequest, request_id)
        if request is None:
            raise NotFound(_("This request does not exist."))
        _account(request.organisation_id, request.quarter, lock=True)
        request = db.session.scalar(select(MdfRequest).where(MdfRequest.id == request_id)
                                    .execution_options(populate_existing=True))
        if request.status != APPROVED or db.session.scalar(
                select(MdfClaim.id).where(MdfClaim.request_id == request.id, MdfClaim.status.in_(CLAIM_LIVE))):
            raise MdfError(_("Only an approved request without a claim can be closed."))
        released = _release(request, manager, reason.strip()[:500])
        request.status, request.decision_reason = RELEASED, reason.strip()[:2000]
        audit("mdf_request", request.id, "closed", actor=manager, organisation_id=request.organisation_id,
              released_kopecks=released, reason=reason.strip())
        notifications.send(_partners(request), "mdf.released", obj=request, link_endpoint="mdf.show",
                           link_values={"request_id": request.id},
                           params={"title": request.title, "amount": notifications.Money(released)})
    return request


def release_unclaimed(day: date | None = None) -> int:
    """The tick: approved requests whose claim deadline passed with no live claim are released, once
    each (the release key), and the partner hears of it (once, the MdfNotice key)."""
    day = day or today()
    last_end = day - timedelta(days=int(rules().claim_days) + 1)
    done = 0
    with _writing():
        ids = list(db.session.scalars(select(MdfRequest.id).where(MdfRequest.status == APPROVED,
                                                                  MdfRequest.ends_on <= last_end)
                                      .order_by(MdfRequest.id)))
        for request_id in ids:
            request = db.session.get(MdfRequest, request_id)
            _account(request.organisation_id, request.quarter, lock=True)
            request = db.session.scalar(select(MdfRequest).where(MdfRequest.id == request_id)
                                        .execution_options(populate_existing=True))
            if request.status != APPROVED or claim_deadline(request) >= day:
                continue
            if db.session.scalar(select(MdfClaim.id).where(MdfClaim.request_id == request.id,
                                                           MdfClaim.status.in_(CLAIM_LIVE))):
                continue  # filed in time: the manager decides it
            released = _release(request, None, "claim deadline passed", day)
            request.status = RELEASED
            audit("mdf_request", request.id, "released", organisation_id=request.organisation_id,
                  released_kopecks=released)
            key = f"released:{request.id}"
            if db.session.get(MdfNotice, key) is None:
                db.session.add(MdfNotice(key=key, sent_at=utcnow()))
                notifications.send(_partners(request), "mdf.released", obj=request, link_endpoint="mdf.show",
                                   link_values={"request_id": request.id},
                                   params={"title": request.title, "amount": notifications.Money(released)})
            done += 1
    return done


# --- evidence the hub holds -------------------------------------------------------------------------

def _window(request: MdfRequest) -> tuple[datetime, datetime]:
    """From 30 days before the activity to the claim deadline (deals an activity brings come later)."""
    start = datetime.combine(request.starts_on - timedelta(days=30), time.min, tzinfo=timezone.utc)
    end = datetime.combine(claim_deadline(request) + timedelta(days=1), time.min, tzinfo=timezone.utc)
    return start, end


def window_deals(request: MdfRequest, limit: int = 200) -> list[MdfDeal]:
    """The organisation's deals registered in the activity window, not linked to another activity."""
    start, end = _window(request)
    return list(db.session.scalars(select(MdfDeal).where(
        MdfDeal.organisation_id == request.organisation_id, MdfDeal.submitted_at >= start,
        MdfDeal.submitted_at < end, (MdfDeal.request_id.is_(None)) | (MdfDeal.request_id == request.id))
        .order_by(MdfDeal.submitted_at.desc(), MdfDeal.deal_id.desc()).limit(limit)))


def linked_deals(request_id: int) -> list[MdfDeal]:
    return list(db.session.scalars(select(MdfDeal).where(MdfDeal.request_id == request_id)
                                   .order_by(MdfDeal.submitted_at, MdfDeal.deal_id)))


def link_deals(user: User, request_id: int, deal_ids: list[int]) -> int:
    """The partner says which of its deals the activity brought (replaces the previous pick)."""
    if not user.is_partner:
        raise NotFound(_("This request does not exist."))
    with _writing():
        request = db.session.get(MdfRequest, request_id)
        if request is None or request.organisation_id != user.organisation_id:
            raise NotFound(_("This request does not exist."))
        if request.status not in (APPROVED, CLOSED, RELEASED):
            raise MdfError(_("Deals are linked to an approved activity."))
        allowed = {d.deal_id: d for d in window_deals(request)}
        if set(deal_ids) - set(allowed):
            raise MdfError(_("Pick deals of your organisation registered in the activity window."))
        if {d.deal_id for d in allowed.values() if d.request_id == request.id} == set(deal_ids):
            return len(set(deal_ids))  # nothing changes (the same form sent again)
        for deal in allowed.values():
            deal.request_id = request.id if deal.deal_id in deal_ids else None
        audit("mdf_request", request.id, "deals_linked", actor=user, organisation_id=request.organisation_id,
              deal_ids=sorted(deal_ids))
    return len(deal_ids)


def window_attendance(request: MdfRequest) -> int:
    """Attendances of the organisation's people at vendor events during the activity (community.events
    through the `events_attended` fact; 0 when that feature is absent)."""
    start = datetime.combine(request.starts_on, time.min, tzinfo=timezone.utc)
    end = datetime.combine(request.ends_on + timedelta(days=1), time.min, tzinfo=timezone.utc)
    since_start = facts.get("events_attended", [request.organisation_id], start, default={}) or {}
    since_end = facts.get("events_attended", [request.organisation_id], end, default={}) or {}
    return int(since_start.get(request.organisation_id, 0)) - int(since_end.get(request.organisation_id, 0))


QUEUE = (CLAIM_SUBMITTED, CLAIM_APPROVED)


def queue_page(page: int, per_page: int, statuses=QUEUE) -> Page:
    """Claims waiting for a manager (filed, or approved and not yet paid), oldest first, with their
    requests, one page and the total (two queries)."""
    total = db.session.scalar(select(func.count(MdfClaim.id)).where(MdfClaim.status.in_(statuses))) or 0
    rows = list(db.session.execute(select(MdfClaim, MdfRequest).join(MdfRequest, MdfRequest.id == MdfClaim.request_id)
                                   .where(MdfClaim.status.in_(statuses))
                                   .order_by(MdfClaim.submitted_at, MdfClaim.id)
                                   .offset((page - 1) * per_page).limit(per_page)).unique().all())
    return Page(rows, page, per_page, total)
