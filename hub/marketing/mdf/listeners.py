"""MDF's read model of the partners' deals (for claims' evidence and ROI), kept from the durable deal
events; the deals feature is never imported. Idempotent: one row per deal id (its primary key),
written by INSERT ... ON CONFLICT, so two deliveries of one deal at once (a replay beside the worker)
cannot both insert it."""
from __future__ import annotations

from ... import signals
from ...extensions import db
from ...upsert import dialect_insert
from . import services
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


@signals.deal_won.listener("mdf.accrued_credit")
def on_deal_won_accrue(event: signals.Event) -> None:
    """The accrued mode (mdf.mode: accrued): the won deal's share credits the fund once (key accrued:<deal>)."""
    won_on = event.closed_on or event.occurred_at.astimezone(_program_zone()).date()
    services.accrue_from_win(event.deal_id, event.organisation_id, event.amount_kopecks, won_on)


def _program_zone():
    from zoneinfo import ZoneInfo

    from ...program import rules as program_rules
    return ZoneInfo(program_rules.current().timezone)
