"""The library in the header: the catalogue for everyone signed in, the usage report for the vendor."""
from flask_babel import lazy_gettext as _l

from ..ui import MANAGE, SELL, SIGNED_IN, VENDOR, nav_item

nav_item("library.index", _l("Library"), group=SELL, order=20, roles=SIGNED_IN, current=("library.*",))
nav_item("library.usage", _l("Library usage"), group=MANAGE, order=40, roles=VENDOR)
