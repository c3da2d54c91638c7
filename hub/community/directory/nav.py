"""The directory in the header: partners and managers under Grow; visitors get the public locator."""
from flask_babel import lazy_gettext as _l

from ...ui import GROW, SELL, SIGNED_IN, VISITOR, nav_item

nav_item("directory.index", _l("Partner directory"), group=GROW, order=33, roles=SIGNED_IN,
         current=("directory.index", "directory.organisation", "directory.person", "directory.settings",
                  "directory.me"))
# Visitors have no Sell group: the locator stands alone as a plain link before "Program" (a second
# Grow item would fold "Program" into a menu).
nav_item("directory.locator", _l("Find a partner"), group=SELL, order=90, roles={VISITOR},
         current=("directory.locator", "directory.locator_partner", "directory.contact", "directory.thanks"))
