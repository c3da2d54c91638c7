"""Events in the header: the catalogue for everyone signed in (Grow), the overview for managers."""
from flask_babel import lazy_gettext as _l

from ...ui import GROW, MANAGE, SIGNED_IN, VENDOR, nav_item

nav_item("events.index", _l("Events"), group=GROW, order=30, roles=SIGNED_IN,
         current=("events.*",))
nav_item("events.manage", _l("Event registrations"), group=MANAGE, order=50, roles=VENDOR)
