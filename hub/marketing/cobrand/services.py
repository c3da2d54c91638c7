"""The rules of co-branded material; routes, the demo and tests call these (never `request`).

- A download is one row per download event (`record_download`), written after the page's reads
  were committed, inside `write_intent()`.
- A custom request changes status only from an open one (`new`, `in_progress`), by a conditional
  UPDATE: two managers who deliver or decline the same request at once get one winner, and the other
  is told it was already decided (race test on both databases).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ... import facts, files
from ...accounts import profile
from ...accounts.models import PARTNER_ADMIN, Organisation, User
from ...core import notifications
from ...core.services import audit
from ...database import utcnow, write_intent
from ...extensions import db
from ...program import rules as program_rules
from . import catalogue, render
from .models import DECLINED, DELIVERED, IN_PROGRESS, NEW, OPEN, CobrandDownload, CobrandRequest

DELIVERY = files.UploadRule(types=("pdf", "png", "jpeg", "pptx", "docx"), max_bytes=20 * 1024 * 1024)
DELIVERY_OWNER = "cobrand-delivery"
REQUEST_LOGO_OWNER = "cobrand-request-logo"
DESCRIPTION_MAX, NOTES_MAX, REASON_MAX = 2000, 4000, 2000
DEADLINE_MAX_DAYS = 365


class CobrandError(Exception):
    """A change not allowed now; the message is for the user, already translated."""


class NotFound(CobrandError):
    """Not there for this user (routes answer 404)."""


def today() -> date:
    return utcnow().date()


def rules():
    return program_rules.current().cobrand


@contextmanager
def _writing():
    with write_intent():
        try:
            yield
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise


# --- the stamp -------------------------------------------------------------------------------------

def default_contacts(user: User) -> dict:
    """What the stamp form starts with: the person, their e-mail, the organisation's website."""
    org = user.organisation
    return {"person": user.name or "", "email": user.email or "", "website": (org.website or "") if org else "",
            "phone": ""}


def stamp_for(user: User, contacts: dict) -> render.Stamp:
    org = user.organisation
    logo = render.logo_data_url(render.stored_logo(org.logo_sha256)) if org.logo_sha256 else None
    return render.Stamp(name=org.name, person=(contacts.get("person") or "").strip(),
                        phone=(contacts.get("phone") or "").strip(), email=(contacts.get("email") or "").strip(),
                        website=(contacts.get("website") or "").strip(),
                        details=(contacts.get("details") or "").strip(), logo=logo)


# --- downloads -------------------------------------------------------------------------------------

def record_download(user: User, template_slug: str, language: str) -> None:
    """Count one download of `template_slug` for the user's organisation (its own transaction)."""
    user_id, org_id = user.id, user.organisation_id
    db.session.commit()  # only reads so far: ends the reader's snapshot
    with _writing():
        db.session.add(CobrandDownload(organisation_id=org_id, user_id=user_id, template=template_slug,
                                       language=language, created_at=utcnow()))


def download_pdf(user: User, template: catalogue.Template, contacts: dict, language: str) -> bytes:
    """The PDF for the user's organisation; counted once it is made."""
    data = render.pdf(template, stamp_for(user, contacts), language)
    record_download(user, template.slug, language)
    return data


def downloads_of(organisation_id: int, start: datetime, end: datetime) -> dict[str, int]:
    """Co-branded downloads of an organisation in [start, end) (UTC): template slug -> count."""
    rows = db.session.execute(
        select(CobrandDownload.template, func.count()).where(
            CobrandDownload.organisation_id == organisation_id, CobrandDownload.created_at >= start,
            CobrandDownload.created_at < end).group_by(CobrandDownload.template))
    return {slug: int(n) for slug, n in rows}


@facts.provides("cobrand_downloads")
def _downloads_fact(organisation_id: int, start: datetime, end: datetime) -> dict:
    found = downloads_of(organisation_id, start, end)
    return {"total": sum(found.values()), "by_template": found}


@dataclass(frozen=True)
class DownloadRow:
    template: str
    organisation_id: int
    organisation: str
    downloads: int
    last_at: datetime


