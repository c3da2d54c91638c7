"""The admin page of event deliveries in the header (admins only)."""
from flask_babel import lazy_gettext as _l

from ..ui import ADMIN, MANAGE, nav_item

nav_item("domain_events.deliveries", _l("Event deliveries"), group=MANAGE, order=90, roles={ADMIN},
         current=("domain_events.*",))
