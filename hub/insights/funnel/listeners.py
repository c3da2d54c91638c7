"""The funnel's one durable-event listener: each event moves a stage date of one application or
organisation (services.record_*), idempotently; `flask --app hub worker --replay insights.funnel`
rebuilds the read model from the stored events."""
from __future__ import annotations

from ... import signals
from ...recruitment import public as recruitment
from . import services

PARTNER = "partner"


@signals.subscribe("insights.funnel", recruitment.application_submitted, recruitment.application_decided,
                   signals.organisation_created, signals.deal_submitted, signals.deal_won)
def on_event(event: signals.Event) -> None:
    name = event.name
    if name == "application_submitted":
        services.record_application(event.application_id, partner_type=event.partner_type,
                                    submitted_at=event.submitted_at)
    elif name == "application_decided":
        services.record_decision(event.application_id, event.decision, event.decided_at, event.organisation_id)
    elif name == "organisation_created":
        if event.kind == PARTNER:
            services.record_signed(event.organisation_id, event.created_at)
    elif name == "deal_submitted":
        services.record_first_deal(event.organisation_id, event.submitted_at)
    elif name == "deal_won":
        services.record_win(event.deal_id, event.organisation_id, event.closed_on or event.occurred_at.date(),
                            event.amount_kopecks)
