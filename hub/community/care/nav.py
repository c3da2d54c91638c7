"""Key-partner care in the header: the partner's own page (Grow), the managers' key partners (Manage)."""
from flask_babel import lazy_gettext as _l

from ...ui import GROW, MANAGE, PARTNERS, VENDOR, nav_item

_PAGES = ("care.index", "care.organisation", "care.qbr", "care.qbr_edit", "care.betas", "care.beta", "care.beta_new",
          "care.announcements", "care.announcement", "care.announcement_new", "care.qbr_new")

nav_item("care.index", _l("Partnership"), group=GROW, order=50, roles=PARTNERS, current=_PAGES, name="care.partner")
nav_item("care.index", _l("Key partners"), group=MANAGE, order=60, roles=VENDOR, current=_PAGES, name="care.manager")
