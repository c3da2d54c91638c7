"""The academy's home-page panels: the onboarding plan (partners) and where to continue learning."""
from __future__ import annotations

from ..database import utcnow
from ..ui import PARTNERS, VENDOR, home_panel
from . import onboarding, services


@home_panel("academy.onboarding", "academy/_home_panel.html", order=20, roles=PARTNERS)
def onboarding_panel(user):
    language = services.lang()
    plan = onboarding.onboarding_status(user.organisation_id, utcnow(), language)
    resume = services.continue_lesson(user)
    if plan is None and resume is None:
        return None
    return {"plan": plan, "resume": resume, "lang": language, "can_tick": user.is_partner_admin}


@home_panel("academy.certificates", "academy/_home_manager_panel.html", order=30, roles=VENDOR)
def certificates_panel(user):
    now = utcnow()
    return {"expiring": services.expiring_count(30, now), "certified": services.certified_total(now)}
