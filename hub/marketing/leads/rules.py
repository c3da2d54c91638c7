"""The leads section of program.yml (optional; every key has a default):

    leads:
      accept_hours: 48                  # a partner answers an offered lead within this, else it returns to the pool
      referral_fee: percent             # "percent" of the won amount, or "fixed" roubles by the referrer's tier
      referral_fee_percent: 5
      referral_fee_rub: {bronze: 10000, silver: 15000, gold: 20000, platinum: 30000}

Read as `rules.current().leads`.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from ...program.commission import percent_of
from ...program.rules import Percent, RulesModel, Roubles, WholeNumber, rules_section

DEFAULT_FIXED = {"bronze": 10_000, "silver": 15_000, "gold": 20_000, "platinum": 30_000}


@rules_section("leads", required=False, default={})
class LeadRules(RulesModel):
    accept_hours: WholeNumber(1, 24 * 60) = 48
    referral_fee: Literal["percent", "fixed"] = "percent"
    referral_fee_percent: Percent = Decimal("5")
    referral_fee_rub: dict[str, Roubles] = {tier: rub * 100 for tier, rub in DEFAULT_FIXED.items()}

    def fee(self, won_kopecks: int, tier: str | None) -> tuple[int, str]:
        """The referral fee in kopecks and the basis it was computed on (kept with the fee line)."""
        if self.referral_fee == "fixed":
            return int(self.referral_fee_rub.get(tier or "", 0)), f"fixed:{tier or ''}"
        return percent_of(won_kopecks, self.referral_fee_percent), f"{self.referral_fee_percent}%"
