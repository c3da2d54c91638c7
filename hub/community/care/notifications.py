"""The notification types of key-partner care: closed announcements for a tier, a scheduled QBR."""
from flask_babel import lazy_gettext as _l

from ...core import notifications


def _partner(user) -> bool:
    return user.is_partner


def _partner_admin(user) -> bool:
    return user.is_partner_admin


notifications.feature("care", _l("Partnership"), order=48)
notifications.register("care.announcement", _l("An announcement for my tier"),
                       text=_l("Announcement: «%(title)s»"), audience=_partner, email_default=True)
notifications.register("care.qbr_scheduled", _l("A quarterly business review is scheduled"),
                       text=_l("%(manager)s scheduled a quarterly business review on %(day)s"),
                       audience=_partner_admin, email_default=True)
notifications.register("care.item_assigned", _l("An action item of a business review is mine"),
                       text=_l("Action item for you from the review with %(partner)s: «%(title)s», due on %(day)s"),
                       email_default=True)
