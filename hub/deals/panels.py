"""The deals summary on the home page (the organisation's deals for partners, the queue for the
vendor), and the way from an organisation's page to its deals.

Queries: two for a partner (counts by status, the deals whose protection ends soon), two for the
vendor (the queue's counts, pending extension requests), whatever the number of deals.
"""
from __future__ import annotations

from ..ui import ORGANISATION_ACTIONS, PARTNERS, VENDOR, home_panel, page_slot
from . import services


@home_panel("deals.summary", "deals/_home_panel.html", order=10, roles=PARTNERS)
def partner_panel(user):
    return {"summary": services.partner_summary(user.organisation)}


@home_panel("deals.queue", "deals/_home_manager_panel.html", order=10, roles=VENDOR)
def manager_panel(user):
    return {"summary": services.manager_summary()}


@page_slot(ORGANISATION_ACTIONS, "deals.list", "deals/_organisation_action.html", order=10, roles=VENDOR)
def organisation_deals(organisation, viewer):
    return None if organisation.is_vendor else {"slug": organisation.slug}
