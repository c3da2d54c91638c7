"""Domain events. Modules emit these; other modules (rewards, notifications) listen.

Each signal is sent after the change is committed, with the sender being the object concerned.
"""
from blinker import Namespace

_signals = Namespace()

organisation_created = _signals.signal("organisation-created")
deal_submitted = _signals.signal("deal-submitted")
deal_status_changed = _signals.signal("deal-status-changed")  # kwargs: old, new, actor
deal_approved = _signals.signal("deal-approved")
deal_won = _signals.signal("deal-won")
certificate_earned = _signals.signal("certificate-earned")
certificate_expired = _signals.signal("certificate-expired")
