"""`flask --app hub rewards repair`: rebuild what rewards is missing for won deals."""
from __future__ import annotations

import click
from flask_babel import force_locale
from sqlalchemy import select

from .. import facts
from ..database import utcnow, write_intent
from ..extensions import db
from ..i18n import money
from . import bp, commissions
from .listeners import record_win
from .models import WonDeal


def repair_all(now=None, echo=print) -> dict[str, int]:
    """Wins rewards never recorded (asked of the deals feature through the `won_deals` fact), then
    the commission lines missing for recorded wins. Idempotent; prints one line per addition."""
    now = now or utcnow()
    counts = {"wins recorded": 0, "lines added": 0}
    with write_intent():
        won = facts.get("won_deals", default=None)
        if won:
            known = set(db.session.scalars(select(WonDeal.deal_id)))
            for deal in sorted((d for d in won if d["id"] not in known), key=lambda d: (d["closed_on"], d["id"])):
                if record_win(deal["id"], deal["organisation_id"], deal["created_by_id"], deal["product"],
                              deal["amount_kopecks"], deal["closed_on"], now):
                    counts["wins recorded"] += 1
                    echo(f"recorded the win of deal #{deal['id']} (organisation {deal['organisation_id']}, "
                         f"won on {deal['closed_on'].isoformat()})")
        for line in commissions.repair(now):
            counts["lines added"] += 1
            with force_locale("ru"):
                amount = money(line.amount_kopecks)
            echo(f"added {line.rule} line for deal #{line.deal_id} (organisation {line.organisation_id}, "
                 f"tier {line.tier}): {amount}")
        db.session.commit()
    return counts


@bp.cli.command("repair")
def repair_command() -> None:
    """Rebuild the commission lines (and wins) missing for won deals; safe to run again."""
    counts = repair_all(echo=click.echo)
    click.echo("rewards repair: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
