"""Recruitment (G4): the vendor's target list of prospective partners (stages, owners, a short offer;
CSV import, all rows or none) and the recruitment costs per quarter and campaign (for CACp).

Applications link to a target by INN or domain in services.py; the errors and the writing
transaction are shared with it."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import inn as inn_numbers
from ..accounts.models import VENDOR_ROLES, User
from ..core.services import audit
from ..database import utcnow
from ..extensions import db
from ..program import rules as program_rules
from .models import STAGES, Cost, Target
from .services import NotFound, RecruitmentError, _vendor, _writing, domain_of

# --- targets ------------------------------------------------------------------------------------------

TARGET_FIELDS = ("company", "inn", "domain", "segment", "region", "offer", "stage", "owner_id")


def targets(stage: str | None = None, limit: int = 500) -> list[Target]:
    query = select(Target)
    if stage:
        query = query.where(Target.stage == stage)
    return list(db.session.scalars(query.order_by(Target.company, Target.id).limit(limit)))


def stage_counts() -> dict[str, int]:
    return dict(db.session.execute(select(Target.stage, func.count()).group_by(Target.stage)).all())


def owners() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_(VENDOR_ROLES)).order_by(User.name, User.id)))


def _target_problems(values: dict, target_id: int | None = None) -> dict[str, str]:
    problems = {}
    if not (values.get("company") or "").strip():
        problems["company"] = _("Enter the company name.")
    if values.get("inn") and not inn_numbers.is_valid(values["inn"]):
        problems["inn"] = _("This is not a valid INN: 10 or 12 digits with a correct check digit.")
    if values.get("stage") not in STAGES:
        problems["stage"] = _("Choose a stage from the list.")
    if values.get("segment") and values["segment"] not in ("referral", "sales", "strategic"):
        problems["segment"] = _("Choose a relationship from the list.")
    regions = {r.code for r in program_rules.current().regions}
    if values.get("region") and values["region"] not in regions:
        problems["region"] = _("Choose a region from the list.")
    if values.get("owner_id") is not None and values["owner_id"] not in {u.id for u in owners()}:
        problems["owner_id"] = _("Choose a manager from the list.")
    for key, column in (("inn", Target.inn), ("domain", Target.domain)):
        if values.get(key) and not problems.get(key):
            query = select(Target.id).where(column == values[key])
            if target_id is not None:
                query = query.where(Target.id != target_id)
            if db.session.scalar(query) is not None:
                problems[key] = _("Another target has this value already.")
    return problems


def _clean_target(values: dict) -> dict:
    out = {k: values.get(k) for k in TARGET_FIELDS}
    out["company"] = (out["company"] or "").strip()
    out["inn"] = inn_numbers.clean(out["inn"]) or None
    out["domain"] = domain_of(out["domain"]) or None
    out["segment"], out["region"] = out["segment"] or "", out["region"] or ""
    out["offer"] = (out["offer"] or "").strip()
    out["stage"] = out["stage"] or "identified"
    return out


def save_target(manager: User, values: dict, target_id: int | None = None) -> Target:
    _vendor(manager)
    values = _clean_target(values)
    problems = _target_problems(values, target_id)
    if problems:
        name, message = next(iter(problems.items()))
        raise RecruitmentError(message, name)
    now = utcnow()
    with _writing():
        if target_id is None:
            target = Target(created_at=now)
            db.session.add(target)
        else:
            target = db.session.get(Target, target_id)
            if target is None:
                raise NotFound(_("This target does not exist."))
        for key, value in values.items():
            setattr(target, key, value)
        target.updated_at = now
        db.session.flush()
        audit("recruitment_target", target.id, "saved" if target_id else "created", actor=manager,
              **{k: v for k, v in values.items() if k != "offer"})
    return target


@dataclass
class ImportResult:
    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


CSV_COLUMNS = ("company", "inn", "domain", "segment", "region", "offer", "stage", "owner")
MAX_IMPORT_ROWS = 2000


def import_targets(manager: User, data: bytes) -> ImportResult:
    """Targets from a CSV file (header: company, inn, domain, segment, region, offer, stage, owner — the
    owner's e-mail). Every row is checked first; a single bad row imports nothing, and each bad row is named
    with its line number."""
    _vendor(manager)
    result = ImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append((0, _("The file is not UTF-8 text. Save it as CSV (UTF-8).")))
        return result
    if "\x00" in text:
        result.errors.append((0, _("The file is not a CSV text file.")))
        return result
    first = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ",")
    try:
        header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error:
        header = []
    if "company" not in header:
        result.errors.append((1, _("The first line must name the columns: %(columns)s.",
                                   columns=", ".join(CSV_COLUMNS))))
        return result
    reader.fieldnames = header
    by_email = {u.email.lower(): u.id for u in owners()}
    rows, seen = [], {"inn": {}, "domain": {}}
    try:
        for number, row in enumerate(reader, start=2):
            if number > MAX_IMPORT_ROWS + 1:
                result.errors.append((number, _("At most %(n)s rows in one file.", n=MAX_IMPORT_ROWS)))
                break
            if None in row:
                result.errors.append((number, _("More values than columns.")))
                continue
            row = {k: (v or "").strip() for k, v in row.items() if k}
            if not any(row.values()):
                continue
            owner = row.get("owner", "").lower()
            values = _clean_target({**row, "stage": row.get("stage") or "identified",
                                    "owner_id": by_email.get(owner) if owner else None})
            problems = _target_problems(values)
            if owner and owner not in by_email:
                problems["owner"] = _("No manager has the e-mail %(email)s.", email=owner)
            for key in ("inn", "domain"):
                if values[key] and values[key] in seen[key]:
                    problems[key] = _("The same as line %(line)s.", line=seen[key][values[key]])
                elif values[key]:
                    seen[key][values[key]] = number
            if problems:
                result.errors.append((number, " ".join(f"{k}: {v}" for k, v in problems.items())))
            else:
                rows.append(values)
    except csv.Error as exc:
        result.errors.append((reader.line_num, _("The file is not valid CSV (%(problem)s).", problem=str(exc))))
    if result.errors:
        return result
    if not rows:
        result.errors.append((0, _("The file has no rows to import.")))
        return result
    now = utcnow()
    with _writing():
        for values in rows:
            db.session.add(Target(created_at=now, updated_at=now, **values))
        db.session.flush()
        audit("recruitment_target", 0, "imported", actor=manager, rows=len(rows))
    result.created = len(rows)
    return result


# --- costs -------------------------------------------------------------------------------------------

PERIOD = re.compile(r"^20[0-9]{2}-Q[1-4]$")


def quarter_of(day) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_now() -> str:
    return quarter_of(utcnow().date())


def get_target(viewer: User, target_id: int) -> Target:
    target = db.session.get(Target, target_id) if viewer.is_vendor else None
    if target is None:
        raise NotFound(_("This target does not exist."))
    return target


def add_cost(manager: User, period: str, campaign: str, amount_kopecks: int, note: str = "") -> Cost:
    _vendor(manager)
    if not PERIOD.match(period or ""):
        raise RecruitmentError(_("A quarter such as 2026-Q4."), "period")
    if not (campaign or "").strip():
        raise RecruitmentError(_("Name the campaign."), "campaign")
    if not 0 < amount_kopecks <= 10_000_000_000_00:
        raise RecruitmentError(_("Enter an amount above zero."), "amount")
    with _writing():
        cost = Cost(period=period, campaign=campaign.strip(), amount_kopecks=amount_kopecks,
                    note=(note or "").strip(), entered_by_id=manager.id, created_at=utcnow())
        db.session.add(cost)
        db.session.flush()
        audit("recruitment_cost", cost.id, "created", actor=manager, period=period, campaign=cost.campaign,
              amount_kopecks=amount_kopecks)
    return cost


def costs(limit: int = 500) -> list[Cost]:
    return list(db.session.scalars(select(Cost).order_by(Cost.period.desc(), Cost.id.desc()).limit(limit)))


def cost_totals() -> list[tuple[str, int]]:
    return [(p, int(s)) for p, s in db.session.execute(
        select(Cost.period, func.sum(Cost.amount_kopecks)).group_by(Cost.period).order_by(Cost.period.desc()))]
