"""What recruitment tells: the applicant (no account: e-mail only, to an Address) at each step, and the
vendor's managers when an application arrives or an applicant answers."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core import notifications


def _vendor(user) -> bool:
    return user.is_vendor


notifications.feature("recruitment", _l("Partner applications"), order=15)

for key, text in (
    ("recruitment.received", _l("We have received the partner application of %(company)s. A channel manager will "
                                "answer within a few working days.")),
    ("recruitment.info_requested", _l("Your partner application for %(company)s needs more information: "
                                      "%(question)s. Answer through the link below.")),
    ("recruitment.qualified", _l("Your partner application for %(company)s has passed the first review. A channel "
                                 "manager will come back to you with the decision.")),
    ("recruitment.declined", _l("Your partner application for %(company)s is declined: %(reason)s")),
    ("recruitment.approved", _l("Your partner application for %(company)s is approved. An invitation to the "
                                "Partner Hub follows in a separate e-mail.")),
):
    notifications.register(key, _l("A message to an applicant"), text=text, email=notifications.ALWAYS,
                           inbox=False)

notifications.register("recruitment.new", _l("A new partner application"),
                       text=_l("%(company)s applied to become a partner"), audience=_vendor, email_default=False)
notifications.register("recruitment.answered", _l("An applicant answered a question"),
                       text=_l("%(company)s answered your question about its application"), audience=_vendor,
                       email_default=True)