def download_report(limit: int | None = None) -> list[DownloadRow]:
    """Downloads per template and organisation (one query), most first."""
    count = func.count(CobrandDownload.id)
    query = (select(CobrandDownload.template, Organisation.id, Organisation.name, count,
                    func.max(CobrandDownload.created_at))
             .join(Organisation, Organisation.id == CobrandDownload.organisation_id)
             .group_by(CobrandDownload.template, Organisation.id, Organisation.name)
             .order_by(count.desc(), CobrandDownload.template, Organisation.name))
    if limit:
        query = query.limit(limit)
    return [DownloadRow(t, oid, name, int(n), last) for t, oid, name, n, last in db.session.execute(query)]


def downloads_per_template() -> dict[str, int]:
    return {slug: int(n) for slug, n in db.session.execute(
        select(CobrandDownload.template, func.count()).group_by(CobrandDownload.template))}


# --- custom requests -------------------------------------------------------------------------------

def check_request(values: dict) -> dict[str, str]:
    """field -> problem for a request's values (the form shows them next to the fields)."""
    problems = {}
    slug = values.get("template") or None
    if slug is not None and catalogue.get(slug) is None:
        problems["template"] = _("Choose a template from the list.")
    description = values.get("description") or ""
    if slug is None and not description.strip():
        problems["description"] = _("Describe the piece you need, or choose a template.")
    if len(description) > DESCRIPTION_MAX:
        problems["description"] = _("At most %(n)s characters.", n=DESCRIPTION_MAX)
    if len(values.get("notes") or "") > NOTES_MAX:
        problems["notes"] = _("At most %(n)s characters.", n=NOTES_MAX)
    deadline = values.get("deadline")
    if not isinstance(deadline, date):
        problems["deadline"] = _("Enter the deadline.")
    elif deadline < today():
        problems["deadline"] = _("The deadline cannot be in the past.")
    elif deadline > today() + timedelta(days=DEADLINE_MAX_DAYS):
        problems["deadline"] = _("The deadline can be at most a year ahead.")
    return problems


def submit_request(user: User, values: dict, logo_upload=None) -> CobrandRequest:
    """A partner's request for a custom piece. A refused logo raises files.UploadRefused before
    anything is written."""
    if not user.is_partner:
        raise CobrandError(_("Only partners ask for co-branded pieces."))
    problems = check_request(values)
    if problems:
        raise CobrandError(next(iter(problems.values())))
    logo = (files.save_upload(logo_upload, profile.LOGO)
            if logo_upload is not None and getattr(logo_upload, "filename", None) else None)
    now = utcnow()
    with _writing():
        item = CobrandRequest(organisation_id=user.organisation_id, user_id=user.id,
                              template=values.get("template") or None,
                              description=(values.get("description") or "").strip(), deadline=values["deadline"],
                              notes=(values.get("notes") or "").strip(), status=NEW,
                              due_on=now.date() + timedelta(days=int(rules().sla_days)), created_at=now,
                              logo_sha256=logo.sha256 if logo else None,
                              logo_content_type=logo.content_type if logo else None)
        db.session.add(item)
        db.session.flush()
        audit("cobrand_request", item.id, "submit", actor=user, organisation_id=item.organisation_id,
              template=item.template, deadline=item.deadline)
        notifications.send(profile.channel_team(), "cobrand.requested", obj=item,
                           params={"organisation": user.organisation.name, "title": title_of(item),
                                   "deadline": item.deadline},
                           link_endpoint="cobrand.manage_request", link_values={"request_id": item.id})
    return item


def title_of(item: CobrandRequest, lang: str | None = None) -> str:
    template = catalogue.get(item.template) if item.template else None
    if template is not None:
        from ...i18n import locale_code
        return template.title_in(lang or locale_code())
    text = " ".join((item.description or "").split())
    return text[:80] + ("…" if len(text) > 80 else "")


def is_overdue(item: CobrandRequest, on: date | None = None) -> bool:
    return item.status in OPEN and (on or today()) > item.due_on


def get_request(viewer: User, request_id: int) -> CobrandRequest:
    item = db.session.get(CobrandRequest, request_id)
    if item is None or not (viewer.is_vendor or viewer.organisation_id == item.organisation_id):
        raise NotFound(_("No such request."))
    return item


def list_requests(organisation_id: int | None = None, statuses=None, limit: int = 200) -> list[CobrandRequest]:
    query = select(CobrandRequest)
    if organisation_id is not None:
        query = query.where(CobrandRequest.organisation_id == organisation_id)
    if statuses is not None:
        query = query.where(CobrandRequest.status.in_(statuses))
        query = query.order_by(CobrandRequest.due_on, CobrandRequest.id)
    else:
        query = query.order_by(CobrandRequest.created_at.desc(), CobrandRequest.id.desc())
    return list(db.session.scalars(query.limit(limit)).unique())


