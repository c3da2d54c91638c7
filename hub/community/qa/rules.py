"""The Q&A section of program.yml (optional; every key has a default):

    qa:
      remind_after_days: 7              # an unsolved thread with replies reminds its asker this long after it opened
      private_tiers: [gold, platinum]   # the organisation tiers that read the key partners' private space
      max_post_chars: 20000             # the longest question or reply, in characters of Markdown
      post_rate: "10 per minute"        # posting limit per person (Flask-Limiter syntax); HUB_QA_POST_RATE overrides

Read as `rules.current().qa`.
"""
from __future__ import annotations

from ...program.rules import Code, ListOf, RulesModel, WholeNumber, rules_section


@rules_section("qa", required=False, default={})
class QaRules(RulesModel):
    remind_after_days: WholeNumber(1, 365) = 7
    private_tiers: ListOf[Code] = ("gold", "platinum")
    max_post_chars: WholeNumber(100, 100_000) = 20_000
    post_rate: str = "10 per minute"
