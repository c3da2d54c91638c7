"""Facts about events for the features that read them (insights, key-partner care, NPS)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ... import facts
from ...extensions import db
from .models import REGISTERED, Event, Registration


@facts.provides("events_attended")
def events_attended(org_ids, since: datetime | None = None) -> dict[int, int]:
    """{org_id: number of attendances (people x events) since `since`} for the given organisations."""
    ids = list(org_ids)
    if not ids:
        return {}
    query = (select(Registration.organisation_id, func.count()).where(
        Registration.organisation_id.in_(ids), Registration.attended_at.is_not(None)))
    if since is not None:
        query = query.where(Registration.attended_at >= since)
    return dict(db.session.execute(query.group_by(Registration.organisation_id)).all())


@facts.provides("event_attendance")
def event_attendance(start: datetime, end: datetime) -> list[dict]:
    """Per event that started in [start, end): {"event_id", "slug", "kind", "starts_at",
    "registered", "attended"}."""
    rows = db.session.execute(
        select(Event.id, Event.slug, Event.kind, Event.starts_at,
               func.count(Registration.id), func.count(Registration.attended_at))
        .outerjoin(Registration, (Registration.event_id == Event.id) & (Registration.status == REGISTERED))
        .where(Event.starts_at >= start, Event.starts_at < end)
        .group_by(Event.id, Event.slug, Event.kind, Event.starts_at).order_by(Event.starts_at)).all()
    return [{"event_id": i, "slug": s, "kind": k, "starts_at": t, "registered": r, "attended": a}
            for i, s, k, t, r, a in rows]
