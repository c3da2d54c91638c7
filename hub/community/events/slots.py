"""The events attended on a partner's profile, and the next events on the home page.

Queries: one for the profile slot (the person's attended registrations with their events), two for
the home panel (coming events the viewer may see, the viewer's own registrations among them).
"""
from __future__ import annotations

from flask_babel import get_locale

from ...database import utcnow
from ...ui import PARTNERS, PROFILE, home_panel, page_slot
from . import services


@page_slot(PROFILE, "events.history", "community/events/_profile_history.html", order=40, roles=PARTNERS)
def events_attended(subject, viewer):
    if not subject.is_partner:
        return None
    return {"registrations": services.attended_history(subject), "locale": str(get_locale() or "ru"),
            "own": subject.id == viewer.id}


@home_panel("events.coming", "community/events/_home_panel.html", order=40, roles=PARTNERS)
def coming_events(user):
    events = services.coming(user, 3, now=utcnow())
    return {"events": events, "mine": services.my_statuses(user, [e.id for e in events]),
            "locale": str(get_locale() or "ru")}
