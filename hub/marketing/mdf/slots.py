"""The partner's available MDF on the home page (one query: the sums of the quarter's entries; the credit is the tick's or the fund page's)."""
from __future__ import annotations

from ...ui import PARTNERS, home_panel
from . import services


@home_panel("mdf.balance", "marketing/mdf/_home_panel.html", order=45, roles=PARTNERS)
def mdf_balance(user):
    quarter = services.quarter_of(services.today())
    return {"quarter": quarter, "balance": services.balance(user.organisation_id, quarter)}
