"""The partner_nps fact (insights, the key-partner health score)."""
from __future__ import annotations

from datetime import datetime

from ... import facts
from . import services


@facts.provides("partner_nps")
def partner_nps(org_ids=None, since: datetime | None = None) -> dict:
    """{"overall": {...}, "organisations": {org_id: {...}}}, each {"nps" (Decimal -100..100 or None),
    "answered", "sent", "promoters", "passives", "detractors", "response_rate" (Decimal % or None)},
    over the surveys opened since `since` (all when None). One query."""
    found = services.by_organisation(org_ids, since)

    def plain(row):
        return {"nps": row.nps, "answered": row.answered, "sent": row.sent, "promoters": row.promoters,
                "passives": row.passives, "detractors": row.detractors, "response_rate": row.rate}
    return {"overall": plain(found["overall"]),
            "organisations": {org: plain(row) for org, row in found["organisations"].items()}}
