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
    ("mdf.claim_approved", _l("My MDF claim is approved"),
     _l("Your MDF claim for «%(title)s» is approved: %(amount)s, to be paid by %(due)s")),
    ("mdf.claim_more", _l("More proof is asked for my MDF claim"),
     _l("More proof is asked for your MDF claim for «%(title)s»: %(reason)s")),
    ("mdf.claim_rejected", _l("My MDF claim is rejected"),
     _l("Your MDF claim for «%(title)s» is rejected: %(reason)s. You may claim again before the deadline")),
    ("mdf.paid", _l("My MDF claim is paid"), _l("Your MDF claim for «%(title)s» is paid: %(amount)s")),
    ("mdf.released", _l("My approved MDF is released unclaimed"),
     _l("The MDF approved for «%(title)s» is released without a claim: %(amount)s back in the balance")),
):
    notifications.register(key, label, text=text, audience=_partner, email_default=True)
