"""The notification types of leads: offers and referral news for partners, answers for managers."""
from flask_babel import lazy_gettext as _l

from ...core import notifications


def _partner(user) -> bool:
    return user.is_partner


def _vendor(user) -> bool:
    return user.is_vendor


notifications.feature("leads", _l("Leads"), order=47)

for key, label, text, audience in (
    ("leads.offered", _l("A lead is offered to us"),
     _l("A lead is offered to you: «%(company)s». Accept or decline by %(due)s"), _partner),
    ("leads.referral_status", _l("A customer I recommended moved on"),
     _l("Your recommendation «%(company)s» is now: %(status)s"), _partner),
    ("leads.accepted", _l("A partner accepted a lead"), _l("%(organisation)s accepted the lead «%(company)s»"),
     _vendor),
    ("leads.declined", _l("A partner declined a lead"),
     _l("%(organisation)s declined the lead «%(company)s»: %(reason)s"), _vendor),
    ("leads.returned", _l("A lead came back to the pool unanswered"),
     _l("%(organisation)s did not answer in time: the lead «%(company)s» is back in the pool"), _vendor),
    ("leads.referral_new", _l("A referral partner recommended a customer"),
     _l("%(organisation)s recommends a customer: «%(company)s»"), _vendor),
):
    notifications.register(key, label, text=text, audience=audience, email_default=True)
