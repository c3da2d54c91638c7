"""Recruitment in the header: the managers' application queue (Manage); targets and costs hang off it."""
from flask_babel import lazy_gettext as _l

from ..ui import MANAGE, VENDOR, nav_item

nav_item("recruitment.queue", _l("Partner applications"), group=MANAGE, order=57, roles=VENDOR,
         current=("recruitment.queue", "recruitment.show", "recruitment.targets", "recruitment.target",
                  "recruitment.costs", "recruitment.import_targets"))
