"""The notification types of MDF: what the partner hears about their requests."""
from flask_babel import lazy_gettext as _l

from ...core import notifications


def _partner(user) -> bool:
    return user.is_partner


notifications.feature("mdf", _l("Marketing fund"), order=45)

for key, label, text in (
    ("mdf.approved", _l("My MDF request is approved"), _l("Your MDF request «%(title)s» is approved: %(amount)s")),
    ("mdf.changes", _l("Changes are asked for my MDF request"),
     _l("Changes are asked for your MDF request «%(title)s»: %(reason)s")),
    ("mdf.declined", _l("My MDF request is declined"), _l("Your MDF request «%(title)s» is declined: %(reason)s")),
    ("mdf.expiring", _l("Unused MDF is about to expire"),
     _l("%(amount)s of MDF for %(quarter)s expires at the end of the quarter: request it in time")),
):
    notifications.register(key, label, text=text, audience=_partner, email_default=True)
