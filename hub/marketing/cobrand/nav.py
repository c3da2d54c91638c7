"""Co-branded material in the header: the catalogue for partners (Grow), the request queue (Manage)."""
from flask_babel import lazy_gettext as _l

from ...ui import GROW, MANAGE, PARTNERS, VENDOR, nav_item

nav_item("cobrand.index", _l("Co-branded material"), group=GROW, order=45, roles=PARTNERS,
         current=("cobrand.index", "cobrand.show", "cobrand.new_request", "cobrand.show_request"))
nav_item("cobrand.queue", _l("Co-branded requests"), group=MANAGE, order=57, roles=VENDOR,
         current=("cobrand.queue", "cobrand.downloads", "cobrand.manage_request"))
