"""Q&A in the header: the community for everyone signed in (Grow)."""
from flask_babel import lazy_gettext as _l

from ...ui import GROW, SIGNED_IN, nav_item

nav_item("qa.index", _l("Community"), group=GROW, order=35, roles=SIGNED_IN, current=("qa.*",))
