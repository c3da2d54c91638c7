"""The partner's open surveys on the home page: "Tell us how we are doing" (one query; nothing shown
when there is nothing to answer)."""
from __future__ import annotations

from ...ui import PARTNERS, home_panel
from . import services


@home_panel("nps.open", "community/nps/_home_panel.html", order=15, roles=PARTNERS)
def open_surveys(user):
    surveys = services.open_surveys(user)
    return {"surveys": surveys} if surveys else None
