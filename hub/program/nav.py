"""The program's place in the header: the public program page, for everyone."""
from flask_babel import lazy_gettext as _l

from ..ui import EVERYONE, GROW, nav_item

nav_item("program.page", _l("Program"), group=GROW, order=10, roles=EVERYONE, current=("program.*",))