def _change(manager: User, request_id: int, allowed_from: tuple, **values) -> CobrandRequest:
    """Move an open request on, once: the UPDATE names the states it may come from."""
    if not manager.is_vendor:
        raise NotFound(_("No such request."))
    result = db.session.execute(
        update(CobrandRequest).where(CobrandRequest.id == request_id, CobrandRequest.status.in_(allowed_from))
        .values(manager_id=manager.id, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        if db.session.get(CobrandRequest, request_id) is None:
            raise NotFound(_("No such request."))
        raise CobrandError(_("This request was already decided."))
    item = db.session.get(CobrandRequest, request_id)
    db.session.refresh(item)
    return item


def start(manager: User, request_id: int) -> CobrandRequest:
    with _writing():
        item = _change(manager, request_id, (NEW,), status=IN_PROGRESS)
        audit("cobrand_request", item.id, "in_progress", actor=manager, organisation_id=item.organisation_id)
    return item


def _partner_recipients(item: CobrandRequest) -> list[User]:
    people = list(db.session.scalars(select(User).where(
        User.organisation_id == item.organisation_id, User.is_active_user.is_(True),
        (User.id == item.user_id) | (User.role == PARTNER_ADMIN)).order_by(User.id)))
    return people


def decline(manager: User, request_id: int, reason: str) -> CobrandRequest:
    reason = (reason or "").strip()
    if not reason:
        raise CobrandError(_("Say why the request is declined."))
    if len(reason) > REASON_MAX:
        raise CobrandError(_("At most %(n)s characters.", n=REASON_MAX))
    with _writing():
        item = _change(manager, request_id, OPEN, status=DECLINED, decline_reason=reason, decided_at=utcnow())
        audit("cobrand_request", item.id, "declined", actor=manager, organisation_id=item.organisation_id,
              reason=reason)
        notifications.send(_partner_recipients(item), "cobrand.declined", obj=item,
                           params={"title": title_of(item), "reason": reason},
                           link_endpoint="cobrand.show_request", link_values={"request_id": item.id})
    return item


def deliver(manager: User, request_id: int, upload) -> CobrandRequest:
    """Store the manager's file (refused type or size: files.UploadRefused, nothing written) and
    deliver the request, once."""
    get_request(manager, request_id)
    stored = files.save_upload(upload, DELIVERY)
    now = utcnow()
    with _writing():
        item = _change(manager, request_id, OPEN, status=DELIVERED, file_sha256=stored.sha256,
                       file_name=stored.name, file_content_type=stored.content_type, delivered_at=now,
                       decided_at=now)
        audit("cobrand_request", item.id, "delivered", actor=manager, organisation_id=item.organisation_id,
              file=stored.sha256, name=stored.name)
        notifications.send(_partner_recipients(item), "cobrand.delivered", obj=item,
                           params={"title": title_of(item)},
                           link_endpoint="cobrand.show_request", link_values={"request_id": item.id})
    return item


@files.owner(DELIVERY_OWNER)
def _delivered_file(viewer, key: str) -> files.Served | None:
    """A delivered piece: the requesting organisation's people and the vendor's staff; else 404."""
    if not key.isdigit() or len(key) > 10 or not getattr(viewer, "is_authenticated", False):
        return None
    item = db.session.get(CobrandRequest, int(key))
    if item is None or item.status != DELIVERED or not item.file_sha256:
        return None
    if not (viewer.is_vendor or viewer.organisation_id == item.organisation_id):
        return None
    return files.Served(sha256=item.file_sha256, name=item.file_name or "piece", content_type=item.file_content_type)


@files.owner(REQUEST_LOGO_OWNER)
def _request_logo(viewer, key: str) -> files.Served | None:
    if not key.isdigit() or len(key) > 10 or not getattr(viewer, "is_authenticated", False):
        return None
    item = db.session.get(CobrandRequest, int(key))
    if item is None or not item.logo_sha256 or not (viewer.is_vendor or viewer.organisation_id == item.organisation_id):
        return None
    ext = ".png" if item.logo_content_type == "image/png" else ".jpg"
    return files.Served(sha256=item.logo_sha256, name=f"logo-{item.id}{ext}",
                        content_type=item.logo_content_type or "application/octet-stream", inline=True)
