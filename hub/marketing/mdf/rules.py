"""The MDF section of program.yml (optional; every key has a default):

    mdf:
      mode: fixed                       # fixed: the quarter's allocation by tier (allocation_rub);
                                        # accrued: a share of won revenue by tier (accrual_percent)
      allocation_rub: {silver: 150000, gold: 500000}   # default: each tier's mdf_quarter_rub, the
                                        # figure the program page promises; a tier not named gets 0
      accrual_percent: {silver: 2, gold: 3, platinum: 4}   # mode accrued: % of every won deal's amount
      second_approver_rub: 300000       # a request approved above this needs a second, different manager
      claim_days: 60                    # a claim is filed at most this many days after the activity ends
      payment_days: 30                  # an approved claim is paid within this many days

In the accrued mode each won deal credits its organisation's fund once (the ledger key accrued:<deal>)
with accrual_percent of its amount for the organisation's tier, rounded half up to the kopeck, in the
quarter the deal was won (or the current one, if that quarter has already ended); there is no fixed
allocation then. The tiers named must be the program's tiers; the mode needs at least one tier above 0 %.

Read as `rules.current().mdf`.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Literal, Optional

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ...program.commission import percent_of
from ...program.rules import Percent, RulesModel, WholeNumber, earlier, problem_at, rules_section

FIXED, ACCRUED = "fixed", "accrued"


@rules_section("mdf", required=False, default={}, needs=("tiers",))
class MdfRules(RulesModel):
    mode: Literal["fixed", "accrued"] = FIXED
    allocation_rub: Optional[dict[str, WholeNumber(0, 1_000_000_000)]] = Field(default=None, validate_default=True)
    accrual_percent: dict[str, Percent] = {}
    second_approver_rub: WholeNumber(0, 1_000_000_000) = 300_000
    claim_days: WholeNumber(1, 365) = 60
    payment_days: WholeNumber(1, 365) = 30

    @field_validator("allocation_rub")
    @classmethod
    def _allocation_of_tiers(cls, amounts: dict | None, info: ValidationInfo):
        tiers = earlier(info, "tiers")
        if amounts is None:   # the program page's promise: each tier's mdf_quarter_rub
            return {tier.code: int(tier.mdf_quarter_kopecks or 0) // 100 for tier in tiers}
        known = [tier.code for tier in tiers]
        for tier in amounts:
            if tier not in known:
                raise problem_at((tier,), f"is not one of the tiers: {', '.join(known)}")
        return amounts

    @field_validator("accrual_percent")
    @classmethod
    def _known_tiers(cls, shares: dict, info: ValidationInfo):
        known = [tier.code for tier in earlier(info, "tiers")]
        for tier in shares:
            if tier not in known:
                raise problem_at((tier,), f"is not one of the tiers: {', '.join(known)}")
        return shares

    @model_validator(mode="after")
    def _accrued_needs_shares(self):
        if self.mode == ACCRUED and not any(Decimal(share) > 0 for share in self.accrual_percent.values()):
            raise problem_at(("accrual_percent",), "must give at least one tier a share above 0 when mode is accrued")
        return self

    @property
    def accrued(self) -> bool:
        return self.mode == ACCRUED

    def allocation_kopecks(self, tier: str | None) -> int:
        """The fixed quarterly allocation of a tier (none in the accrued mode)."""
        if self.accrued:
            return 0
        return int((self.allocation_rub or {}).get(tier or "", 0)) * 100

    def accrual_share(self, tier: str | None) -> Decimal:
        """The share of won revenue a tier accrues, in percent (0 in the fixed mode or for a tier not named)."""
        if not self.accrued:
            return Decimal(0)
        return Decimal(self.accrual_percent.get(tier or "", 0))

    def accrual_kopecks(self, won_kopecks: int, tier: str | None) -> int:
        return percent_of(won_kopecks, self.accrual_share(tier)) if won_kopecks > 0 else 0

    @property
    def second_approver_kopecks(self) -> int:
        return int(self.second_approver_rub) * 100
