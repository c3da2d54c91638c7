"""The co-branded material section of program.yml (optional; every key has a default):

    cobrand:
      sla_days: 5        # a custom piece is due this many days after the partner asked; later is overdue

Read as `rules.current().cobrand`.
"""
from __future__ import annotations

from ...program.rules import RulesModel, WholeNumber, rules_section


@rules_section("cobrand", required=False, default={})
class CobrandRules(RulesModel):
    sla_days: WholeNumber(1, 90) = 5
