"""The directory in the header: partners and managers under Grow; visitors get the public locator."""
from flask_babel import lazy_gettext as _l

from ...ui import GROW, SIGNED_IN, VISITOR, nav_item

nav_item("directory.index", _l("Partner directory"), group=GROW, order=33, roles=SIGNED_IN,
         current=("directory.index", "directory.organisation", "directory.person", "directory.settings",
                  "directory.me"))
nav_item("directory.locator", _l("Find a partner"), group=GROW, order=15, roles={VISITOR},
         current=("directory.locator", "directory.locator_partner", "directory.contact", "directory.thanks"))
