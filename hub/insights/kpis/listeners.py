"""The listeners that keep the KPIs' read model (models.py) current from the durable events.

One listener, `insights.kpis`, subscribed to every event it counts, so that one
`flask --app hub worker --replay insights.kpis` rebuilds the whole read model from history. Each
write is INSERT ... ON CONFLICT on the fact's unique (kind, source id): a delivery run twice, or a
replay beside the worker, writes nothing the second time. A partner's first deal is the earliest of
what was seen, whatever order the events arrive in."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case

from ... import signals
from ...database import utcnow
from ...extensions import db
from ...program import rules as program_rules
from ...upsert import dialect_insert
from .models import ATTENDED, LOST, MDF_APPROVED, MDF_PAID, NPS, SIGNED, SUBMITTED, WON, KpiFact, KpiPartner

LISTENER = "insights.kpis"


def program_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(program_rules.current().timezone)).date()


def record(kind: str, source_id: int, organisation_id: int, day: date, occurred_at: datetime, *,
           amount_kopecks: int | None = None, score: int | None = None, event_id: int | None = None,
           replace_amount: bool = False) -> None:
    """One fact, once. replace_amount: a later word on the same thing updates its amount (an MDF
    request approved again after changes)."""
    values = dict(kind=kind, source_id=source_id, organisation_id=organisation_id, day=day,
                  month=day.strftime("%Y-%m"), amount_kopecks=amount_kopecks, score=score,
                  occurred_at=occurred_at, recorded_at=utcnow(), event_id=event_id)
    insert = dialect_insert(KpiFact).values(**values)
    if replace_amount:
        insert = insert.on_conflict_do_update(index_elements=["kind", "source_id"],
                                              set_={"amount_kopecks": amount_kopecks, "recorded_at": utcnow()})
    else:
        insert = insert.on_conflict_do_nothing(index_elements=["kind", "source_id"])
    db.session.execute(insert)


def note_partner(organisation_id: int, *, signed_at: datetime | None = None,
                 first_deal_at: datetime | None = None) -> None:
    insert = dialect_insert(KpiPartner).values(organisation_id=organisation_id, signed_at=signed_at,
                                              first_deal_at=first_deal_at)
    table = KpiPartner.__table__
    new = insert.excluded
    updates = {}
    if signed_at is not None:
        updates["signed_at"] = new.signed_at
    if first_deal_at is not None:
        updates["first_deal_at"] = case((table.c.first_deal_at.is_(None), new.first_deal_at),
                                        (new.first_deal_at < table.c.first_deal_at, new.first_deal_at),
                                        else_=table.c.first_deal_at)
    db.session.execute(insert.on_conflict_do_update(index_elements=["organisation_id"], set_=updates)
                       if updates else insert.on_conflict_do_nothing(index_elements=["organisation_id"]))


def deal_registered(deal_id: int, organisation_id: int, amount_kopecks: int, submitted_at: datetime,
                    event_id: int | None = None) -> None:
    record(SUBMITTED, deal_id, organisation_id, program_day(submitted_at), submitted_at,
           amount_kopecks=amount_kopecks, event_id=event_id)
    note_partner(organisation_id, first_deal_at=submitted_at)


def deal_won(deal_id: int, organisation_id: int, amount_kopecks: int, closed_on: date | None,
             occurred_at: datetime, event_id: int | None = None) -> None:
    record(WON, deal_id, organisation_id, closed_on or program_day(occurred_at), occurred_at,
           amount_kopecks=amount_kopecks, event_id=event_id)


@signals.subscribe(LISTENER, signals.organisation_created, signals.deal_submitted, signals.deal_won,
                   signals.deal_lost, signals.nps_answered, signals.mdf_request_decided, signals.mdf_paid,
                   signals.event_attended)
def on_event(event: signals.Event) -> None:
    name = event.name
    if name == "organisation_created":
        if event.kind != "partner":
            return
        record(SIGNED, event.organisation_id, event.organisation_id, program_day(event.created_at),
               event.created_at, event_id=event.id)
        note_partner(event.organisation_id, signed_at=event.created_at)
    elif name == "deal_submitted":
        deal_registered(event.deal_id, event.organisation_id, event.amount_kopecks, event.submitted_at, event.id)
    elif name == "deal_won":
        deal_won(event.deal_id, event.organisation_id, event.amount_kopecks, event.closed_on,
                 event.occurred_at, event.id)
    elif name == "deal_lost":
        record(LOST, event.deal_id, event.organisation_id, event.closed_on or program_day(event.occurred_at),
               event.occurred_at, event_id=event.id)
    elif name == "nps_answered":
        record(NPS, event.response_id, event.organisation_id, program_day(event.answered_at), event.answered_at,
               score=event.score, event_id=event.id)
    elif name == "mdf_request_decided":
        if event.decision in ("approved", "partially_approved") and event.approved_kopecks:
            record(MDF_APPROVED, event.request_id, event.organisation_id, program_day(event.decided_at),
                   event.decided_at, amount_kopecks=event.approved_kopecks, event_id=event.id,
                   replace_amount=True)
    elif name == "mdf_paid":
        record(MDF_PAID, event.claim_id, event.organisation_id, program_day(event.paid_at), event.paid_at,
               amount_kopecks=event.amount_kopecks, event_id=event.id)
    elif name == "event_attended":
        record(ATTENDED, event.registration_id, event.organisation_id, program_day(event.attended_at),
               event.attended_at, event_id=event.id)
