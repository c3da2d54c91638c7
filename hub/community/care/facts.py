"""What key-partner care tells other features (hub/facts.py), without them importing its internals."""
from __future__ import annotations

from datetime import datetime

from ... import facts
from . import services


@facts.provides("key_partner_health")
def key_partner_health(now: datetime | None = None) -> list[dict]:
    """Every key partner's relationship-health score, the most at risk first: [{"organisation_id",
    "name", "tier", "score" (0-100), "at_risk" (below the rules' at_risk_below)}]. The managers' list's
    figures, kept per state (services.key_partner_health)."""
    return [{"organisation_id": s.organisation_id, "name": s.name, "tier": s.tier, "score": s.score,
             "at_risk": s.at_risk} for s in services.key_partner_health(now)]
