"""NPS in the header: the managers' results and follow-up (Manage). Partners reach their surveys
from the home panel and the notification."""
from flask_babel import lazy_gettext as _l

from ...ui import MANAGE, VENDOR, nav_item

nav_item("nps.results", _l("Partner NPS"), group=MANAGE, order=60, roles=VENDOR,
         current=("nps.results", "nps.results_csv", "nps.follow_ups", "nps.follow_up"))
