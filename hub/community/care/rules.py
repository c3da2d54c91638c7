"""The key-partner care section of program.yml (optional; every key has a default):

    care:
      key_tiers: [gold, platinum]    # key partners: QBRs, betas, the health score
      at_risk_below: 50              # a health score under this is flagged "at risk"
      weights: {revenue: 30, certifications: 20, activity: 20, events: 10, nps: 10, actions: 10}
      certified_target: 3            # certified people for full points
      deals_target: 5                # deal registrations in 90 days for full points
      events_target: 3               # attendances (people x events) in 180 days for full points
      response_days: 90              # the window of the account manager's measured response time

Read as `rules.current().care`.
"""
from __future__ import annotations

from pydantic import field_validator

from ...program.rules import TIER_ORDER, RulesModel, WholeNumber, rules_section

COMPONENTS = ("revenue", "certifications", "activity", "events", "nps", "actions")
DEFAULT_WEIGHTS = {"revenue": 30, "certifications": 20, "activity": 20, "events": 10, "nps": 10, "actions": 10}


@rules_section("care", required=False, default={})
class CareRules(RulesModel):
    key_tiers: list[str] = ["gold", "platinum"]
    at_risk_below: WholeNumber(0, 100) = 50
    weights: dict[str, WholeNumber(0, 100)] = DEFAULT_WEIGHTS
    certified_target: WholeNumber(1, 10_000) = 3
    deals_target: WholeNumber(1, 10_000) = 5
    events_target: WholeNumber(1, 10_000) = 3
    response_days: WholeNumber(1, 3650) = 90

    @field_validator("key_tiers")
    @classmethod
    def _known_tiers(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in TIER_ORDER]
        if unknown:
            raise ValueError(f"unknown tier {unknown[0]!r} (the tiers are {', '.join(TIER_ORDER)})")
        return value

    @field_validator("weights")
    @classmethod
    def _known_components(cls, value: dict) -> dict:
        unknown = [k for k in value if k not in COMPONENTS]
        if unknown:
            raise ValueError(f"unknown component {unknown[0]!r} (the components are {', '.join(COMPONENTS)})")
        merged = {**DEFAULT_WEIGHTS, **value}
        if not sum(merged.values()):
            raise ValueError("at least one weight must be above 0")
        return merged
