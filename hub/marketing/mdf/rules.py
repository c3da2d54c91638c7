"""The MDF section of program.yml (optional; every key has a default):

    mdf:
      mode: fixed                       # the quarter's allocation by tier ("accrued" is not built yet)
      allocation_rub: {bronze: 0, silver: 150000, gold: 400000, platinum: 1000000}
      second_approver_rub: 300000       # a request approved above this needs a second, different manager
      claim_days: 60                    # a claim is filed at most this many days after the activity ends
      payment_days: 30                  # an approved claim is paid within this many days

Read as `rules.current().mdf`.
"""
from __future__ import annotations

from typing import Literal

from ...program.rules import RulesModel, WholeNumber, rules_section

DEFAULT_ALLOCATION = {"bronze": 0, "silver": 150_000, "gold": 400_000, "platinum": 1_000_000}


@rules_section("mdf", required=False, default={})
class MdfRules(RulesModel):
    mode: Literal["fixed"] = "fixed"
    allocation_rub: dict[str, WholeNumber(0, 1_000_000_000)] = DEFAULT_ALLOCATION
    second_approver_rub: WholeNumber(0, 1_000_000_000) = 300_000
    claim_days: WholeNumber(1, 365) = 60
    payment_days: WholeNumber(1, 365) = 30

    def allocation_kopecks(self, tier: str | None) -> int:
        return int(self.allocation_rub.get(tier or "", 0)) * 100

    @property
    def second_approver_kopecks(self) -> int:
        return int(self.second_approver_rub) * 100
