"""The notification types of co-branded material: the partner hears about its custom piece, the
vendor's channel team about a new request."""
from flask_babel import lazy_gettext as _l

from ...core import notifications

notifications.feature("cobrand", _l("Co-branded material"), order=47)

notifications.register("cobrand.delivered", _l("My custom co-branded piece is ready"),
                       text=_l("Your co-branded piece «%(title)s» is ready to download"),
                       audience=lambda user: user.is_partner, email_default=True)
notifications.register("cobrand.declined", _l("My custom co-branded piece is declined"),
                       text=_l("Your request for the co-branded piece «%(title)s» is declined: %(reason)s"),
                       audience=lambda user: user.is_partner, email_default=True)
notifications.register("cobrand.requested", _l("A partner asks for a custom co-branded piece"),
                       text=_l("%(organisation)s asks for a co-branded piece «%(title)s» by %(deadline)s"),
                       audience=lambda user: user.is_vendor, email_default=True)
