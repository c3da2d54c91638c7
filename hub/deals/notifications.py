"""The notification types of deals: what the partner and the vendor's managers are told."""
from flask_babel import lazy_gettext as _l

from ..core import notifications


def _partner(user) -> bool:
    return user.is_partner


def _manager(user) -> bool:
    return user.is_manager


notifications.feature("deals", _l("Deals"), order=10)

# Lines are headlines (inbox rows, e-mail subjects): no closing full stop, which would double the
# one a Russian date already ends with («5 дек. 2026 г.»).
for key, label, text, audience in (
    ("deals.submitted", _l("A partner registers a deal"),
     _l("New deal registration: «%(customer)s» (%(amount)s)"), _manager),
    ("deals.extension_requested", _l("A partner asks to extend a deal's protection"),
     _l("Extension requested for the deal «%(customer)s»"), _manager),
    ("deals.approved", _l("Our deal is approved"),
     _l("Your deal «%(customer)s» was approved: protected until %(until)s"), _partner),
    ("deals.rejected", _l("Our deal is rejected"),
     _l("Your deal «%(customer)s» was rejected: %(reason)s"), _partner),
    ("deals.won", _l("A manager marks our deal won"), _l("Your deal «%(customer)s» was marked won"), _partner),
    ("deals.lost", _l("A manager marks our deal lost"), _l("Your deal «%(customer)s» was marked lost"), _partner),
    ("deals.extension_granted", _l("An extension of our deal is granted"),
     _l("The extension for «%(customer)s» was granted: protected until %(until)s"), _partner),
    ("deals.extension_refused", _l("An extension of our deal is refused"),
     _l("The extension for «%(customer)s» was refused"), _partner),
    ("deals.expired", _l("The protection of our deal expires"),
     _l("The protection of your deal «%(customer)s» has expired"), _partner),
):
    notifications.register(key, label, text=text, audience=audience)
