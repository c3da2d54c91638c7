"""The recruitment section of program.yml (optional; every key has a default):

    recruitment:
      referral_bonus_points: 500        # to the referring partner when the partner it brought wins its first deal
      new_partner_tier: bronze          # the tier an approved applicant starts in
      new_partner_segment: sales        # its relationship (referral / sales / strategic) unless the manager picks one
      checklist: [inn_checked, website_checked, fits_segment, capacity, call_held]   # qualification items

Read as `rules.current().recruitment`.
"""
from __future__ import annotations

from typing import Literal

from ..program.rules import RulesModel, WholeNumber, rules_section

CHECKLIST = ("inn_checked", "website_checked", "fits_segment", "capacity", "call_held")


@rules_section("recruitment", required=False, default={})
class RecruitmentRules(RulesModel):
    referral_bonus_points: WholeNumber(0, 1_000_000) = 500
    new_partner_tier: str = "bronze"
    new_partner_segment: Literal["referral", "sales", "strategic"] = "sales"
    checklist: tuple[Literal[CHECKLIST], ...] = CHECKLIST
