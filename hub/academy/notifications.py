"""The notification types of the academy: certificates earned, revoked and about to expire."""
from flask_babel import lazy_gettext as _l

from ..core import notifications

notifications.feature("academy", _l("Academy"), order=20)


def _learner(user) -> bool:
    return user.is_partner


notifications.register(
    "academy.certificate_earned", _l("I earn a certificate"),
    text=_l("Certificate earned: %(track)s, valid until %(until)s"), email_default=False, audience=_learner)
notifications.register(
    "academy.certificate_revoked", _l("A certificate of mine is revoked"),
    text=_l("Your certificate «%(track)s» was revoked: %(reason)s"), email_default=False, audience=_learner)
# E-mail body and subject: templates/email/academy/certificate_expiring.{txt,html}
notifications.register(
    "academy.certificate_expiring", _l("A certificate of mine expires soon"),
    text=_l("Your certificate «%(track)s» expires on %(until)s — pass the final exam again to renew it"),
    audience=_learner)


def track_title(track) -> notifications.Translated:
    """The track's title in both languages, so each reader sees their own."""
    return notifications.Translated({"ru": track.title_ru, "en": track.title_en})
