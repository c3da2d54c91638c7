"""`flask --app hub tick` for rewards: overrides that ended, tiers, retro-bonuses, badges."""
from __future__ import annotations

from ..core.cli import tick_job
from ..database import utcnow, write_intent
from ..extensions import db
from . import badges, commissions, tiers


def full_evaluation(now=None) -> dict[str, int]:
    """Re-evaluate everything from rewards' own tables (idempotent). The caller commits."""
    now = now or utcnow()
    changes = tiers.evaluate(None, now)
    retro = commissions.compute_retro_bonuses(now)
    awards = badges.evaluate(None, None, now)
    return {"tier changes": len(changes), "retro-bonus lines": retro, "badges awarded": awards}


@tick_job("rewards")
def rewards_tick(echo) -> None:
    with write_intent():
        report = full_evaluation()
        db.session.commit()
    echo(", ".join(f"{k}: {v}" for k, v in report.items()))
