"""The notification types of events: what registrants hear (seat, waitlist, offers, reminders)."""
from flask_babel import lazy_gettext as _l

from ...core import notifications


def _partner(user) -> bool:
    return user.is_partner


notifications.feature("events", _l("Events"), order=40)

for key, label, text in (
    ("events.registered", _l("My seat at an event is confirmed"),
     _l("Your seat at «%(event)s» on %(starts)s is confirmed")),
    ("events.waitlisted", _l("I join an event's waitlist"),
     _l("You are number %(position)s on the waitlist of «%(event)s»")),
    ("events.seat_offered", _l("A seat is offered to me from the waitlist"),
     _l("A seat at «%(event)s» is yours until %(until)s: confirm it")),
    ("events.offer_expired", _l("A seat offered to me was not confirmed in time"),
     _l("The seat offered at «%(event)s» was not confirmed in time and went to the next person")),
    ("events.registration_cancelled", _l("My registration for an event is cancelled"),
     _l("Your registration for «%(event)s» is cancelled")),
    ("events.seat_handed", _l("A colleague hands me a seat at an event"),
     _l("%(by)s gave you a seat at «%(event)s» on %(starts)s")),
    ("events.changed", _l("An event I registered for changes"),
     _l("«%(event)s» has changed: it now starts on %(starts)s")),
    ("events.cancelled", _l("An event I registered for is cancelled"),
     _l("«%(event)s» on %(starts)s is cancelled")),
    ("events.reminder_24h", _l("Reminder a day before an event"),
     _l("Tomorrow: «%(event)s» starts on %(starts)s")),
    ("events.reminder_1h", _l("Reminder an hour before an event"),
     _l("In an hour: «%(event)s» starts on %(starts)s")),
    ("events.recording", _l("The recording of an event I missed"),
     _l("The recording of «%(event)s» is available")),
):
    notifications.register(key, label, text=text, audience=_partner, email_default=True)
