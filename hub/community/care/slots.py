"""The account manager's card: on the partner's home page (a panel) and on an organisation's page
(a slot beside the contacts the page shows itself). Two queries each: the manager, the decisions."""
from __future__ import annotations

from ...ui import ORGANISATION, PARTNERS, SIGNED_IN, home_panel, page_slot
from . import services


@home_panel("care.manager", "community/care/_manager_card.html", order=15, roles=PARTNERS)
def manager_panel(user):
    return services.manager_card(user.organisation)


@page_slot(ORGANISATION, "care.response", "community/care/_org_slot.html", order=5, roles=SIGNED_IN)
def organisation_slot(org, viewer):
    if org.is_vendor or not (viewer.is_vendor or viewer.organisation_id == org.id):
        return None
    return {"response": services.response_time(org.id), "key": services.is_key(org)}
