"""The rewards' sections of program.yml (hub/program/rules.py registers them with the others):

    points:                     # R1: points per action; the five below are required, more may follow
      deal_approved: 10
      ...
    demotion_grace_days: 90     # R3: days continuously below a tier's thresholds before demotion

    individual_terms:           # R5 (optional; every key has a default)
      second_approval_rate_points: 5      # an individual rate more than 5 points above the tier's rate
      second_approval_bonus_rub: 500000   # a fixed plan bonus above 500 000 RUB
      second_approval_bonus_percent: 5    # a plan bonus above 5 % of the quarter's revenue
                                          # ... needs a second, different manager's approval

Read as `rules.current().points` (a dict), `rules.current().demotion_grace_days` and
`rules.current().individual_terms`.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from decimal import Decimal

from ..program.rules import MappingOf, Number, Percent, Roubles, RulesModel, WholeNumber, problem_at, \
    register_section, rules_section

ACTIONS = ("deal_approved", "deal_won", "certificate_earned", "event_attended", "accepted_answer")


def _every_action(points: dict[str, int]) -> dict[str, int]:
    for action in ACTIONS:
        if action not in points:
            raise problem_at((action,), "is missing")
    return points


register_section("points", Annotated[MappingOf[str, WholeNumber(0)], AfterValidator(_every_action)])
register_section("demotion_grace_days", WholeNumber(0))


@rules_section("individual_terms", required=False, default={})
class IndividualTermsRules(RulesModel):
    second_approval_rate_points: Number(0, 100) = Decimal(5)
    second_approval_bonus_kopecks: Roubles = Field(500_000_00, alias="second_approval_bonus_rub")
    second_approval_bonus_percent: Percent = Decimal(5)
