"""The notification types of rewards: tier changes, told to everyone in the organisation; individual
terms (R5): told to the organisation's admins when they apply, and to the other managers when they
wait for a second approval."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.models import PARTNER_ADMIN
from ..core import notifications
from ..i18n import locale_code
from ..program import rules as program_rules


def _tier_name(code: str) -> str:
    tier = program_rules.current().tier(code)
    return tier.name.get(locale_code()) if tier else code


def _tier_changed(note) -> str:
    # Tier names come from program.yml in both languages: looked up when read, in the reader's.
    if note.params.get("up"):
        return _("Your organisation has moved up to the %(tier)s tier", tier=_tier_name(note.params["new"]))
    return _("Your organisation's tier changed from %(old)s to %(new)s",
             old=_tier_name(note.params["old"]), new=_tier_name(note.params["new"]))


notifications.feature("rewards", _l("Rewards"), order=30)
notifications.register(
    "rewards.tier_changed", _l("Our organisation's tier changes"), render=_tier_changed,
    audience=lambda user: user.is_partner,
    # Partner admins get it by e-mail unless they opt out; members may opt in.
    email_default=lambda user: user.role == PARTNER_ADMIN)

notifications.register(
    "rewards.term_applies", _l("Our organisation gets individual commission terms"),
    text=_l("Your organisation has new individual commission terms: see them on the terms page."),
    audience=lambda user: user.role == PARTNER_ADMIN, email_default=True)


def _term_awaiting(note) -> str:
    return _("Individual terms for %(org)s wait for a second manager's approval", org=note.params.get("org", ""))


notifications.register(
    "rewards.term_awaiting", _l("Individual terms wait for my approval"), render=_term_awaiting,
    audience=lambda user: user.is_manager, email_default=True)
