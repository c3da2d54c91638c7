"""What other features may use of recruitment: its events and the read-only facts about applications."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .events import application_decided, application_submitted, referral_bonus_earned  # noqa: F401
from .models import Application
from .targets import cost_totals  # noqa: F401  ([(quarter, kopecks)]: the numerator of CACp, for insights)


def application_companies(ids: list[int]) -> dict[int, str]:
    """{application id: the applicant company} in one query (the funnel's stalled list names them)."""
    if not ids:
        return {}
    return dict(db.session.execute(select(Application.id, Application.company).where(Application.id.in_(ids))).all())


def application_history() -> list[dict]:
    """Every application's path so far, for a read model built after the fact (the funnel's demo):
    [{"id", "partner_type", "submitted_at", "status", "qualified_at" (the qualification's moment when known,
    else the last change), "decided_at", "organisation_id"}], oldest first."""
    out = []
    for a in db.session.scalars(select(Application).order_by(Application.created_at, Application.id)):
        qualified = a.status in ("qualified", "approved") or bool(a.checklist)
        out.append({"id": a.id, "partner_type": a.partner_type, "submitted_at": a.created_at, "status": a.status,
                    "qualified_at": (a.decided_at or a.updated_at) if qualified else None,
                    "decided_at": a.decided_at, "organisation_id": a.organisation_id})
    return out
