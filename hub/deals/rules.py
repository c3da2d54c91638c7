"""The deals' sections of program.yml (hub/program/rules.py registers them with the others):

    deals:                      # D3: protection and the decision SLA; D1: what a deal may hold
      protection_days: 90
      decision_sla_hours: 48
      extension_days: 30
      amount_min_rub: 1000              # optional; the smallest deal amount
      amount_max_rub: 10000000000       # optional; the one ceiling of every money field in the hub
      expected_close_max_days: 730      # optional; how far ahead an expected close date may lie
    territories:                # D4, optional: regions exclusive to one partner
      - {region: kaliningrad, partner: baltic-integration, until: 2027-12-31}

Read as `rules.current().deals.protection_days` and `rules.current().territories.exclusive_partner(...)`.
"""
from __future__ import annotations

from datetime import date

from pydantic import Field, RootModel, ValidationInfo, field_validator, model_validator

from .. import facts
from ..program.rules import (Code, ListOf, OptionalDate, Roubles, RulesModel, WholeNumber, earlier, problem_at,
                             register_section, rules_section)

# Defaults of the optional deal limits, so that a program.yml written before they existed still loads.
DEFAULT_AMOUNT_MIN_KOPECKS = 1_000_00  # 1 000 roubles: below any real licence deal
DEFAULT_AMOUNT_MAX_KOPECKS = 10_000_000_000_00  # 10 bn roubles: anything above is a typo
DEFAULT_EXPECTED_CLOSE_MAX_DAYS = 730
# Far below BIGINT (9.2e18) even after multiplying by deals per year in the calculator.
AMOUNT_CEILING_LIMIT_KOPECKS = 10**15


@rules_section("deals")
class DealRules(RulesModel):
    protection_days: WholeNumber(1)
    decision_sla_hours: WholeNumber(1)
    extension_days: WholeNumber(1)
    # The ceiling is the one limit of every money field in the hub (hub/forms.py MoneyField).
    amount_min_kopecks: Roubles = Field(DEFAULT_AMOUNT_MIN_KOPECKS, alias="amount_min_rub")
    amount_max_kopecks: Roubles = Field(DEFAULT_AMOUNT_MAX_KOPECKS, alias="amount_max_rub")
    expected_close_max_days: WholeNumber(1) = DEFAULT_EXPECTED_CLOSE_MAX_DAYS

    @field_validator("amount_min_kopecks")
    @classmethod
    def _positive(cls, kopecks: int) -> int:
        if kopecks < 1:
            raise ValueError("must be more than zero")
        return kopecks

    @field_validator("amount_max_kopecks")
    @classmethod
    def _below_the_hard_limit(cls, kopecks: int) -> int:
        if kopecks > AMOUNT_CEILING_LIMIT_KOPECKS:
            raise ValueError(f"must be at most {AMOUNT_CEILING_LIMIT_KOPECKS // 100}")
        return kopecks

    @field_validator("expected_close_max_days")
    @classmethod
    def _at_most_ten_years(cls, days: int) -> int:
        if days > 3650:
            raise ValueError(f"must be at most 3650 (ten years), got {days}")
        return days

    @model_validator(mode="after")
    def _ceiling_above_minimum(self):
        if self.amount_max_kopecks <= self.amount_min_kopecks:
            raise problem_at(("amount_max_rub",), "must be higher than deals.amount_min_rub")
        return self


class Territory(RulesModel):
    region: str
    partner: Code  # the organisation's slug
    until: OptionalDate = None

    @field_validator("region")
    @classmethod
    def _a_known_region(cls, region, info: ValidationInfo):
        if region not in {r.code for r in earlier(info, "regions")}:
            raise ValueError(f"is not one of the regions: {region!r}")
        return region


class Territories(RootModel[ListOf[Territory]]):
    model_config = {"frozen": True}

    def exclusive_partner(self, region: str, on: date) -> str | None:
        """The slug of the organisation holding `region` exclusively on `on`, if any."""
        for territory in self.root:
            if territory.region == region and (territory.until is None or on <= territory.until):
                return territory.partner
        return None

    def __iter__(self):
        return iter(self.root)

    def __len__(self) -> int:
        return len(self.root)

    def __bool__(self) -> bool:
        return bool(self.root)


register_section("territories", Territories, required=False, default=[], needs=("regions",))


@facts.provides("money_limits")
def money_limits() -> dict:
    """The limits of every money field (hub/forms.py): the deal minimum and the one ceiling."""
    from ..program.rules import current
    deals = current().deals
    return {"ceiling_kopecks": deals.amount_max_kopecks, "deal_minimum_kopecks": deals.amount_min_kopecks}
