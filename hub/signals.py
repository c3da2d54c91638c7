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
library_item_used = _signals.signal("library-item-used")  # kwargs: user, action, file_name
# Reserved for events and community (no sender yet); rewards listens to both.
event_attended = _signals.signal("event-attended")
answer_accepted = _signals.signal("answer-accepted")

# What listeners may read (they never import the sender's models; attribute access is enough):
# - organisation_created(org, actor): org.id, org.slug, org.kind, org.created_at
# - deal_submitted / deal_approved / deal_won / deal_status_changed(deal, actor[, old, new]):
#   deal.id, deal.organisation_id, deal.created_by_id, deal.product, deal.amount_kopecks,
#   deal.final_amount_kopecks and deal.closed_on (won/lost deals), deal.status, deal.decided_at
# - certificate_earned(certificate, renewal: bool): certificate.id, .user_id, .organisation_id,
#   .track_slug, .issued_at, .expires_at (UTC)
# - certificate_expired(certificate, reason: "expired" | "revoked"): the same attributes
# - library_item_used(item, user, action: "view" | "download", file_name: str | None): item.id,
#   item.slug, item.kind, user.id, user.organisation_id (sent after the usage count is committed;
#   only partner users are counted)
# Later features add event_attended(registration) and answer_accepted(answer), each with .id,
# .user_id, .organisation_id and the time it happened.
