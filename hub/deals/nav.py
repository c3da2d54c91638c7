"""Deals in the header: the deal list for everyone signed in, the approval queue for the vendor."""
from flask_babel import lazy_gettext as _l

from ..ui import MANAGE, SELL, SIGNED_IN, VENDOR, nav_item

nav_item("deals.index", _l("Deals"), group=SELL, order=10, roles=SIGNED_IN, current=("deals.*",))
nav_item("deals.queue", _l("Approval queue"), group=MANAGE, order=10, roles=VENDOR)
