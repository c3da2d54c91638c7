"""The deals' sections of program.yml (hub/program/rules.py registers them with the others):

    deals:                      # D3: protection and the decision SLA
      protection_days: 90
      decision_sla_hours: 48
      extension_days: 30
    territories:                # D4, optional: regions exclusive to one partner
      - {region: kaliningrad, partner: baltic-integration, until: 2027-12-31}

Read as `rules.current().deals.protection_days` and `rules.current().territories.exclusive_partner(...)`.
"""
from __future__ import annotations

from datetime import date

from pydantic import RootModel, ValidationInfo, field_validator

from ..program.rules import (Code, ListOf, OptionalDate, RulesModel, WholeNumber, earlier, register_section,
                             rules_section)


@rules_section("deals")
class DealRules(RulesModel):
    protection_days: WholeNumber(1)
    decision_sla_hours: WholeNumber(1)
    extension_days: WholeNumber(1)


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
