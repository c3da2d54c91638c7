"""MDF in the header: the partner's fund (Grow), the managers' queue (Manage)."""
from flask_babel import lazy_gettext as _l

from ...ui import GROW, MANAGE, PARTNERS, VENDOR, nav_item

nav_item("mdf.index", _l("Marketing fund"), group=GROW, order=40, roles=PARTNERS, current=("mdf.index", "mdf.new", "mdf.edit", "mdf.show", "mdf.claim", "mdf.roi_page"))
nav_item("mdf.queue", _l("MDF requests"), group=MANAGE, order=55, roles=VENDOR, current=("mdf.queue", "mdf.ledger", "mdf.review", "mdf.roi_page"))
