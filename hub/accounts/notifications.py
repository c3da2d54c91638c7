"""The notification types of accounts: e-mail only, always sent (they are how one gets in)."""
from flask_babel import lazy_gettext as _l

from ..core import notifications

notifications.feature("accounts", _l("Your account"), order=90)
# The profile page holds the e-mail choices (templates/accounts/profile.html, #email-choices).
notifications.choices_page("accounts.profile", "email-choices")

# The link carries the token: e-mail only, so no inbox row ever stores it.
PASSWORD_RESET = notifications.register(
    "accounts.password_reset", _l("Password reset link"), text=_l("Reset your Partner Hub password"),
    email=notifications.ALWAYS, inbox=False)

INVITATION = notifications.register(
    "accounts.invitation", _l("Invitation to Partner Hub"),
    text=_l("You are invited to Partner Hub of %(org)s"), email=notifications.ALWAYS, inbox=False)
