"""The notification types of NPS: the partner hears a survey is open; the account manager hears a comment."""
from flask_babel import lazy_gettext as _l

from ...core import notifications


def _partner(user) -> bool:
    return user.is_partner


def _vendor(user) -> bool:
    return user.is_vendor


notifications.feature("nps", _l("Partner surveys"), order=48)
notifications.register("nps.relationship", _l("The twice-yearly partner survey opens"),
                       text=_l("Tell us how we are doing: the partner survey is open until %(until)s"),
                       audience=_partner, email_default=True)
notifications.register("nps.after", _l("A one-question survey after a deal, MDF request or event"),
                       text=_l("One question about your recent experience with us: open until %(until)s"),
                       audience=_partner, email_default=True)
notifications.register("nps.comment", _l("A partner comments in a survey"),
                       text=_l("%(person)s (%(organisation)s) gave %(score)s out of 10: «%(comment)s»"),
                       audience=_vendor, email_default=True)
