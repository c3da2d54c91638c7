"""The events' section of program.yml (optional; every key has a default):

    events:
      offer_hours: 24            # how long a seat freed from the waitlist is held, unless an event says otherwise
      join_link_minutes: 15      # the join link of an online event shows this long before the start

Read as `rules.current().events.offer_hours`.
"""
from __future__ import annotations

from ...program.rules import RulesModel, WholeNumber, rules_section


@rules_section("events", required=False, default={})
class EventRules(RulesModel):
    offer_hours: WholeNumber(1, 24 * 14) = 24
    join_link_minutes: WholeNumber(0, 24 * 60) = 15
