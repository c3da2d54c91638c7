"""The funnel in the managers' header (Manage)."""
from flask_babel import lazy_gettext as _l

from ...ui import MANAGE, VENDOR, nav_item

nav_item("funnel.index", _l("Partner funnel"), group=MANAGE, order=70, roles=VENDOR,
         current=("funnel.index", "funnel.table_csv", "funnel.weekly_report", "funnel.weekly_of"))
