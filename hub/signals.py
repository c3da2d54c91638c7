"""Domain events: the one catalogue of what features tell each other (SPEC P11).

A feature that changes something other features care about emits an event declared here; a
feature that reacts registers a listener here. Features import only this module for that (never
each other's internals). The machinery is hub/domain_events/outbox.py; this file is the contract.

Emitting — inside the transaction that makes the change, before it commits:

    from hub import signals

    signals.deal_won.emit(deal_id=deal.id, organisation_id=deal.organisation_id, ...)
    db.session.commit()

`emit` checks the fields against the declaration below (every field given, none unknown, types
right; dates and aware datetimes are stored as ISO text) and adds a `domain_event` row plus one
pending `domain_event_delivery` row per registered listener to the session. They commit with the
change or roll back with it: an event of a rolled-back transaction never reaches anyone.

Listening — at import time of a module the app imports (the feature's package __init__):

    @signals.deal_won.listener("rewards.record_win")
    def on_deal_won(event: signals.Event) -> None:
        record_win(event.deal_id, event.organisation_id, ...)

    @signals.subscribe("insights.funnel", signals.deal_submitted, signals.deal_won)
    def on_funnel(event: signals.Event) -> None:   # one listener, several events
        ...

- The name ("feature.what_it_does") is stored in each delivery's unique (event, listener) key:
  never rename a listener that has received events (a renamed one is a new listener).
- `event.id`, `event.name`, `event.occurred_at` (UTC) and the payload fields as attributes
  (`event.deal_id`; dates and datetimes come back as such), or `event.payload` (a dict).
- Listeners run after the emitting transaction committed, each in its own transaction; they only
  read and write through `db.session` and never commit or roll back (the outbox runs them in a
  savepoint and commits their effects together with the delivery's acknowledgement; a commit
  inside raises). A listener that raises is rolled back and recorded with its error; the request
  and the other listeners never notice. `flask --app hub worker` retries it with backoff until it
  succeeds or has failed EVENTS_MAX_ATTEMPTS times; admins see and retry failures at
  /admin/event-deliveries.
- A delivery may run more than once only if a listener's effects outlive its transaction (mail
  sent, an HTTP call): keep listeners idempotent by unique keys anyway (the rewards ledger is),
  and put outside effects behind their own outbox (queue_mail, signed webhook deliveries).
- Order is not guaranteed across events (a retried delivery comes later): do not rely on it.
- A listener registered after events were stored receives only new events. To give it the past
  ones: `flask --app hub worker --replay <listener> [--since 2026-01-01]` (creates the missing
  deliveries, then delivers them; running it twice adds nothing).

Payload fields are ids and plain values (int, str, bool, date, aware datetime, or `| None`), never
ORM objects: the listener may run minutes later on another machine. A field may be added to a
declaration later only as optional (`| None`); older events read it as None. Never remove or
rename one.

Subscribers to come: notifications (typed notifications per event), webhooks (one listener that
writes a signed delivery per subscribed endpoint, sent and re-sent from its own table), insights
(a read model built by listeners, rebuilt from history with --replay). Events to come are declared
here when their feature arrives (mdf_paid, application_submitted, ...).
"""
from __future__ import annotations

from datetime import date, datetime

from .domain_events.outbox import CATALOGUE, Event, EventType, subscribe  # noqa: F401 (the public API)

# --- accounts ----------------------------------------------------------------------------------

organisation_created = EventType(
    "organisation_created", "A partner (or vendor) organisation was created.",
    organisation_id=int, slug=str, kind=str,  # kind: "partner" | "vendor"
    partner_type=str | None, created_at=datetime, actor_id=int | None)

# --- deals (every transition also emits deal_status_changed) -----------------------------------

deal_submitted = EventType(
    "deal_submitted", "A partner registered a deal (conflict_with_id: the registration holding the customer).",
    deal_id=int, organisation_id=int, created_by_id=int | None, product=str, region=str,
    amount_kopecks=int, submitted_at=datetime, conflict_with_id=int | None, actor_id=int | None)

deal_status_changed = EventType(
    "deal_status_changed", "A deal moved from one status to another (webhooks on deal status).",
    deal_id=int, organisation_id=int, old_status=str, new_status=str, changed_at=datetime,
    actor_id=int | None)  # actor_id None: the hub itself (expiry)

deal_approved = EventType(
    "deal_approved", "A manager approved a registration: the customer is protected until protected_until.",
    deal_id=int, organisation_id=int, created_by_id=int | None, decided_at=datetime,
    protected_until=date | None, actor_id=int | None)

deal_rejected = EventType(
    "deal_rejected", "A manager rejected a registration.",
    deal_id=int, organisation_id=int, created_by_id=int | None, decided_at=datetime, reason=str,
    actor_id=int | None)

deal_won = EventType(
    "deal_won", "A deal was won; amount_kopecks is the final amount (the registered one if none was given).",
    deal_id=int, organisation_id=int, created_by_id=int | None, product=str, amount_kopecks=int,
    closed_on=date | None, actor_id=int | None)

deal_lost = EventType(
    "deal_lost", "A deal was lost.",
    deal_id=int, organisation_id=int, created_by_id=int | None, closed_on=date | None,
    reason=str | None, actor_id=int | None)

