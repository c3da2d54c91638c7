"""The KPIs in the header: the managers' page (Manage) and the partner's own figures (Grow)."""
from flask_babel import lazy_gettext as _l

from ...ui import GROW, MANAGE, PARTNERS, VENDOR, nav_item

nav_item("kpis.index", _l("Program KPIs"), group=MANAGE, order=65, roles=VENDOR,
         current=("kpis.index", "kpis.definitions"))
nav_item("kpis.mine", _l("Our figures"), group=GROW, order=90, roles=PARTNERS, current=("kpis.mine",))
