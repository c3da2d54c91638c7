"""The KPIs section of program.yml (optional; every key has a default):

    kpis:
      large_deal_rub: 3000000          # a won deal of at least this amount counts as a large deal
      key_tiers: [platinum, gold]      # the key partners (retention of key partners)
      peer_minimum: 5                  # a partner's dashboard compares it with peers only when its tier
                                       # has at least this many other partners (no identifiable number)

Read as `rules.current().kpis`. The tier guide (SPEC: Platinum 1–3 %, Gold 7–10 %, Silver 15–20 % of
the partners) is the program's seed and stays in TIER_GUIDE.
"""
from __future__ import annotations

from pydantic import Field, field_validator

from ...program.rules import TIER_ORDER, ListOf, Roubles, RulesModel, WholeNumber, rules_section

TIER_GUIDE = {"platinum": (1, 3), "gold": (7, 10), "silver": (15, 20)}


@rules_section("kpis", required=False, default={})
class KpiRules(RulesModel):
    large_deal_kopecks: Roubles = Field(3_000_000_00, alias="large_deal_rub")
    key_tiers: ListOf[str] = ("platinum", "gold")
    peer_minimum: WholeNumber(2, 1000) = 5

    @field_validator("key_tiers")
    @classmethod
    def _known_tiers(cls, tiers: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [t for t in tiers if t not in TIER_ORDER]
        if unknown:
            raise ValueError(f"unknown tier {unknown[0]!r} (the tiers are {', '.join(TIER_ORDER)})")
        return tiers