deal_expired = EventType(
    "deal_expired", "An approved deal's protection ended without a win (tick).",
    deal_id=int, organisation_id=int, created_by_id=int | None, protected_until=date | None)

# --- academy -----------------------------------------------------------------------------------

certificate_earned = EventType(
    "certificate_earned", "A learner earned a certificate, or renewed it (renewal: same certificate_id).",
    certificate_id=int, user_id=int, organisation_id=int, track_slug=str, issued_at=datetime,
    expires_at=datetime, renewal=bool)

certificate_expired = EventType(
    "certificate_expired", "A certificate stopped being valid.",
    certificate_id=int, user_id=int, organisation_id=int, track_slug=str,
    reason=str,  # "expired" | "revoked"
    expired_at=datetime)

# --- library -----------------------------------------------------------------------------------

library_item_used = EventType(
    "library_item_used", "A partner user viewed a library item or downloaded one of its files "
    "(counted in library_usage in the same transaction; vendor staff are not counted).",
    item_id=int, item_slug=str, item_kind=str, user_id=int, organisation_id=int,
    action=str,  # "view" | "download"
    file_name=str | None)

# --- community (reserved: declared for the features to come; rewards already listens) --------

event_attended = EventType(
    "event_attended", "A manager recorded that a registered person attended an event (C3).",
    registration_id=int, event_id=int, user_id=int, organisation_id=int, attended_at=datetime)

answer_accepted = EventType(
    "answer_accepted", "An answer in the discussions was accepted (C5).",
    answer_id=int, question_id=int, user_id=int, organisation_id=int, accepted_at=datetime)

# --- declared ahead for the features being built (co-marketing, community, insights) ----------
# Each pairs an emitter and a listener in different features; their payloads are the contract.

mdf_paid = EventType(
    "mdf_paid", "The vendor paid an MDF claim's reimbursement to the partner (M1).",
    request_id=int, claim_id=int, organisation_id=int, amount_kopecks=int, paid_at=datetime,
    actor_id=int | None)

lead_received = EventType(
    "lead_received", "A prospective customer's enquiry reached the vendor (D6): from the public "
    "partner locator (source 'locator', the partner the customer chose named in organisation_id), "
    "an event or a web form. The co-marketing feature turns it into a lead for the managers.",
    source=str,  # "locator" | "event" | "web" | ...
    organisation_id=int | None, company=str, contact_name=str, contact_email=str,
    contact_phone=str | None, region=str | None, message=str | None, consent=bool,
    received_at=datetime)

referral_won = EventType(
    "referral_won", "A referral partner's recommended customer bought (D10): a manager marked the "
    "referral won with the amount; the referral fee is owed to the referring organisation.",
    referral_id=int, organisation_id=int, amount_kopecks=int, won_at=datetime, actor_id=int | None,
    # The fee per the leads rules, computed once when the referral was won (the basis: "5%" or
    # "fixed:<tier>"); None in events stored before these fields existed (listeners compute it then).
    fee_kopecks=int | None, fee_basis=str | None)

commission_line_paid = EventType(
    "commission_line_paid", "A manager marked a line of a partner's commission statement paid (the statement "
    "is where every payout to a partner is approved and paid; source_key says what the line pays for, e.g. "
    "deal:<id> or referral:<id> for a D10 referral fee).",
    line_id=int, organisation_id=int, source_key=str, amount_kopecks=int, paid_at=datetime, actor_id=int | None)

nps_answered = EventType(
    "nps_answered", "A partner person answered an NPS survey (C6): the relationship survey or a "
    "one-question survey after a deal decision, an MDF payment or an event.",
    response_id=int, survey_kind=str,  # "relationship" | "deal" | "mdf" | "event"
    organisation_id=int, user_id=int, score=int, answered_at=datetime)

mdf_request_submitted = EventType(
    "mdf_request_submitted", "A partner asked for MDF for an activity (M1).",
    request_id=int, organisation_id=int, user_id=int, amount_kopecks=int, submitted_at=datetime)

mdf_request_decided = EventType(
    "mdf_request_decided", "A manager decided an MDF request (M1).",
    request_id=int, organisation_id=int,
    decision=str,  # "approved" | "partially_approved" | "changes_requested" | "declined"
    approved_kopecks=int | None, decided_at=datetime, actor_id=int | None)

mdf_claim_submitted = EventType(
    "mdf_claim_submitted", "A partner filed a claim (proof of performance) on an approved MDF request (M1).",
    claim_id=int, request_id=int, organisation_id=int, user_id=int, claimed_kopecks=int, submitted_at=datetime)

mdf_claim_decided = EventType(
    "mdf_claim_decided", "A manager decided an MDF claim (M1); payable_kopecks is set when approved.",
    claim_id=int, request_id=int, organisation_id=int,
    decision=str,  # "approved" | "rejected" | "more_info"
    payable_kopecks=int | None, decided_at=datetime, actor_id=int | None)

question_asked = EventType(
    "question_asked", "Someone opened a discussion thread (C5); private: in the key partners' space.",
    question_id=int, user_id=int, organisation_id=int | None, private=bool, asked_at=datetime)

answer_posted = EventType(
    "answer_posted", "Someone replied in a discussion thread (C5); by_vendor: a vendor's person replied.",
    answer_id=int, question_id=int, user_id=int, organisation_id=int | None,
    question_organisation_id=int | None, by_vendor=bool, posted_at=datetime)
