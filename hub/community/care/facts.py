"""What key-partner care tells other features (hub/facts.py), without them importing its internals."""
from __future__ import annotations

from datetime import datetime

from ... import facts
from . import services


@facts.provides("key_partner_health")
def key_partner_health(now: datetime | None = None) -> list[dict]:
    """Every key partner's relationship-health score, the most at risk first: [{"organisation_id",
    "name", "tier", "score" (0-100), "at_risk" (below the rules' at_risk_below)}]. A fixed number of
    queries (health_of)."""
    return [{"organisation_id": h.organisation.id, "name": h.organisation.name, "tier": h.organisation.tier,
             "score": h.score, "at_risk": h.at_risk}
            for h in services.health_of(services.key_partners(), now)]
