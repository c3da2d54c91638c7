"""The rewards' sections of program.yml (hub/program/rules.py registers them with the others):

    points:                     # R1: points per action; the five below are required, more may follow
      deal_approved: 10
      ...
    demotion_grace_days: 90     # R3: days continuously below a tier's thresholds before demotion

Read as `rules.current().points` (a dict) and `rules.current().demotion_grace_days`.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from ..program.rules import MappingOf, WholeNumber, problem_at, register_section

ACTIONS = ("deal_approved", "deal_won", "certificate_earned", "event_attended", "accepted_answer")


def _every_action(points: dict[str, int]) -> dict[str, int]:
    for action in ACTIONS:
        if action not in points:
            raise problem_at((action,), "is missing")
    return points


register_section("points", Annotated[MappingOf[str, WholeNumber(0)], AfterValidator(_every_action)])
register_section("demotion_grace_days", WholeNumber(0))
