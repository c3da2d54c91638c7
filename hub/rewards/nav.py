"""Rewards in the header: the dashboard (the commission overview for the vendor), and the partner
admin's own commission statement."""
from flask_babel import lazy_gettext as _l

from ..ui import GROW, MANAGE, PARTNER_ADMIN, SIGNED_IN, nav_item

nav_item("rewards.index", _l("Rewards"), group=GROW, order=20, roles=SIGNED_IN, current=("rewards.*",))
nav_item("rewards.statement", _l("Commission statement"), group=MANAGE, order=20, roles={PARTNER_ADMIN},
         url_values=lambda user: {"org_id": user.organisation_id})
