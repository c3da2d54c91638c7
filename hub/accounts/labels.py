"""Human names for the codes stored on organisations and users, in the viewer's language.

Registered as template filters (`role_label`, `partner_type_label`, `segment_label`,
`region_label`, `tier_label`) so that every feature shows the same words.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import ADMIN, MANAGER, MEMBER, PARTNER_ADMIN

ROLE_LABELS = {
    MEMBER: _l("Partner member"),
    PARTNER_ADMIN: _l("Partner admin"),
    MANAGER: _l("Channel manager"),
    ADMIN: _l("Administrator"),
}

PARTNER_TYPE_LABELS = {
    "integrator": _l("Integrator"),
    "distributor": _l("Distributor"),
    "agent": _l("Agent"),
    "dealer": _l("Dealer"),
}

SEGMENT_LABELS = {
    "referral": _l("Referral partner"),
    "sales": _l("Sales partner"),
    "strategic": _l("Strategic partner"),
}

INVITATION_STATE_LABELS = {
    "pending": _l("Pending"),
    "accepted": _l("Accepted"),
    "revoked": _l("Revoked"),
    "expired": _l("Expired"),
}

# Russia's time zones (plus UTC), west to east. Stored as IANA names.
TIMEZONES = (
    ("Europe/Kaliningrad", _l("Kaliningrad (UTC+2)")),
    ("Europe/Moscow", _l("Moscow (UTC+3)")),
    ("Europe/Samara", _l("Samara (UTC+4)")),
    ("Asia/Yekaterinburg", _l("Yekaterinburg (UTC+5)")),
    ("Asia/Omsk", _l("Omsk (UTC+6)")),
    ("Asia/Novosibirsk", _l("Novosibirsk (UTC+7)")),
    ("Asia/Krasnoyarsk", _l("Krasnoyarsk (UTC+7)")),
    ("Asia/Irkutsk", _l("Irkutsk (UTC+8)")),
    ("Asia/Yakutsk", _l("Yakutsk (UTC+9)")),
    ("Asia/Vladivostok", _l("Vladivostok (UTC+10)")),
    ("Asia/Magadan", _l("Magadan (UTC+11)")),
    ("Asia/Kamchatka", _l("Kamchatka (UTC+12)")),
    ("UTC", _l("UTC")),
)

LANGUAGE_NAMES = (("ru", "Русский"), ("en", "English"))


def _label(mapping):
    def label(code):
        if code is None:
            return ""
        return mapping.get(code, code)
    return label


role_label = _label(ROLE_LABELS)
partner_type_label = _label(PARTNER_TYPE_LABELS)
segment_label = _label(SEGMENT_LABELS)
invitation_state_label = _label(INVITATION_STATE_LABELS)


def region_label(code: str | None) -> str:
    from ..program import rules
    region = rules.current().region(code) if code else None
    return str(region.name) if region else (code or "")


def tier_label(code: str | None) -> str:
    from ..program import rules
    tier = rules.current().tier(code) if code else None
    return str(tier.name) if tier else (code or "")


def install(app) -> None:
    for name, func in (("role_label", role_label), ("partner_type_label", partner_type_label),
                       ("segment_label", segment_label), ("region_label", region_label),
                       ("tier_label", tier_label), ("invitation_state_label", invitation_state_label)):
        app.jinja_env.filters[name] = func

    from .profile import REQUIRED_LABELS
    app.jinja_env.filters["profile_required_label"] = lambda part: str(REQUIRED_LABELS.get(part, part))
