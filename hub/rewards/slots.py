"""Badges on the pages hub/accounts owns: a person's on their profile, an organisation's on its page
and on its team page (hub/ui.py page slots). One query each (awards with their badge, joined)."""
from __future__ import annotations

from ..i18n import locale_code
from ..ui import ORGANISATION, PARTNERS, PROFILE, SIGNED_IN, TEAM, page_slot
from . import badges

SHOWN = 12


@page_slot(PROFILE, "rewards.badges", "rewards/_user_badges.html", order=30, roles=PARTNERS)
def user_badges(user, viewer):
    return {"awards": badges.awards_of_user(user.id, limit=SHOWN), "locale": locale_code()}


def _org_badges(organisation, viewer):
    if organisation.is_vendor:
        return None
    return {"awards": badges.awards_of_org(organisation.id, limit=SHOWN), "locale": locale_code()}


page_slot(ORGANISATION, "rewards.badges", "rewards/_org_badges.html", order=30, roles=SIGNED_IN)(_org_badges)
page_slot(TEAM, "rewards.badges", "rewards/_org_badges.html", order=30, roles=SIGNED_IN)(_org_badges)
