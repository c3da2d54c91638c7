"""MDF's read model of the partners' deals (for claims' evidence and ROI), kept from the durable deal
events; the deals feature is never imported. Idempotent: one row per deal id (its primary key)."""
from __future__ import annotations

from ... import signals
from ...extensions import db
from .models import MdfDeal


@signals.deal_submitted.listener("mdf.deal_registered")
def on_deal_submitted(event: signals.Event) -> None:
    row = db.session.get(MdfDeal, event.deal_id)
    if row is None:
        db.session.add(MdfDeal(deal_id=event.deal_id, organisation_id=event.organisation_id,
                               product=(event.product or "")[:200], amount_kopecks=event.amount_kopecks,
                               submitted_at=event.submitted_at))
    else:
        row.amount_kopecks, row.product = event.amount_kopecks, (event.product or "")[:200]


@signals.deal_won.listener("mdf.deal_won")
def on_deal_won(event: signals.Event) -> None:
    row = db.session.get(MdfDeal, event.deal_id)
    if row is None:  # won before MDF heard of its registration (replay order is not guaranteed)
        row = MdfDeal(deal_id=event.deal_id, organisation_id=event.organisation_id,
                      product=(event.product or "")[:200], amount_kopecks=event.amount_kopecks,
                      submitted_at=event.occurred_at)
        db.session.add(row)
    row.won_kopecks = event.amount_kopecks
