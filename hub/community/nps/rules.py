"""The NPS section of program.yml (optional; every key has a default):

    nps:
      relationship_months: [3, 9]   # the relationship survey opens on the 1st of these months (twice a year)
      open_days: 30                 # a survey not answered within this many days expires
      after_deal: true              # a one-question survey after a deal decision (approved, rejected, won)
      after_mdf: true               # ... after an MDF decision or payment
      after_event: true             # ... after attending an event

Read as `rules.current().nps`.
"""
from __future__ import annotations

from pydantic import field_validator

from ...program.rules import ListOf, RulesModel, WholeNumber, rules_section
from ...schema import Bool


@rules_section("nps", required=False, default={})
class NpsRules(RulesModel):
    relationship_months: ListOf[WholeNumber(1, 12)] = (3, 9)
    open_days: WholeNumber(1, 365) = 30
    after_deal: Bool = True
    after_mdf: Bool = True
    after_event: Bool = True

    @field_validator("relationship_months")
    @classmethod
    def _distinct(cls, months: tuple[int, ...]) -> tuple[int, ...]:
        if len(set(months)) != len(months):
            raise ValueError("each month once")
        return tuple(sorted(months))
