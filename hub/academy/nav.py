"""The academy in the header: tracks for everyone signed in; who is where for those who follow learners."""
from flask_babel import lazy_gettext as _l

from ..ui import MANAGE, LEARN, PARTNER_ADMIN, SIGNED_IN, VENDOR, nav_item

nav_item("academy.index", _l("Academy"), group=LEARN, order=10, roles=SIGNED_IN, current=("academy.*",))
nav_item("academy.manage", _l("Learning progress"), group=MANAGE, order=30, roles=VENDOR | {PARTNER_ADMIN})
