"""MDF's read model of the partners' deals (for claims' evidence and ROI), kept from the durable deal
events; the deals feature is never imported. Idempotent: one row per deal id (its primary key),
written by INSERT ... ON CONFLICT, so two deliveries of one deal at once (a replay beside the worker)
cannot both insert it."""
from __future__ import annotations

from ... import signals
from ...extensions import db
from ...upsert import dialect_insert
from .models import MdfDeal


@signals.deal_submitted.listener("mdf.deal_registered")
def on_deal_submitted(event: signals.Event) -> None:
    product = (event.product or "")[:200]
    insert = dialect_insert(MdfDeal).values(deal_id=event.deal_id, organisation_id=event.organisation_id,
                                            product=product, amount_kopecks=event.amount_kopecks,
                                            submitted_at=event.submitted_at)
    db.session.execute(insert.on_conflict_do_update(
        index_elements=["deal_id"], set_={"product": product, "amount_kopecks": event.amount_kopecks}))


@signals.deal_won.listener("mdf.deal_won")
def on_deal_won(event: signals.Event) -> None:
    # Won before MDF heard of its registration (replay order is not guaranteed): the row starts here.
    insert = dialect_insert(MdfDeal).values(deal_id=event.deal_id, organisation_id=event.organisation_id,
                                            product=(event.product or "")[:200], amount_kopecks=event.amount_kopecks,
                                            won_kopecks=event.amount_kopecks, submitted_at=event.occurred_at)
    db.session.execute(insert.on_conflict_do_update(index_elements=["deal_id"],
                                                    set_={"won_kopecks": event.amount_kopecks}))
