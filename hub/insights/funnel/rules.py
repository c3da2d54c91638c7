"""The funnel section of program.yml (optional; every key has a default):

    funnel:
      expanding_won_deals: 3            # "expanding": this many won deals within the window ...
      expanding_revenue_rub: 3000000    # ... or this much won revenue within it (0: not used)
      expanding_window_days: 365
      stalled_days: {applied: 14, qualified: 21, onboarding: 60, first_deal: 90, first_won: 180}

An organisation is "stalled" when it has been longer than stalled_days[its stage] in that stage.
Read as `rules.current().funnel`.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ...program.rules import Roubles, RulesModel, WholeNumber, problem_at, rules_section

STAGES = ("applied", "qualified", "onboarding", "first_deal", "first_won", "expanding")
OPEN_STAGES = STAGES[:-1]  # expanding is where the funnel ends: nobody stalls there
DEFAULT_STALLED = {"applied": 14, "qualified": 21, "onboarding": 60, "first_deal": 90, "first_won": 180}


@rules_section("funnel", required=False, default={})
class FunnelRules(RulesModel):
    expanding_won_deals: WholeNumber(0, 10_000) = 3
    expanding_revenue_kopecks: Roubles = Field(3_000_000_00, alias="expanding_revenue_rub")
    expanding_window_days: WholeNumber(1, 3660) = 365
    stalled_days: dict[Literal[OPEN_STAGES], WholeNumber(1, 3660)] = DEFAULT_STALLED

    @model_validator(mode="after")
    def _some_rule(self):
        if not self.expanding_won_deals and not self.expanding_revenue_kopecks:
            raise problem_at(("expanding_won_deals",), "or expanding_revenue_rub must be above 0, "
                             "else no partner could ever be expanding")
        return self

    def stalled_after(self, stage: str) -> int | None:
        return (self.stalled_days or {}).get(stage, DEFAULT_STALLED.get(stage))
